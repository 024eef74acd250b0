// The request side of the WebSocket opening handshake (RFC 6455 §4.2.1), checked before any
// upgrade, so a request that is not a proper handshake gets a 400 as in Microdot.
import type { Request } from '../index.js';

/**
 * Why `req` is not a WebSocket opening handshake, or `undefined` when it is one: `Connection`
 * must list `upgrade`, `Upgrade` must be `websocket`, `Sec-WebSocket-Key` must be the base64 of
 * 16 bytes and `Sec-WebSocket-Version` 13. Only GET may open a WebSocket.
 */
export function handshakeProblem(req: Request): string | undefined {
  if (req.method !== 'GET') return 'A WebSocket is opened with GET';
  const connection = req.header('connection');
  if (connection === undefined || !connection.split(',').some((t) => /^\s*upgrade\s*$/i.test(t))) {
    return 'Connection: Upgrade is missing';
  }
  const upgrade = req.header('upgrade');
  if (upgrade === undefined || upgrade.trim().toLowerCase() !== 'websocket') {
    return 'Upgrade: websocket is missing';
  }
  const key = req.header('sec-websocket-key');
  if (key === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim())) {
    return 'Sec-WebSocket-Key is missing or malformed';
  }
  if (req.header('sec-websocket-version')?.trim() !== '13')
    return 'Sec-WebSocket-Version must be 13';
  return undefined;
}

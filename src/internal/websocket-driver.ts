// The test client's side of a WebSocket route, as Microdot's test client drives it: a generator
// whose `yield message` sends a message and evaluates to the server's next one. The handshake
// and frames go through the real `ws` client over whatever connection the test client gives
// (an in-memory pair, or a TCP socket).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** A message as the test client sends or receives it. */
export type WebSocketMessage = string | Uint8Array;

/** The client side of a test WebSocket: each `yield message` sends it and gets the reply. */
export type WebSocketClientFn = () =>
  | AsyncGenerator<WebSocketMessage, unknown, WebSocketMessage>
  | Generator<WebSocketMessage, unknown, WebSocketMessage>;

/** How the connection ended, or the HTTP answer when it was refused. */
export type DriveOutcome =
  | { upgraded: true; headers: IncomingMessage['headers']; code: number; reason: string }
  | { upgraded: false; response: IncomingMessage; body: Buffer };

/**
 * Opens a WebSocket to `path` over `connection` and runs `clientFn` against it until either side
 * closes. Resolves with the close code (or the HTTP response, when the handshake was refused).
 */
export async function driveWebSocket(
  connection: Duplex,
  path: string,
  headers: Record<string, string>,
  clientFn: WebSocketClientFn,
): Promise<DriveOutcome> {
  const { WebSocket } = await import('ws');
  const gen = clientFn();
  return new Promise((resolve, reject) => {
    let upgradeHeaders: IncomingMessage['headers'] = {};
    let finished = false;
    let failure: unknown;
    let chain: Promise<void> = Promise.resolve();
    const peer = new WebSocket(`ws://${headers.host ?? 'localhost'}${path}`, {
      createConnection: () => connection,
      headers,
      perMessageDeflate: false,
      maxPayload: 0,
    });
    const step = (input: WebSocketMessage | undefined) => {
      chain = chain.then(async () => {
        if (finished) return;
        try {
          const out = await gen.next(input as WebSocketMessage);
          if (out.done) {
            finished = true;
            peer.close(1000);
          } else if (peer.readyState === WebSocket.OPEN) {
            peer.send(out.value, { binary: typeof out.value !== 'string' });
          }
        } catch (err) {
          finished = true;
          failure = err;
          peer.close(1000);
        }
      });
    };
    peer.on('upgrade', (res) => {
      upgradeHeaders = res.headers;
    });
    peer.on('open', () => step(undefined));
    peer.on('message', (data, isBinary) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      step(isBinary ? bytes : bytes.toString('utf8'));
    });
    peer.on('close', (code, reason) => {
      void chain.then(async () => {
        if (!finished) {
          finished = true;
          await gen.return?.(undefined);
        }
        if (failure !== undefined) reject(failure);
        else resolve({ upgraded: true, headers: upgradeHeaders, code, reason: reason.toString() });
      });
    });
    peer.on('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        finished = true;
        req.destroy();
        resolve({ upgraded: false, response: res, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    peer.on('error', (err) => {
      if (!finished) {
        finished = true;
        reject(err);
      }
    });
  });
}

// Hand-written HS256 JWT session on node:http + node:crypto: verify the `session` cookie,
// count + 1, re-sign, Set-Cookie. The lower bound for what a signed-cookie session can cost.
// Shared by bench/servers/raw-hs256.mjs and the in-process comparison (bench/inproc.mjs).
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** The request handler of the hand-written server for the HMAC key `secret` (≥ 32 bytes). */
export function rawHs256Handler(secret) {
  const key = Buffer.from(secret, 'utf8');
  if (key.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

  function sign(payload) {
    const input = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  }

  function verify(token) {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
    const actual = Buffer.from(parts[2], 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      if (header.alg !== 'HS256') return null;
      const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      return payload !== null && typeof payload === 'object' ? payload : null;
    } catch {
      return null;
    }
  }

  return (req, res) => {
    const token = sessionCookie(req.headers.cookie);
    const session = (token && verify(token)) || {};
    session.count = (Number.isInteger(session.count) ? session.count : 0) + 1;
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'set-cookie': `session=${sign(session)}; Path=/; HttpOnly; SameSite=Lax`,
    });
    res.end(`count ${session.count}`);
  };
}

function sessionCookie(header) {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && pair.slice(0, eq).trim() === 'session') return pair.slice(eq + 1).trim();
  }
  return undefined;
}

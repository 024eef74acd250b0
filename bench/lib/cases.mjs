// The benchmark cases, and the correctness check each must pass before it is timed.
import { createHmac, hkdfSync } from 'node:crypto';
import { Agent } from 'node:http';
import { CompactEncrypt } from 'jose';
import { craftHs256, get, nextCookieHeader, tamper } from './http.mjs';

/**
 * kind: 'hello' (body 'Hello, World!'), 'cookie-read' (body 'session present'),
 *       'read' (body 'count 1' for a count-1 cookie, no save), 'rw' (count + 1, new cookie).
 * cookie: 'craft' (an HS256 JWT made here), 'self' (issued by the server on a cookie-less GET),
 *         or the name of another server that issues it (a read-only server issues none).
 * serverSide: the cookie carries only an id, so a Set-Cookie after the first one is optional.
 * redis / postgres: needs Redis on 127.0.0.1:6379 / PostgreSQL on 127.0.0.1:5432 (database `test`).
 * target: { ratio } to raw-hello, and/or { beats: case, factor } (a paired ratio ≥ factor to
 *         that case; without factor, more req/s than it).
 * server: the server script, when it is not the case's name; env: its extra environment.
 * users: go round this many distinct count-1 cookies, one per user, instead of sending one cookie
 *        every time (more users than any memo holds: every request is verified in full). `sealed`:
 *        'jws' or 'jwe' (crafted here as microdot-ts makes them), or 'self' (one cookie-less
 *        request each to the server itself).
 * pair: a case (listed before) that this one is compared with, round by round.
 */
export const CASES = [
  { name: 'raw-hello', kind: 'hello', cookie: 'craft' },
  { name: 'raw-cookie-read', kind: 'cookie-read', cookie: 'craft' },
  { name: 'raw-hs256', kind: 'rw', cookie: 'craft' },
  { name: 'raw-jose', kind: 'rw', cookie: 'craft' },
  { name: 'fastify-hello', kind: 'hello', cookie: 'craft' },
  { name: 'hono-hello', kind: 'hello', cookie: 'craft' },
  { name: 'express-hello', kind: 'hello', cookie: 'craft' },
  { name: 'fastify-secure-session', kind: 'rw', cookie: 'self' },
  { name: 'express-cookie-session', kind: 'rw', cookie: 'self' },
  { name: 'hono-sessions', kind: 'rw', cookie: 'self' },
  { name: 'iron-session', kind: 'rw', cookie: 'self' },
  { name: 'express-session-redis', kind: 'rw', cookie: 'self', redis: true, serverSide: true },
  {
    name: 'express-session-postgres',
    kind: 'rw',
    cookie: 'self',
    postgres: true,
    serverSide: true,
  },
  { name: 'microdot-hello', kind: 'hello', cookie: 'craft', target: { ratio: 0.9 } },
  {
    name: 'microdot-session-read',
    kind: 'read',
    cookie: 'microdot-session-rw',
    target: { ratio: 0.6 },
  },
  { name: 'microdot-session-rw', kind: 'rw', cookie: 'self', target: { ratio: 0.45 } },
  { name: 'microdot-session-encrypted-rw', kind: 'rw', cookie: 'self', target: { ratio: 0.4 } },
  // Distinct cookies, as a site behind several instances without affinity sees them: each
  // request verifies, counts and re-signs a cookie no instance has seen lately.
  { name: 'raw-hs256-20000-users', server: 'raw-hs256', kind: 'rw', users: 20_000, sealed: 'jws' },
  {
    name: 'microdot-session-rw-nocache-20000-users',
    server: 'microdot-session-rw',
    env: { VERIFY_CACHE: '0' },
    kind: 'rw',
    users: 20_000,
    sealed: 'jws',
    pair: 'raw-hs256-20000-users',
  },
  {
    name: 'microdot-session-rw-20000-users',
    server: 'microdot-session-rw',
    kind: 'rw',
    users: 20_000,
    sealed: 'jws',
    target: { ratio: 0.45, beats: 'raw-hs256-20000-users', factor: 1.0 },
    pair: 'microdot-session-rw-nocache-20000-users',
  },
  {
    name: 'fastify-secure-session-20000-users',
    server: 'fastify-secure-session',
    kind: 'rw',
    users: 20_000,
    sealed: 'self',
  },
  {
    name: 'microdot-session-encrypted-rw-20000-users',
    server: 'microdot-session-encrypted-rw',
    kind: 'rw',
    users: 20_000,
    sealed: 'jwe',
    target: { beats: 'fastify-secure-session-20000-users', factor: 1.2 },
  },
  {
    name: 'microdot-redis-rw',
    kind: 'rw',
    cookie: 'self',
    redis: true,
    serverSide: true,
    target: { ratio: 0.3, beats: 'express-session-redis' },
  },
  // The same on a node-redis client (about half ioredis's CPU per command).
  {
    name: 'microdot-redis-rw-node-redis',
    kind: 'rw',
    cookie: 'self',
    redis: true,
    serverSide: true,
    target: { ratio: 0.3, beats: 'express-session-redis' },
    pair: 'microdot-redis-rw',
  },
  // Logged in: the session names its user, so each write updates the user's index too.
  {
    name: 'microdot-redis-rw-user',
    kind: 'rw',
    cookie: 'self',
    redis: true,
    serverSide: true,
    pair: 'microdot-redis-rw',
  },
  {
    name: 'microdot-postgres-rw',
    kind: 'rw',
    cookie: 'self',
    postgres: true,
    serverSide: true,
    target: { beats: 'express-session-postgres' },
  },
];

/** Thrown when a server answers, but wrongly: the case fails loudly instead of being timed. */
export class CheckError extends Error {}

function expect(what, response, { status = 200, body, setCookie }) {
  const problems = [];
  if (response.status !== status) problems.push(`status ${response.status}, expected ${status}`);
  if (body !== undefined && response.body !== body) {
    problems.push(
      `body ${JSON.stringify(response.body.slice(0, 80))}, expected ${JSON.stringify(body)}`,
    );
  }
  if (setCookie === true && response.setCookies.length === 0) problems.push('no Set-Cookie');
  if (setCookie === false && response.setCookies.length > 0) {
    problems.push(`unexpected Set-Cookie ${response.setCookies[0].slice(0, 60)}`);
  }
  if (problems.length) throw new CheckError(`${what}: ${problems.join('; ')}`);
}

/** The Cookie header a server issues on its first, cookie-less GET (expects 'count 1'). */
export async function issuedCookie(port) {
  const first = await get(port);
  expect('GET / without a cookie', first, { body: 'count 1', setCookie: true });
  return nextCookieHeader('', first.setCookies);
}

/**
 * `n` distinct session cookies holding count 1 (and a user number), made here as microdot-ts
 * makes them, with the documented `kid`: HS256 (byte-identical to PyJWT's with that header), or
 * JWE dir + A256GCM under the HKDF-derived key (with jose); or, for 'self', asked of the server
 * on `port` (count 1 each, distinct by their random nonces or IVs).
 */
export async function userCookies(n, sealed, secret, port) {
  if (sealed === 'self') return issuedCookies(port, n);
  const cookies = [];
  const kid = createHmac('sha256', secret)
    .update('microdot-ts kid')
    .digest('base64url')
    .slice(0, 8);
  if (sealed === 'jws') {
    const header = { alg: 'HS256', kid, typ: 'JWT' };
    for (let user = 0; user < n; user++) {
      cookies.push(`session=${craftHs256({ count: 1, user }, secret, header)}`);
    }
    return cookies;
  }
  const key = new Uint8Array(
    hkdfSync('sha256', Buffer.from(secret, 'utf8'), new Uint8Array(0), JWE_INFO, 32),
  );
  for (let user = 0; user < n; user++) {
    const plaintext = new TextEncoder().encode(JSON.stringify({ count: 1, user }));
    const token = await new CompactEncrypt(plaintext)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
      .encrypt(key);
    cookies.push(`session=${token}`);
  }
  return cookies;
}

const JWE_INFO = 'microdot-ts session encryption v1';

/** `n` cookies issued by the server on `port`, 16 requests at a time on kept-alive connections. */
async function issuedCookies(port, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const cookies = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const first = await get(port, undefined, 5000, agent);
      expect('GET / without a cookie', first, { body: 'count 1', setCookie: true });
      cookies[i] = nextCookieHeader('', first.setCookies);
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    agent.destroy();
  }
  if (new Set(cookies).size !== n) throw new CheckError('the server issued the same cookie twice');
  return cookies;
}

/** A crafted session cookie holding count 1, valid for the raw-* servers. */
export function craftedCookie(secret) {
  return `session=${craftHs256({ count: 1 }, secret)}`;
}

/**
 * Checks the server behaves as its kind says, with `cookie` holding count 1, before any
 * timing. Throws CheckError with what was wrong.
 */
export async function check(c, port, cookie) {
  if (c.kind === 'hello') {
    expect('GET / with a cookie', await get(port, cookie), { body: 'Hello, World!' });
  } else if (c.kind === 'cookie-read') {
    expect('GET / with a cookie', await get(port, cookie), { body: 'session present' });
    expect('GET / without a cookie', await get(port), { body: 'session absent' });
  } else if (c.kind === 'read') {
    expect('GET / with a count-1 cookie', await get(port, cookie), {
      body: 'count 1',
      setCookie: false,
    });
    expect('GET / with a tampered cookie', await get(port, tamper(cookie)), { body: 'count 0' });
  } else {
    const second = await get(port, cookie);
    expect('GET / with a count-1 cookie', second, {
      body: 'count 2',
      setCookie: c.serverSide ? undefined : true,
    });
    if (second.setCookies.length > 0) {
      const next = nextCookieHeader(cookie, second.setCookies);
      expect('GET / with the re-issued cookie', await get(port, next), { body: 'count 3' });
    }
    expect('GET / with a tampered cookie', await get(port, tamper(cookie)), { body: 'count 1' });
  }
}

// The in-process cases shared by bench/inproc.mjs (timed) and bench/instructions.mjs (counted
// under callgrind): each case is a node:http handler of a built `dist/src` and the Cookie headers
// sent to it, driven with fake node:http objects (no sockets, no parser), so that only the
// framework's own work is measured.
import { ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { rawHs256Handler } from './raw-hs256-handler.mjs';

/**
 * The cases of the built `dist/src` in `dir`, under the session key `secret`, with
 * `userCount` distinct cookies for the distinct-cookie cases.
 * @returns {Promise<Record<string, [handler: Function, cookies: (string | undefined)[]]>>}
 */
export async function buildCases(dir, secret, userCount) {
  const base = pathToFileURL(path.resolve(dir)).href;
  const { Microdot } = await import(`${base}/index.js`);
  const { Session, withSession } = await import(`${base}/session/index.js`);
  const hello = new Microdot();
  hello.get('/', () => 'Hello, World!');
  // hello with CSRF on: a before-request hook on every request (a GET passes it).
  const { CSRF } = await import(`${base}/csrf/index.js`);
  const csrf = new Microdot();
  new CSRF(csrf);
  csrf.get('/', () => 'Hello, World!');
  // hello with one async before-request hook: the path a hook that returns a promise takes.
  const asyncHook = new Microdot();
  asyncHook.beforeRequest(async () => undefined);
  asyncHook.get('/', () => 'Hello, World!');
  const mk = (encrypt, write, verifyCache) => {
    const app = new Microdot();
    new Session(app, { secretKey: secret, encrypt, verifyCache });
    app.get(
      '/',
      withSession((_req, session) => {
        if (!write) return `count ${session.count ?? 0}`;
        session.count = (session.count ?? 0) + 1;
        session.save();
        return `count ${session.count}`;
      }),
    );
    return app.handler;
  };
  // Distinct cookies holding count 1 (and a user number, so that no two are alike), made as the
  // apps make them: HS256 with the key's kid, or JWE dir + A256GCM.
  const { KeyRing } = await import(`${base}/session/keyring.js`);
  const { signToken } = await import(`${base}/session/token.js`);
  const { encryptToken } = await import(`${base}/session/jwe.js`);
  const key = new KeyRing(secret).current;
  const now = Math.floor(Date.now() / 1000);
  const claims = (user) => ({ count: 1, user, iat: now, exp: now + 86_400, auth_time: now });
  const users = Array.from({ length: userCount }, (_, user) => claims(user));
  const signed = users.map((payload) => `session=${signToken(payload, key)}`);
  const sealed = users.map((payload) => `session=${encryptToken(payload, key)}`);
  return {
    hello: [hello.handler, [undefined]],
    csrf: [csrf.handler, [undefined]],
    ahook: [asyncHook.handler, [undefined]],
    read: [mk(false, false), [signed[0]]],
    rw: [mk(false, true), [signed[0]]],
    encrw: [mk(true, true), [sealed[0]]],
    rwd: [mk(false, true), signed],
    rwd0: [mk(false, true, 0), signed],
    encrwd: [mk(true, true), sealed],
    encrwd0: [mk(true, true, 0), sealed],
    rawhs: [rawHs256Handler(secret), signed],
  };
}

export const socket = { remoteAddress: '127.0.0.1', encrypted: false };
let sink = 0;

/** Sinks every status, so that no call is optimised away; read it at the end. */
export const sinkTotal = () => sink;

/** One request to `handler` with `cookie`; its status and the Set-Cookie it answered with. */
export function call(handler, cookie) {
  const headers = { host: '127.0.0.1', 'user-agent': 'wrk', accept: '*/*' };
  if (cookie !== undefined) headers.cookie = cookie;
  const nreq = {
    url: '/',
    method: 'GET',
    headers,
    socket,
    httpVersionMajor: 1,
    httpVersionMinor: 1,
  };
  // A real ServerResponse without a socket: writeHead builds the header block as on the wire,
  // end() queues the bytes.
  const nres = new ServerResponse(nreq);
  handler(nreq, nres);
  let setCookie = nres.getHeader('set-cookie');
  if (setCookie === undefined)
    setCookie = /\r\nset-cookie: ([^\r]*)/i.exec(nres._header ?? '')?.[1];
  else if (Array.isArray(setCookie)) setCookie = setCookie[0];
  sink += nres.statusCode;
  return { status: nres.statusCode, setCookie };
}

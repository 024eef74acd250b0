// The soak server: the login example (examples/sessions/login-app.ts, built into dist/) plus
// three JSON routes, run as its own process by soak/run.mjs so its RSS can be read from /proc.
//
//   POST /soak/incr   read-modify-write: count + 1, keeps the first `secret` it is sent
//   GET  /soak/state  the same fields, read only (the runner's final check)
//   GET  /soak/ping   no session at all: must answer while the store is down
//
// Environment: SOAK_MODE = cookie | encrypted | redis, SECRET_KEY, REDIS_URL, REDIS_PREFIX.
// Prints `LISTENING <port>` once it listens on 127.0.0.1. SIGUSR2 runs a full GC (when started
// with --expose-gc) so the runner reads comparable RSS figures.
import { withSession } from 'microdot-ts/session';
import { createLoginApp } from '../dist/examples/sessions/login-app.js';

const mode = process.env.SOAK_MODE ?? 'cookie';
const secretKey = process.env.SECRET_KEY ?? '';
if (secretKey.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

let store;
if (mode === 'redis') {
  const { RedisStore } = await import('microdot-ts/stores/redis');
  store = new RedisStore({ url: process.env.REDIS_URL, prefix: process.env.REDIS_PREFIX });
} else if (mode !== 'cookie' && mode !== 'encrypted') {
  throw new Error(`SOAK_MODE must be cookie, encrypted or redis; got "${mode}"`);
}

const app = createLoginApp({
  secretKey,
  encrypt: mode === 'encrypted',
  ...(store === undefined ? {} : { store }),
});

const view = (session) => ({
  username: session.username ?? null,
  count: session.count ?? 0,
  secret: session.secret ?? null,
});

app.post(
  '/soak/incr',
  withSession((req, session) => {
    const body = req.json;
    if (session.secret === undefined && typeof body?.secret === 'string') {
      session.secret = body.secret;
    }
    session.count = (session.count ?? 0) + 1;
    session.save();
    return view(session);
  }),
);
app.get(
  '/soak/state',
  withSession((_req, session) => view(session)),
);
app.get('/soak/ping', () => ({ ok: true }));

const server = await app.startServer({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${server.port}`);

process.on('SIGUSR2', () => globalThis.gc?.());
process.once('SIGTERM', () => {
  void app
    .shutdown()
    .then(() => store?.close())
    .finally(() => process.exit(0));
});

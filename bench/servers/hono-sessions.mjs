// Hono 4 + hono-sessions CookieStore (iron-webcrypto sealed cookie): count + 1 per request.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CookieStore, sessionMiddleware } from 'hono-sessions';

const secret = process.env.SECRET_KEY ?? '';
if (secret.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

const app = new Hono();
app.use(
  '*',
  sessionMiddleware({
    store: new CookieStore(),
    encryptionKey: secret,
    cookieOptions: { path: '/', httpOnly: true, sameSite: 'Lax' },
  }),
);
app.get('/', (c) => {
  const session = c.get('session');
  const count = (session.get('count') ?? 0) + 1;
  session.set('count', count);
  return c.text(`count ${count}`);
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
  console.log(`LISTENING ${info.port}`),
);

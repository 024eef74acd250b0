// Express 5 + express-session + connect-redis (ioredis) on 127.0.0.1:6379: count + 1 per
// request, stored server-side; the cookie carries only the signed session id.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Redis } from 'ioredis';

const secret = process.env.SECRET_KEY ?? '';
if (secret.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
await client.connect();

const app = express();
app.use(
  session({
    store: new RedisStore({ client, prefix: 'bench:express:' }),
    secret,
    name: 'session',
    resave: false,
    saveUninitialized: false,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 3600_000 },
  }),
);
app.get('/', (req, res) => {
  req.session.count = (req.session.count ?? 0) + 1;
  res.send(`count ${req.session.count}`);
});
const server = app.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));

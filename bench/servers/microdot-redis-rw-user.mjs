// microdot-ts session kept in Redis, as microdot-redis-rw, but logged in: the session carries a
// user id (its own), so every write also updates that user's index (paired with
// microdot-redis-rw: what a logged-in session costs over an anonymous one).
import { randomBytes } from 'node:crypto';
import { Microdot } from 'microdot-ts';
import { Session, withSession } from 'microdot-ts/session';
import { RedisStore } from 'microdot-ts/stores/redis';

const app = new Microdot();
new Session(app, {
  secretKey: process.env.SECRET_KEY /* ≥32 bytes */,
  encrypt: false,
  store: new RedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'bench:' }),
});
app.get(
  '/',
  withSession((_req, session) => {
    session.userId ??= `user-${randomBytes(6).toString('base64url')}`;
    session.count = (session.count ?? 0) + 1;
    session.save();
    return `count ${session.count}`;
  }),
);
const server = await app.startServer({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${server.port}`);

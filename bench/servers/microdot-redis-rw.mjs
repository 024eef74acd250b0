// microdot-ts session kept in Redis (RedisStore on 127.0.0.1:6379): count + 1 per request
// (target: more req/s than express-session-redis).
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
    session.count = (session.count ?? 0) + 1;
    session.save();
    return `count ${session.count}`;
  }),
);
const server = await app.startServer({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${server.port}`);

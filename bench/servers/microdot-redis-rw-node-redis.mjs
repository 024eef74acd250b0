// microdot-ts session kept in Redis (RedisStore on 127.0.0.1:6379) through a node-redis client:
// count + 1 per request, as microdot-redis-rw does through ioredis (target: more req/s than
// express-session-redis, and 0.30 × raw-hello).
import { Microdot } from 'microdot-ts';
import { Session, withSession } from 'microdot-ts/session';
import { RedisStore } from 'microdot-ts/stores/redis';
import { createClient } from 'redis';

// As the README says: no offline queue (checked by the store), reconnection every ≤ 1 s.
const client = createClient({
  url: 'redis://127.0.0.1:6379',
  disableOfflineQueue: true,
  socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(50 * retries, 1000) },
});
client.on('error', () => {}); // the store's callers get the errors
await client.connect();

const app = new Microdot();
new Session(app, {
  secretKey: process.env.SECRET_KEY /* ≥32 bytes */,
  encrypt: false,
  store: new RedisStore({ client, prefix: 'bench:' }),
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

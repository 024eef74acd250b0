// microdot-ts session kept in PostgreSQL (PostgresStore on 127.0.0.1:5432, database `test`):
// count + 1 per request (target: more req/s than express-session-postgres).
import { Microdot } from 'microdot-ts';
import { Session, withSession } from 'microdot-ts/session';
import { PostgresStore } from 'microdot-ts/stores/postgres';

const store = new PostgresStore({
  connectionString: 'postgres://postgres@127.0.0.1:5432/test',
  table: 'bench_microdot_sessions',
});
await store.migrate();
const app = new Microdot();
new Session(app, { secretKey: process.env.SECRET_KEY /* ≥32 bytes */, encrypt: false, store });
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

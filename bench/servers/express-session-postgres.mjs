// Express 5 + express-session + connect-pg-simple (pg) on 127.0.0.1:5432, database `test`:
// count + 1 per request, stored server-side; the cookie carries only the signed session id.
import connectPgSimple from 'connect-pg-simple';
import express from 'express';
import session from 'express-session';
import pg from 'pg';

const secret = process.env.SECRET_KEY ?? '';
if (secret.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 10 });
const PgStore = connectPgSimple(session);
const store = new PgStore({
  pool,
  tableName: 'bench_express_sessions',
  createTableIfMissing: true,
});

const app = express();
app.use(
  session({
    store,
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

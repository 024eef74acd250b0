// microdot-ts signed (JWS HS256) session cookie: verify, count + 1, re-sign, Set-Cookie
// (target: >= 0.45 of raw-hello).
import { Microdot } from 'microdot-ts';
import { Session, withSession } from 'microdot-ts/session';

const app = new Microdot();
// VERIFY_CACHE: the verifyCache option (a distinct-cookie case also runs with 0).
const verifyCache = process.env.VERIFY_CACHE ? Number(process.env.VERIFY_CACHE) : undefined;
new Session(app, {
  secretKey: process.env.SECRET_KEY /* ≥32 bytes */,
  encrypt: false,
  verifyCache,
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

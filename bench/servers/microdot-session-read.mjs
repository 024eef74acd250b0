// microdot-ts signed session, read only: verify the cookie, read `count`, no save
// (target: >= 0.60 of raw-hello).
import { Microdot } from 'microdot-ts';
import { Session, withSession } from 'microdot-ts/session';

const app = new Microdot();
new Session(app, { secretKey: process.env.SECRET_KEY /* ≥32 bytes */, encrypt: false });
app.get(
  '/',
  withSession((_req, session) => `count ${session.count ?? 0}`),
);
const server = await app.startServer({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${server.port}`);

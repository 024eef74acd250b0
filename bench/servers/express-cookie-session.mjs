// Express 5 + cookie-session (base64 JSON cookie + HMAC signature cookie): count + 1 per request.
import cookieSession from 'cookie-session';
import express from 'express';

const secret = process.env.SECRET_KEY ?? '';
if (secret.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

const app = express();
app.use(cookieSession({ name: 'session', keys: [secret], httpOnly: true, sameSite: 'lax' }));
app.get('/', (req, res) => {
  req.session.count = (req.session.count ?? 0) + 1;
  res.send(`count ${req.session.count}`);
});
const server = app.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));

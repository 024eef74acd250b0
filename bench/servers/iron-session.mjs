// node:http + iron-session (iron-webcrypto sealed cookie): count + 1 per request.
import { createServer } from 'node:http';
import { getIronSession } from 'iron-session';

const password = process.env.SECRET_KEY ?? '';
if (password.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');
const options = {
  password,
  cookieName: 'session',
  cookieOptions: { secure: false, httpOnly: true, sameSite: 'lax', path: '/' },
};

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    // iron-session throws on some malformed cookies (e.g. 'Invalid expiration'): answer, don't crash.
    res.writeHead(500).end(String(err.message));
  });
});

async function handle(req, res) {
  const session = await getIronSession(req, res, options);
  session.count = (session.count ?? 0) + 1;
  await session.save();
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`count ${session.count}`);
}
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));

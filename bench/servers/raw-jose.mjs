// HS256 JWT session on node:http with jose: verify the `session` cookie, count + 1, re-sign,
// Set-Cookie. Same cookie format as raw-hs256.
import { createServer } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';

const key = new TextEncoder().encode(process.env.SECRET_KEY ?? '');
if (key.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

function sessionCookie(header) {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && pair.slice(0, eq).trim() === 'session') return pair.slice(eq + 1).trim();
  }
  return undefined;
}

async function load(token) {
  if (!token) return {};
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
    return payload;
  } catch {
    return {};
  }
}

const server = createServer(async (req, res) => {
  const session = await load(sessionCookie(req.headers.cookie));
  session.count = (Number.isInteger(session.count) ? session.count : 0) + 1;
  const token = await new SignJWT(session)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(key);
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'set-cookie': `session=${token}; Path=/; HttpOnly; SameSite=Lax`,
  });
  res.end(`count ${session.count}`);
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));

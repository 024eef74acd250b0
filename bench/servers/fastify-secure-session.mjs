// Fastify 5 + @fastify/secure-session (libsodium secretbox cookie): count + 1 per request.
import { createHash } from 'node:crypto';
import fastifySecureSession from '@fastify/secure-session';
import Fastify from 'fastify';

const secret = process.env.SECRET_KEY ?? '';
if (secret.length < 32) throw new Error('SECRET_KEY must be at least 32 bytes');

const app = Fastify({ logger: false });
await app.register(fastifySecureSession, {
  key: createHash('sha256').update(secret).digest(),
  cookieName: 'session',
  cookie: { path: '/', httpOnly: true, sameSite: 'lax' },
});
app.get('/', async (request) => {
  const count = (request.session.get('count') ?? 0) + 1;
  request.session.set('count', count);
  return `count ${count}`;
});
await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${app.server.address().port}`);

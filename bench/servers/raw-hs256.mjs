// Hand-written HS256 JWT session on node:http + node:crypto (bench/lib/raw-hs256-handler.mjs):
// verify the `session` cookie, count + 1, re-sign, Set-Cookie.
import { createServer } from 'node:http';
import { rawHs256Handler } from '../lib/raw-hs256-handler.mjs';

const server = createServer(rawHs256Handler(process.env.SECRET_KEY ?? ''));
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));

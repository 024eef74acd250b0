// Runs the chat on http://127.0.0.1:5000 (`npx tsx examples/chat/main.ts`).
// Environment: PORT (default 5000), HOST (default 127.0.0.1), SECRET_KEY (at least 32 bytes),
// CHAT_USERS = "name:password,name:password" (default: alice and bob, passwords printed below).
import { randomBytes } from 'node:crypto';
import { createChatApp } from './chat-app.js';
import { DemoUsers } from './users.js';

let secretKey = process.env.SECRET_KEY;
if (secretKey === undefined || secretKey === '') {
  secretKey = randomBytes(32).toString('base64url');
  console.warn(
    'SECRET_KEY is not set: using a random key, so logins end when the server restarts.',
  );
}
const pairs = (process.env.CHAT_USERS ?? 'alice:alice-password,bob:bob-password')
  .split(',')
  .map((pair) => pair.split(':'))
  .filter(
    (pair): pair is [string, string] => pair.length === 2 && pair[0] !== '' && pair[1] !== '',
  );
if (process.env.CHAT_USERS === undefined) {
  console.log('Demo users: alice / alice-password, bob / bob-password');
}
const users = await DemoUsers.create(Object.fromEntries(pairs));
const app = createChatApp({ secretKey, users });
await app.run({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 5000) });

// Runs the chat on http://127.0.0.1:5000 (`npx tsx examples/chat/main.ts`).
// Environment: PORT (default 5000), HOST (default 127.0.0.1), SECRET_KEY (at least 32 bytes),
// SQLITE_PATH: chat with the accounts registered in the account example's SQLite file
// (SESSION_STORE=sqlite there); without it, demo accounts in memory: CHAT_USERS =
// "name:password,name:password" (default: alice and bob, passwords printed below).
import { randomBytes } from 'node:crypto';
import { sqliteUsers } from '../account/users.js';
import { createChatApp } from './chat-app.js';
import { accountChatUsers, type ChatUsers, DemoUsers } from './users.js';

let secretKey = process.env.SECRET_KEY;
if (secretKey === undefined || secretKey === '') {
  secretKey = randomBytes(32).toString('base64url');
  console.warn(
    'SECRET_KEY is not set: using a random key, so logins end when the server restarts.',
  );
}
let users: ChatUsers;
if (process.env.SQLITE_PATH !== undefined && process.env.SQLITE_PATH !== '') {
  users = await accountChatUsers(await sqliteUsers(process.env.SQLITE_PATH));
  console.log(`Users: the accounts in ${process.env.SQLITE_PATH}`);
} else {
  const pairs = (process.env.CHAT_USERS ?? 'alice:alice-password,bob:bob-password')
    .split(',')
    .map((pair) => pair.split(':'))
    .filter(
      (pair): pair is [string, string] => pair.length === 2 && pair[0] !== '' && pair[1] !== '',
    );
  if (process.env.CHAT_USERS === undefined) {
    console.log('Demo users: alice / alice-password, bob / bob-password');
  }
  users = await DemoUsers.create(Object.fromEntries(pairs));
}
const app = createChatApp({ secretKey, users });
await app.run({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 5000) });

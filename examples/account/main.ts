// Runs the account example on http://127.0.0.1:5000 (`npm start`).
// Environment: PORT (default 5000), HOST (default 127.0.0.1), SECRET_KEY (at least 32 bytes),
// SESSION_STORE = cookie (default) | memory | sqlite | redis | postgres (see
// ../sessions/store-from-env.ts). With sqlite, users are kept in the same file (SQLITE_PATH);
// otherwise in memory.
import { randomBytes } from 'node:crypto';
import { storeFromEnv } from '../sessions/store-from-env.js';
import { createAccountApp } from './account-app.js';
import { MemoryUsers, sqliteUsers } from './users.js';

let secretKey = process.env.SECRET_KEY;
if (secretKey === undefined || secretKey === '') {
  secretKey = randomBytes(32).toString('base64url');
  console.warn(
    'SECRET_KEY is not set: using a random key, so sessions end when the server restarts.',
  );
}

const store = await storeFromEnv(process.env);
const users =
  process.env.SESSION_STORE === 'sqlite'
    ? await sqliteUsers(process.env.SQLITE_PATH ?? 'sessions.db')
    : new MemoryUsers();
const app = await createAccountApp({ secretKey, store, users });
await app.run({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 5000) });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.shutdown().then(() => store?.close?.());
  });
}

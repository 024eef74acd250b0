// Runs the account example on http://127.0.0.1:5000 (`npm start`).
// Environment: PORT (default 5000), HOST (default 127.0.0.1), SECRET_KEY (at least 32 bytes),
// SESSION_STORE = cookie (default) | memory | sqlite | redis | postgres (see
// ../sessions/store-from-env.ts). With sqlite, users are kept in the same file (SQLITE_PATH);
// with postgres, in the same database; otherwise in memory. USERS_TABLE names their table
// (default account_users).
import { randomBytes } from 'node:crypto';
import { runFromEnv } from '../run-from-env.js';
import { storeFromEnv } from '../sessions/store-from-env.js';
import { createAccountApp } from './account-app.js';
import { MemoryUsers, postgresUsers, sqliteUsers, USERS_TABLE, type Users } from './users.js';

let secretKey = process.env.SECRET_KEY;
if (secretKey === undefined || secretKey === '') {
  secretKey = randomBytes(32).toString('base64url');
  console.warn(
    'SECRET_KEY is not set: using a random key, so sessions end when the server restarts.',
  );
}

const store = await storeFromEnv(process.env);
const kind = process.env.SESSION_STORE;
const fromPgEnv = Object.keys(process.env).some((name) => name.startsWith('PG'));
let users: Users = new MemoryUsers();
let closeUsers = async (): Promise<void> => {};
const table = process.env.USERS_TABLE || USERS_TABLE;
if (kind === 'sqlite') users = await sqliteUsers(process.env.SQLITE_PATH ?? 'sessions.db', table);
if (kind === 'postgres') {
  const pgUsers = await postgresUsers(
    process.env.DATABASE_URL || (fromPgEnv ? undefined : 'postgres://postgres@127.0.0.1:5432/test'),
    table,
  );
  users = pgUsers;
  closeUsers = () => pgUsers.close();
}
const app = await createAccountApp({ secretKey, store, users });
await runFromEnv(app);

// app.run stops the server on these signals; then let go of the store's and users' connections.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .shutdown()
      .then(() => store?.close?.())
      .then(closeUsers);
  });
}

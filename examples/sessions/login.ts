// Runs the login example on http://127.0.0.1:5000 (`npm start`).
// Environment: PORT (default 5000), HOST (default 127.0.0.1), SECRET_KEY (at least 32 bytes),
// SESSION_STORE = cookie (default) | memory | sqlite | redis | postgres, REDIS_URL, REDIS_PREFIX,
// SQLITE_PATH, DATABASE_URL (or PG*), POSTGRES_TABLE,
// SESSION_ENCRYPT=1 (encrypted tokens: JWE instead of a signed JWT).
import { randomBytes } from 'node:crypto';
import { runFromEnv } from '../run-from-env.js';
import { createLoginApp } from './login-app.js';
import { storeFromEnv } from './store-from-env.js';

let secretKey = process.env.SECRET_KEY;
if (secretKey === undefined || secretKey === '') {
  secretKey = randomBytes(32).toString('base64url');
  console.warn(
    'SECRET_KEY is not set: using a random key, so sessions end when the server restarts.',
  );
}

const store = await storeFromEnv(process.env);
const encrypt = process.env.SESSION_ENCRYPT === '1';
const app = createLoginApp({ secretKey, encrypt, ...(store === undefined ? {} : { store }) });
await runFromEnv(app);

// app.run stops the server on these signals; then let go of the store's connections too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.shutdown().then(() => store?.close?.());
  });
}

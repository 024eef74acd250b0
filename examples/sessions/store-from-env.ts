// Picks the session store of the login example from SESSION_STORE.
import { MemoryStore, type SessionStore } from 'microdot-ts/session';

/**
 * The store named by `SESSION_STORE`: `cookie` (the default: no store, data in a signed
 * cookie), `memory` (one process), `sqlite` (`SQLITE_PATH`, default `sessions.db`) or `redis`
 * (`REDIS_URL`, default `redis://127.0.0.1:6379`; `REDIS_PREFIX`, default `microdot:`).
 * The SQLite and Redis stores are loaded only when asked for, so their optional peer
 * dependencies are needed only then.
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv): Promise<SessionStore | undefined> {
  const kind = env.SESSION_STORE ?? 'cookie';
  switch (kind) {
    case 'cookie':
      return undefined;
    case 'memory':
      return new MemoryStore();
    case 'sqlite': {
      const { SqliteStore } = await import('microdot-ts/stores/sqlite');
      return new SqliteStore({ path: env.SQLITE_PATH ?? 'sessions.db' });
    }
    case 'redis': {
      const { RedisStore } = await import('microdot-ts/stores/redis');
      return new RedisStore({
        url: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        prefix: env.REDIS_PREFIX ?? 'microdot:',
      });
    }
    default:
      throw new Error(`SESSION_STORE must be cookie, memory, sqlite or redis; got "${kind}"`);
  }
}

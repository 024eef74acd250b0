// Picks the session store of the login example from SESSION_STORE.
import { MemoryStore, type SessionStore } from 'microdot-ts/session';

/** Where `SESSION_STORE=postgres` connects when neither `DATABASE_URL` nor `PG*` is set. */
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The store named by `SESSION_STORE`: `cookie` (the default: no store, data in a signed
 * cookie), `memory` (one process), `sqlite` (`SQLITE_PATH`, default `sessions.db`), `redis`
 * (`REDIS_URL`, default `redis://127.0.0.1:6379`; `REDIS_PREFIX`, default `microdot:`) or
 * `postgres` (`DATABASE_URL`, else the `PG*` variables such as `PGHOST`, else
 * `postgres://postgres@127.0.0.1:5432/test`; `POSTGRES_TABLE`, default `microdot_sessions`).
 * The SQLite, Redis and PostgreSQL stores are loaded only when asked for, so their optional
 * peer dependencies are needed only then.
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
    case 'postgres': {
      const { PostgresStore } = await import('microdot-ts/stores/postgres');
      const table = env.POSTGRES_TABLE ?? 'microdot_sessions';
      if (env.DATABASE_URL) return new PostgresStore({ connectionString: env.DATABASE_URL, table });
      // With PG* variables set, node-postgres reads them itself (as psql does).
      const fromPgEnv = Object.keys(env).some((name) => name.startsWith('PG'));
      return fromPgEnv
        ? new PostgresStore({ table })
        : new PostgresStore({ connectionString: DEFAULT_DATABASE_URL, table });
    }
    default:
      throw new Error(
        `SESSION_STORE must be cookie, memory, sqlite, redis or postgres; got "${kind}"`,
      );
  }
}

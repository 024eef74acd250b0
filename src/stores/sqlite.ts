import Database from 'better-sqlite3';
import { applyPatch, ttlToMs } from '../internal/store-patch.js';
import {
  META_KEY,
  type SessionData,
  type SessionPatch,
  type SessionStore,
  type SetOptions,
  type StoredSession,
  StoreUnavailableError,
} from './store.js';

interface CommonOptions {
  /** Table name (letters, digits, `_`; created if missing). Default `'microdot_sessions'`. */
  table?: string;
  /** Seconds between sweeps of expired rows; `0` turns the sweep off. Default 60. */
  sweepInterval?: number;
}

/**
 * Options of {@link SqliteStore}: either a file `path` the store opens (and closes), or a
 * `database` you opened yourself (the store never closes it).
 *
 * @example
 * ```ts
 * const options: SqliteStoreOptions = { path: './sessions.db', table: 'sessions', sweepInterval: 300 };
 * ```
 */
export type SqliteStoreOptions =
  | (CommonOptions & { path: string; database?: never })
  | (CommonOptions & { database: Database.Database; path?: never });

interface Row {
  data: string;
  user_id: string | null;
}

interface ListRow {
  id: string;
  meta: string | null;
  expires_at: number;
}

/** Error codes of SQLite that mean "the database can't be used right now", not "bad request". */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOMEM|CORRUPT|NOTADB)/;

/**
 * A {@link SessionStore} in one SQLite table, through `better-sqlite3` (an optional peer
 * dependency, major 12: install it to use this store). Several processes on one host can share
 * the file: it is opened in WAL mode, and every patch is a read-merge-write in one `BEGIN
 * IMMEDIATE` transaction, so parallel writers never lose each other's keys.
 *
 * Table: `id TEXT PRIMARY KEY, data TEXT (JSON), user_id TEXT (indexed), expires_at INTEGER (ms)`.
 * Expired rows are ignored when read and deleted by a periodic sweep (an unref'd timer).
 *
 * @example
 * ```ts
 * import { SqliteStore } from 'microdot-ts/stores/sqlite';
 * const store = new SqliteStore({ path: './sessions.db' });
 * await store.set('id', { set: { user: 'ana' }, unset: [], replace: true }, { ttl: 3600, userId: 'ana' });
 * await store.destroyAll('ana'); // 1
 * await store.close();
 * ```
 */
export class SqliteStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #ownsDb: boolean;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #sql: {
    get: Database.Statement<[string, number], Row>;
    upsert: Database.Statement<[string, string, string | null, number]>;
    destroy: Database.Statement<[string]>;
    touch: Database.Statement<[number, string, number]>;
    destroyAll: Database.Statement<[string, number]>;
    list: Database.Statement<[string, number], ListRow>;
    destroyOwned: Database.Statement<[string, string, number]>;
    clear: Database.Statement<[]>;
    sweep: Database.Statement<[number]>;
  };
  readonly #setTx: (id: string, patch: SessionPatch, ttlMs: number, userId?: string) => boolean;

  constructor(options: SqliteStoreOptions) {
    const { table = 'microdot_sessions', sweepInterval = 60 } = options;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
      throw new TypeError(
        `SqliteStore: table must be 1-63 letters, digits or "_" not starting with a digit, got ${JSON.stringify(table)}`,
      );
    }
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) {
      throw new RangeError(
        `SqliteStore: sweepInterval must be a number of seconds >= 0, got ${sweepInterval}`,
      );
    }
    if (options.database) {
      this.#db = options.database;
      this.#ownsDb = false;
    } else if (typeof options.path === 'string' && options.path !== '') {
      this.#db = new Database(options.path);
      this.#ownsDb = true;
      this.#db.pragma('journal_mode = WAL');
    } else {
      throw new TypeError('SqliteStore: give either a file `path` or an open `database`');
    }
    const db = this.#db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS "${table}" (
        id TEXT PRIMARY KEY NOT NULL,
        data TEXT NOT NULL,
        user_id TEXT,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS "${table}_user_id" ON "${table}" (user_id);
      CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON "${table}" (expires_at);
    `);
    this.#sql = {
      get: db.prepare(`SELECT data, user_id FROM "${table}" WHERE id = ? AND expires_at > ?`),
      upsert: db.prepare(
        `INSERT INTO "${table}" (id, data, user_id, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
           data = excluded.data, user_id = excluded.user_id, expires_at = excluded.expires_at`,
      ),
      destroy: db.prepare(`DELETE FROM "${table}" WHERE id = ?`),
      touch: db.prepare(`UPDATE "${table}" SET expires_at = ? WHERE id = ? AND expires_at > ?`),
      destroyAll: db.prepare(`DELETE FROM "${table}" WHERE user_id = ? AND expires_at > ?`),
      // The meta key as JSON text (`->` always gives JSON, whatever the value's type).
      list: db.prepare(
        `SELECT id, data -> '$.${META_KEY}' AS meta, expires_at FROM "${table}"
         WHERE user_id = ? AND expires_at > ?`,
      ),
      destroyOwned: db.prepare(
        `DELETE FROM "${table}" WHERE id = ? AND user_id = ? AND expires_at > ?`,
      ),
      clear: db.prepare(`DELETE FROM "${table}"`),
      sweep: db.prepare(`DELETE FROM "${table}" WHERE expires_at <= ?`),
    };
    const tx = db.transaction(
      (id: string, patch: SessionPatch, ttlMs: number, userId: string | undefined) => {
        const now = Date.now();
        const old = this.#sql.get.get(id, now);
        // Only a fresh session creates a record: a patch never revives a destroyed one.
        if (old === undefined && !patch.replace) return false;
        const base = old && !patch.replace ? (JSON.parse(old.data) as SessionData) : {};
        const json = JSON.stringify(applyPatch(base, patch));
        if (json === '{}') {
          this.#sql.destroy.run(id);
        } else {
          this.#sql.upsert.run(id, json, userId ?? old?.user_id ?? null, now + ttlMs);
        }
        return true;
      },
    );
    // IMMEDIATE takes the write lock before reading, so two processes can't both read the old
    // record and then overwrite each other's merge.
    this.#setTx = (id, patch, ttlMs, userId) => tx.immediate(id, patch, ttlMs, userId);
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => {
        try {
          this.#sql.sweep.run(Date.now());
        } catch {
          // A busy or broken database: the next sweep tries again, reads ignore expired rows.
        }
      }, sweepInterval * 1000);
      this.#timer.unref();
    }
  }

  async get(id: string): Promise<SessionData | undefined> {
    const row = run(() => this.#sql.get.get(id, Date.now()));
    return row && (JSON.parse(row.data) as SessionData);
  }

  async set(id: string, patch: SessionPatch, options: SetOptions): Promise<boolean> {
    const ttlMs = ttlToMs(options.ttl);
    return run(() => this.#setTx(id, patch, ttlMs, options.userId));
  }

  async destroy(id: string): Promise<void> {
    run(() => this.#sql.destroy.run(id));
  }

  async touch(id: string, ttl: number): Promise<void> {
    const ttlMs = ttlToMs(ttl);
    const now = Date.now();
    run(() => this.#sql.touch.run(now + ttlMs, id, now));
  }

  async destroyAll(userId: string): Promise<number> {
    return run(() => this.#sql.destroyAll.run(userId, Date.now()).changes);
  }

  async list(userId: string): Promise<StoredSession[]> {
    const rows = run(() => this.#sql.list.all(userId, Date.now()));
    return rows.map((row) => ({
      id: row.id,
      expiresAt: Math.floor(row.expires_at / 1000),
      meta: row.meta === null ? undefined : JSON.parse(row.meta),
    }));
  }

  async destroyOwned(userId: string, id: string): Promise<boolean> {
    return run(() => this.#sql.destroyOwned.run(id, userId, Date.now()).changes === 1);
  }

  async clear(): Promise<void> {
    run(() => this.#sql.clear.run());
  }

  /** Stops the sweep, and closes the database if the store opened it. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#ownsDb && this.#db.open) this.#db.close();
  }
}

/** Runs a database call, turning "can't use the database now" errors into StoreUnavailableError. */
function run<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Database.SqliteError && UNAVAILABLE.test(error.code)) {
      throw new StoreUnavailableError(`SQLite session store: ${error.message}`, { cause: error });
    }
    if (error instanceof TypeError && /database connection is not open/.test(error.message)) {
      throw new StoreUnavailableError('SQLite session store is closed', { cause: error });
    }
    throw error;
  }
}

import { createHash } from 'node:crypto';
import pg from 'pg';
import { ttlToMs } from '../internal/store-patch.js';
import { decodeData, decodeValue, encodeSet, isStorableText } from './postgres-json.js';
import { isTableName, type PostgresSql, postgresSql } from './postgres-sql.js';
import {
  META_KEY,
  type SessionData,
  type SessionPatch,
  type SessionStore,
  type SetOptions,
  type StoredSession,
  StoreUnavailableError,
} from './store.js';

/**
 * Options of {@link PostgresStore}: a `pool` you made (and end yourself), or a `connectionString`
 * the store makes its own pool from. With neither, the store's pool reads the `PG*` environment
 * variables (`PGHOST`, `PGUSER`, `PGDATABASE`…), as `psql` does.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = {
 *   connectionString: 'postgres://app@db.internal:5432/app',
 *   table: 'auth.sessions',
 * };
 * ```
 */
export interface PostgresStoreOptions {
  /** A `pg.Pool` you made; the store never ends it. Its own timeouts apply. */
  pool?: pg.Pool;
  /** Where to connect when no `pool` is given, e.g. `postgres://user@host:5432/db`. */
  connectionString?: string;
  /**
   * Table name, or `schema.table` (letters, digits, `_`, at most 48 each; the schema must exist).
   * Created with its indexes on first use, or by {@link PostgresStore.migrate}. Default
   * `'microdot_sessions'`.
   */
  table?: string;
  /** Seconds between sweeps of expired rows; `0` turns the sweep off. Default 60. */
  sweepInterval?: number;
  /**
   * Milliseconds a call may wait for a connection or a reply, and a statement may run on the
   * server, before the call rejects with {@link StoreUnavailableError} (the pool the store makes:
   * `connectionTimeoutMillis`, `query_timeout`, `statement_timeout`). Default 2000.
   */
  timeout?: number;
  /** Most connections of the pool the store makes. Default 10. */
  max?: number;
}

/** SQLSTATE classes that mean "the database can't answer now", not "this statement is wrong". */
const UNAVAILABLE_STATE = /^(08|53|57P0[1-4]|58|40001|40P01|55P03|57014)/;

/**
 * A {@link SessionStore} in one PostgreSQL table, through `pg` (node-postgres, an optional peer
 * dependency, major 8: install it to use this store). Any number of app servers can share it.
 *
 * Table: `id text PRIMARY KEY, data jsonb, user_id text (indexed), expires_at timestamptz
 * (indexed)`. Each call is one statement. A patch is an `UPDATE` that merges in SQL (`(data -
 * unset) || set`), so parallel patches of different keys never lose each other's change,
 * whichever server sends them; it touches no row when the session is gone, so a request in
 * flight cannot bring a destroyed session back. Only a fresh session (`replace`) inserts.
 * Expiry follows the database's clock. Expired rows are ignored when read and deleted by a
 * periodic sweep (an unref'd timer, batches of 5000).
 *
 * `jsonb` cannot hold U+0000 or a lone surrogate: a value holding one is kept as its JSON text
 * in a wrapper and restored when read, so every JSON value round-trips. A key or a user id
 * holding one is refused by `set` with a `TypeError`.
 *
 * With the database unreachable, calls reject with {@link StoreUnavailableError} (the session
 * layer answers 503) and work again as soon as it is back: the pool reconnects by itself.
 *
 * @example
 * ```ts
 * import { PostgresStore } from 'microdot-ts/stores/postgres';
 * const store = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
 * await store.migrate(); // optional: the first call creates the table too
 * await store.set('id', { set: { user: 'ana' }, unset: [] }, { ttl: 3600, userId: 'ana' });
 * await store.destroyAll('ana'); // 1
 * await store.close();
 * ```
 */
export class PostgresStore implements SessionStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #sql: PostgresSql;
  readonly #names: Record<Exclude<keyof PostgresSql, 'table' | 'migrate' | 'sweep'>, string>;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #migrated: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions = {}) {
    const { table = 'microdot_sessions', sweepInterval = 60, timeout = 2000, max = 10 } = options;
    if (typeof table !== 'string' || !isTableName(table)) {
      throw new TypeError(
        `PostgresStore: table must be a name or schema.name (letters, digits, "_", not starting with a digit, at most 48 each), got ${JSON.stringify(table)}`,
      );
    }
    if (!(Number.isFinite(sweepInterval) && sweepInterval >= 0)) {
      throw new RangeError(
        `PostgresStore: sweepInterval must be a number of seconds >= 0, got ${sweepInterval}`,
      );
    }
    if (!(Number.isFinite(timeout) && timeout > 0)) {
      throw new RangeError(`PostgresStore: timeout must be a number of ms > 0, got ${timeout}`);
    }
    if (!(Number.isInteger(max) && max > 0)) {
      throw new RangeError(`PostgresStore: max must be a whole number > 0, got ${max}`);
    }
    if (options.pool && options.connectionString !== undefined) {
      throw new TypeError('PostgresStore: give either a `pool` or a `connectionString`, not both');
    }
    this.#sql = postgresSql(table);
    // Prepared once per connection under these names; the table is part of them (as a digest:
    // PostgreSQL cuts a name to 63 bytes, and tables of up to 97 characters that differ only at
    // the end must stay apart), so two stores on two tables sharing a pool never mix their
    // statements.
    const tableDigest = createHash('sha256').update(table).digest('base64url').slice(0, 22);
    const name = (statement: string) => `microdot:${tableDigest}:${statement}`;
    this.#names = {
      get: name('get'),
      replace: name('replace'),
      patch: name('patch'),
      destroy: name('destroy'),
      touch: name('touch'),
      destroyAll: name('destroyAll'),
      list: name('list'),
      destroyOwned: name('destroyOwned'),
      clear: name('clear'),
    };
    if (options.pool) {
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else {
      const ms = Math.ceil(timeout);
      this.#pool = new pg.Pool({
        ...(options.connectionString === undefined
          ? {}
          : { connectionString: options.connectionString }),
        max,
        connectionTimeoutMillis: ms,
        query_timeout: ms,
        // The server abandons a statement its caller stopped waiting for: a write the caller
        // answered 503 for must not land behind its back.
        statement_timeout: ms,
        allowExitOnIdle: true,
      });
      this.#ownsPool = true;
    }
    // An idle connection that drops emits 'error' on the pool; the pool replaces it. Unhandled,
    // that event would end the process: the callers see the outage as rejections instead.
    this.#pool.on('error', () => {});
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => {
        this.#query(this.#sql.sweep, []).catch(() => {
          // Database down or busy: the next sweep tries again, reads ignore expired rows.
        });
      }, sweepInterval * 1000);
      this.#timer.unref();
    }
  }

  /**
   * Creates the table and its indexes if they are missing. Optional: the first call of any other
   * method does it too. Safe to run from several servers at once.
   */
  migrate(): Promise<void> {
    this.#migrated ??= this.#run(() => this.#pool.query(this.#sql.migrate)).then(
      () => {},
      (error: unknown) => {
        this.#migrated = undefined; // try again on the next call
        throw error;
      },
    );
    return this.#migrated;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const { rows } = await this.#query(this.#sql.get, [id], this.#names.get);
    const data = rows[0]?.data as SessionData | undefined;
    return data && decodeData(data);
  }

  async set(id: string, patch: SessionPatch, options: SetOptions): Promise<boolean> {
    const ttlMs = ttlToMs(options.ttl);
    const { json: data, unset: gone } = encodeSet(patch.set, patch.unset);
    const { userId = null } = options;
    if (userId !== null && !isStorableText(userId)) {
      throw new TypeError(
        `PostgresStore: the user id ${JSON.stringify(userId)} holds U+0000 or a lone surrogate, which PostgreSQL cannot store`,
      );
    }
    if (patch.replace) {
      // A fresh session with no key is no session.
      if (data === '{}') await this.destroy(id);
      else await this.#query(this.#sql.replace, [id, data, ttlMs, userId], this.#names.replace);
      return true;
    }
    const values = [id, data, ttlMs, userId, gone];
    const { rowCount } = await this.#query(this.#sql.patch, values, this.#names.patch);
    return rowCount === 1;
  }

  async destroy(id: string): Promise<void> {
    await this.#query(this.#sql.destroy, [id], this.#names.destroy);
  }

  async touch(id: string, ttl: number): Promise<void> {
    const ttlMs = ttlToMs(ttl);
    await this.#query(this.#sql.touch, [id, ttlMs], this.#names.touch);
  }

  async destroyAll(userId: string): Promise<number> {
    if (!isStorableText(userId)) return 0; // refused by set, so it owns no session
    const { rows } = await this.#query(this.#sql.destroyAll, [userId], this.#names.destroyAll);
    return Number(rows[0]?.n ?? 0);
  }

  async list(userId: string): Promise<StoredSession[]> {
    if (!isStorableText(userId)) return [];
    const { rows } = await this.#query(this.#sql.list, [userId, META_KEY], this.#names.list);
    return rows.map((row) => ({
      id: row.id as string,
      expiresAt: row.expires_at as number,
      meta: row.has_meta ? decodeValue(row.meta) : undefined,
    }));
  }

  async destroyOwned(userId: string, id: string): Promise<boolean> {
    if (!isStorableText(userId)) return false;
    const { rowCount } = await this.#query(
      this.#sql.destroyOwned,
      [userId, id],
      this.#names.destroyOwned,
    );
    return rowCount === 1;
  }

  async clear(): Promise<void> {
    await this.#query(this.#sql.clear, [], this.#names.clear);
  }

  /** Stops the sweep, and ends the pool if the store made it; a pool you passed stays open. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#ownsPool && !this.#pool.ended && !this.#pool.ending) await this.#pool.end();
  }

  /** Runs one statement once the table exists (prepared under `name` when given). */
  async #query(text: string, values: unknown[], name?: string): Promise<pg.QueryResult> {
    await this.migrate();
    return this.#run(() => this.#pool.query({ text, values, ...(name ? { name } : {}) }));
  }

  /** Runs a database call; "the database can't answer now" becomes StoreUnavailableError. */
  async #run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`PostgreSQL session store is unavailable: ${reason}`, {
        cause: error,
      });
    }
  }
}

/**
 * Whether `error` means the database could not be reached or could not answer now: a network
 * error or timeout of the client (no SQLSTATE), an ended pool, or a server state of class 08
 * (connection), 53 (resources), 57 (shutdown, cancel), 58 (system), or a conflict to retry.
 * Anything else (a bad statement, a missing schema) is a bug to see, not a 503.
 */
function isUnavailable(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return UNAVAILABLE_STATE.test(error.code ?? '');
  return error instanceof Error && !(error instanceof TypeError || error instanceof RangeError);
}

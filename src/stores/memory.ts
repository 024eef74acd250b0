import { applyPatch, metaOf, ttlToMs } from '../internal/store-patch.js';
import type {
  SessionData,
  SessionPatch,
  SessionStore,
  SetOptions,
  StoredSession,
} from './store.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const options: MemoryStoreOptions = { maxEntries: 50_000, sweepInterval: 30 };
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * Most sessions kept (default 10 000). Past it, the least recently used session without a user
   * is evicted first; a logged-in session only when every session left has a user.
   */
  maxEntries?: number;
  /** Seconds between sweeps of expired sessions; `0` turns the sweep off. Default 60. */
  sweepInterval?: number;
}

interface Entry {
  /** The data as JSON text: every read parses a fresh copy, so callers can't reach the stored one. */
  json: string;
  /** Expiry time in ms since the epoch. */
  expiresAt: number;
  userId: string | undefined;
}

/**
 * A {@link SessionStore} in the memory of ONE process: for development, tests and single-process
 * deployments. Sessions die with the process and are not shared between workers or replicas:
 * use `SqliteStore`, `RedisStore` or `PostgresStore` for those.
 *
 * Bounded: past `maxEntries` it evicts the least recently used sessions, those without a user
 * (anonymous visitors) before those with one, so a flood of anonymous sessions cannot log users
 * out. Expired sessions are dropped when read and by a periodic sweep (an unref'd timer that
 * `close()` stops).
 *
 * @example
 * ```ts
 * import { MemoryStore } from 'microdot-ts/session';
 * const store = new MemoryStore({ maxEntries: 1_000 });
 * await store.set('id', { set: { user: 'ana' }, unset: [], replace: true }, { ttl: 3600 });
 * await store.get('id'); // { user: 'ana' }
 * ```
 */
export class MemoryStore implements SessionStore {
  readonly #maxEntries: number;
  /** Sessions without a user; Map order is recency order (the first is the least recently used). */
  readonly #anonymous = new Map<string, Entry>();
  /** Sessions with a user, in recency order too. */
  readonly #named = new Map<string, Entry>();
  readonly #users = new Map<string, Set<string>>();
  readonly #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxEntries = 10_000, sweepInterval = 60 } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`MemoryStore: maxEntries must be an integer >= 1, got ${maxEntries}`);
    }
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) {
      throw new RangeError(
        `MemoryStore: sweepInterval must be a number of seconds >= 0, got ${sweepInterval}`,
      );
    }
    this.#maxEntries = maxEntries;
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => this.#sweep(), sweepInterval * 1000);
      this.#timer.unref();
    }
  }

  /** How many sessions are held, expired ones not yet swept included. */
  get size(): number {
    return this.#anonymous.size + this.#named.size;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const entry = this.#live(id);
    if (!entry) return undefined;
    this.#put(id, entry); // now the most recently used
    return JSON.parse(entry.json) as SessionData;
  }

  async set(id: string, patch: SessionPatch, options: SetOptions): Promise<boolean> {
    const ttlMs = ttlToMs(options.ttl);
    const old = this.#live(id);
    if (old === undefined && !patch.replace) return false;
    const data = applyPatch(old && !patch.replace ? JSON.parse(old.json) : {}, patch);
    // Serialise before touching the maps, so a value JSON can't hold leaves the old record whole.
    const json = JSON.stringify(data);
    this.#remove(id);
    if (json === '{}') return true;
    const userId = options.userId ?? old?.userId;
    this.#put(id, { json, expiresAt: Date.now() + ttlMs, userId });
    if (userId !== undefined) {
      const ids = this.#users.get(userId);
      if (ids) ids.add(id);
      else this.#users.set(userId, new Set([id]));
    }
    while (this.size > this.#maxEntries) {
      const victims = this.#anonymous.size > 0 ? this.#anonymous : this.#named;
      this.#remove(victims.keys().next().value!);
    }
    return true;
  }

  async destroy(id: string): Promise<void> {
    this.#remove(id);
  }

  async touch(id: string, ttl: number): Promise<void> {
    const ttlMs = ttlToMs(ttl);
    const entry = this.#live(id);
    if (entry) entry.expiresAt = Date.now() + ttlMs;
  }

  async destroyAll(userId: string): Promise<number> {
    let count = 0;
    for (const id of [...(this.#users.get(userId) ?? [])]) {
      if (this.#live(id)) count++;
      this.#remove(id);
    }
    return count;
  }

  async list(userId: string): Promise<StoredSession[]> {
    const sessions: StoredSession[] = [];
    for (const id of [...(this.#users.get(userId) ?? [])]) {
      const entry = this.#live(id);
      if (entry === undefined) continue;
      const expiresAt = Math.floor(entry.expiresAt / 1000);
      sessions.push({ id, expiresAt, meta: metaOf(JSON.parse(entry.json) as SessionData) });
    }
    return sessions;
  }

  async destroyOwned(userId: string, id: string): Promise<boolean> {
    const entry = this.#live(id);
    if (entry === undefined || entry.userId !== userId) return false;
    this.#remove(id);
    return true;
  }

  async clear(): Promise<void> {
    this.#anonymous.clear();
    this.#named.clear();
    this.#users.clear();
  }

  /** Stops the sweep timer. The sessions stay readable. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
  }

  /** The entry of `id` if it is live; an expired one is removed. */
  #live(id: string): Entry | undefined {
    const entry = this.#named.get(id) ?? this.#anonymous.get(id);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#remove(id);
      return undefined;
    }
    return entry;
  }

  /** (Re)inserts `entry` as the most recently used of its kind. */
  #put(id: string, entry: Entry): void {
    const map = entry.userId === undefined ? this.#anonymous : this.#named;
    map.delete(id);
    map.set(id, entry);
  }

  #remove(id: string): void {
    const entry = this.#named.get(id) ?? this.#anonymous.get(id);
    if (!entry) return;
    if (entry.userId === undefined) {
      this.#anonymous.delete(id);
      return;
    }
    this.#named.delete(id);
    const ids = this.#users.get(entry.userId);
    ids?.delete(id);
    if (ids?.size === 0) this.#users.delete(entry.userId);
  }

  #sweep(): void {
    const now = Date.now();
    for (const map of [this.#anonymous, this.#named]) {
      for (const [id, entry] of map) {
        if (entry.expiresAt <= now) this.#remove(id);
      }
    }
  }
}

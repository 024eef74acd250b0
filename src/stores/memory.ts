import { applyPatch, ttlToMs } from '../internal/store-patch.js';
import type { SessionData, SessionPatch, SessionStore, SetOptions } from './store.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const options: MemoryStoreOptions = { maxEntries: 50_000, sweepInterval: 30 };
 * ```
 */
export interface MemoryStoreOptions {
  /** Most sessions kept; past it the least recently used are evicted. Default 10 000. */
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
 * use `SqliteStore` or `RedisStore` for those.
 *
 * Bounded: past `maxEntries` it evicts the least recently used sessions. Expired sessions are
 * dropped when read and by a periodic sweep (an unref'd timer that `close()` stops).
 *
 * @example
 * ```ts
 * import { MemoryStore } from 'microdot-ts/session';
 * const store = new MemoryStore({ maxEntries: 1_000 });
 * await store.set('id', { set: { user: 'ana' }, unset: [] }, { ttl: 3600 });
 * await store.get('id'); // { user: 'ana' }
 * ```
 */
export class MemoryStore implements SessionStore {
  readonly #maxEntries: number;
  /** Map order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry>();
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
    return this.#entries.size;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const entry = this.#live(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return JSON.parse(entry.json) as SessionData;
  }

  async set(id: string, patch: SessionPatch, options: SetOptions): Promise<void> {
    const ttlMs = ttlToMs(options.ttl);
    const old = this.#live(id);
    const data = applyPatch(old && !patch.replace ? JSON.parse(old.json) : {}, patch);
    // Serialise before touching the maps, so a value JSON can't hold leaves the old record whole.
    const json = JSON.stringify(data);
    this.#remove(id);
    if (json === '{}') return;
    const userId = options.userId ?? old?.userId;
    this.#entries.set(id, { json, expiresAt: Date.now() + ttlMs, userId });
    if (userId !== undefined) {
      const ids = this.#users.get(userId);
      if (ids) ids.add(id);
      else this.#users.set(userId, new Set([id]));
    }
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#remove(oldest);
    }
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

  /** Stops the sweep timer. The sessions stay readable. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
  }

  /** The entry of `id` if it is live; an expired one is removed. */
  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#remove(id);
      return undefined;
    }
    return entry;
  }

  #remove(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    if (entry.userId === undefined) return;
    const ids = this.#users.get(entry.userId);
    ids?.delete(id);
    if (ids?.size === 0) this.#users.delete(entry.userId);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#remove(id);
    }
  }
}

import type { Cluster, Redis } from 'ioredis';
import { ttlToMs } from '../internal/store-patch.js';
import {
  isNodeRedisClient,
  type NodeRedisClient,
  NodeRedisConnection,
} from './node-redis-connection.js';
import { RedisConnection } from './redis-connection.js';
import type { RedisLink } from './redis-link.js';
import { setArgs, type Written } from './redis-scripts.js';
import { UserIndex } from './redis-user-index.js';
import {
  META_KEY,
  type SessionData,
  type SessionPatch,
  type SessionStore,
  type SetOptions,
  type StoredSession,
  StoreUnavailableError,
} from './store.js';

export type { NodeRedisClient } from './node-redis-connection.js';

/**
 * Options of {@link RedisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { url: 'redis://10.0.0.5:6379', prefix: 'shop:' };
 * ```
 */
export interface RedisStoreOptions {
  /**
   * A client you made (and close yourself): ioredis (`Redis` or `Cluster`), or node-redis v5
   * (`createClient({ url, disableOfflineQueue: true })`, connected by you; about half ioredis's
   * CPU per command). Without one, the store makes an ioredis client from `url`, tuned to fail
   * fast: no offline queue, one retry per request, reconnection every ≤ 1 s. An ioredis client you
   * pass keeps its own retry and timeout settings; a node-redis one must have `disableOfflineQueue:
   * true` (checked), and the store's `timeout` bounds each of its commands. Either way the store
   * rejects at once while the client is between reconnection attempts.
   */
  client?: Redis | Cluster | NodeRedisClient;
  /** Where to connect when no `client` is given. Default `'redis://127.0.0.1:6379'`. */
  url?: string;
  /** Prefix of every key the store writes. Default `'microdot:'`. */
  prefix?: string;
  /**
   * Milliseconds a call may wait for a connection or a reply before it rejects with
   * {@link StoreUnavailableError} (`connectTimeout` and `commandTimeout` of the client the store
   * makes; for a node-redis client, each command, between `timeout` and 1.125 × `timeout`).
   * Default 2000.
   */
  timeout?: number;
}

/**
 * A {@link SessionStore} in Redis (or Redis Cluster), through `ioredis`, or through a node-redis
 * v5 client you pass (`redis` on npm: about half ioredis's CPU per command; single node only).
 * Both are optional peer dependencies: install the one you use.
 *
 * Redis Cluster on paper — every command touches one slot:
 *
 * ```text
 * {prefix}s:{<id>}         HASH  data key -> JSON value      PEXPIRE ttl
 * {prefix}s:{<id>}:user    STRING  the session's user id    PEXPIRE ttl (only when it has one)
 * {prefix}uz:{u<b64>}      ZSET  the user's session ids, scored by expiry (ms)   PEXPIRE ≥ longest session + 1 min
 * ```
 *
 * `<b64>` is the user id in base64url, after a `u`: whatever the user id (empty, starting with
 * `}`, full of braces), the hash tag is never empty and holds no brace, so the index is one key
 * in one known slot.
 *
 * - The `{…}` hash tag puts the two keys of one session in one slot, so one Lua script patches
 *   the hash (DEL when replacing, HDEL, HSET), sets both TTLs and reads the owner atomically.
 *   Parallel patches of different keys never lose each other's change.
 * - The user index lives in another slot, so it is written by its own script (ZADD with the
 *   session's expiry as score, ZREMRANGEBYSCORE of the expired ids, PEXPIRE that never shortens
 *   the TTL): the index of a user who logs in every day does not grow without end, and writing
 *   it twice is harmless. A write that names its user sends that script in the same tick as
 *   the session's, ahead of it: both share one round trip, and on one connection Redis runs the
 *   index first. (On Redis Cluster they may run on two nodes side by side, as a login and a "log
 *   out everywhere" in parallel always could.) A write that names no user, and `touch`, learn
 *   the owner from the session's script, then extend the index: one round trip more.
 * - Once a write has resolved or rejected, the live session never outlives what its index
 *   covers. When the index write fails but the session's succeeded, the session's TTL is taken
 *   back to what it was (the session ends if that index never listed it), and the call rejects
 *   with the index's error. The patch itself stays: taking back a per-key patch would undo
 *   parallel ones.
 * - 0.1.0 kept a plain SET under `{prefix}u:{<userId>}`: it is still read and cleaned by
 *   `destroyAll`, `list` and `destroy` (each with single-key commands), never written, and ends
 *   with its TTL, so 0.1.0 and newer instances can run side by side during an upgrade.
 * - `destroyAll` reads the index, then deletes each session in its own slot with a script that
 *   checks the session still belongs to that user, then removes those ids from the index: no
 *   cross-slot multi-key command anywhere. `list` reads each indexed session the same way, with
 *   a script that checks its owner.
 * - A patch without `replace` on a missing session writes nothing (the `set` script checks, in
 *   the same step): a request in flight cannot revive a session that a logout destroyed.
 * - `clear` scans `{prefix}*` on every master (SCAN, then UNLINK key by key): it refuses to run
 *   with an empty prefix, which would empty the whole database.
 *
 * A store that makes its own client turns on ioredis's auto-pipelining (commands issued in the
 * same tick share one write); give `enableAutoPipelining: true` to a client of your own for the
 * same effect. A call resolves once Redis acknowledged it. With Redis unreachable, calls reject with
 * {@link StoreUnavailableError} (at once when the store made the client) and work again as soon
 * as the client has reconnected.
 *
 * @example
 * ```ts
 * import { RedisStore } from 'microdot-ts/stores/redis';
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'myapp:' });
 * await store.set('id', { set: { user: 'ana' }, unset: [], replace: true }, { ttl: 3600, userId: 'ana' });
 * await store.get('id'); // { user: 'ana' }
 * await store.close();
 * ```
 */
export class RedisStore implements SessionStore {
  readonly #conn: RedisLink;
  readonly #users: UserIndex;
  readonly #prefix: string;

  constructor(options: RedisStoreOptions = {}) {
    const { prefix = 'microdot:', timeout = 2000 } = options;
    if (typeof prefix !== 'string') throw new TypeError('RedisStore: prefix must be a string');
    if (!(Number.isFinite(timeout) && timeout > 0)) {
      throw new RangeError(`RedisStore: timeout must be a number of ms > 0, got ${timeout}`);
    }
    if (options.client && options.url) {
      throw new TypeError('RedisStore: give either a `client` or a `url`, not both');
    }
    this.#prefix = prefix;
    this.#conn = connectionFor(options.client, options.url ?? 'redis://127.0.0.1:6379', timeout);
    this.#users = new UserIndex(this.#conn, prefix);
  }

  async get(id: string): Promise<SessionData | undefined> {
    const hash = await this.#conn.hgetall(this.#dataKey(id));
    let data: SessionData | undefined;
    // Own keys only: an Object.prototype polluted elsewhere must not turn into session data.
    for (const key of Object.keys(hash)) {
      data ??= {};
      const value: unknown = JSON.parse(hash[key]!);
      // An own key, as JSON.parse makes it, never the prototype.
      if (key === '__proto__') Object.defineProperty(data, key, { value, ...OWN });
      else data[key] = value;
    }
    return data;
  }

  async set(id: string, patch: SessionPatch, options: SetOptions): Promise<boolean> {
    const ttlMs = ttlToMs(options.ttl);
    const { userId } = options;
    const sent = performance.now();
    // Issued in the same tick, the index script first: one write, one round trip for both.
    const indexing =
      userId === undefined ? undefined : failureOf(this.#users.add(userId, id, ttlMs));
    const args = setArgs(patch, ttlMs, userId);
    const reply = (await this.#conn.script('set', this.#keys(id), args)) as 0 | Written;
    const indexFailed = await indexing;
    if (reply === 0) {
      // Nothing written: take back the index entry made for it.
      if (userId !== undefined && !indexFailed) await this.#users.remove(userId, [id]);
      return false;
    }
    const [before, owner] = reply;
    if (indexFailed) return this.#takeBack(id, before, sent, indexFailed.error);
    // A patch without userId extended the owner's TTL: extend the index's too.
    if (userId === undefined && typeof owner === 'string') {
      await this.#indexAfter(owner, id, ttlMs, before, sent);
    }
    return true;
  }

  async destroy(id: string): Promise<void> {
    const owner = await this.#conn.script('destroy', this.#keys(id), []);
    if (typeof owner === 'string') await this.#users.remove(owner, [id]);
  }

  async touch(id: string, ttl: number): Promise<void> {
    const ttlMs = ttlToMs(ttl);
    const sent = performance.now();
    const touched = this.#conn.script('touch', this.#keys(id), [String(ttlMs)]);
    const [before = 0, owner] = ((await touched) as Written | null) ?? [];
    if (typeof owner === 'string') await this.#indexAfter(owner, id, ttlMs, before, sent);
  }

  async destroyAll(userId: string): Promise<number> {
    const ids = await this.#users.members(userId);
    if (ids.length === 0) return 0;
    const ended = await Promise.all(ids.map((id) => this.#destroyOwned(userId, id)));
    // Only the ids this call ended leave the index (ZREM, not DEL): an id whose session is not
    // written yet (a login in parallel indexes it too) stays, and expired ones are pruned.
    await this.#users.remove(
      userId,
      ids.filter((_, i) => ended[i]),
    );
    return ended.filter(Boolean).length;
  }

  async list(userId: string): Promise<StoredSession[]> {
    const ids = await this.#users.members(userId);
    const infos = await Promise.all(
      ids.map((id) => this.#conn.script('info', this.#keys(id), [userId, META_KEY])),
    );
    const now = Date.now();
    const sessions: StoredSession[] = [];
    ids.forEach((id, i) => {
      const info = infos[i] as [number, string] | null;
      if (!info) return;
      const [ttl, meta] = info;
      sessions.push({
        id,
        expiresAt: Math.floor((now + Number(ttl)) / 1000),
        meta: meta === '' ? undefined : JSON.parse(meta),
      });
    });
    return sessions;
  }

  async destroyOwned(userId: string, id: string): Promise<boolean> {
    const ended = await this.#destroyOwned(userId, id);
    if (ended) await this.#users.remove(userId, [id]);
    return ended;
  }

  async clear(): Promise<void> {
    if (this.#prefix === '') {
      throw new TypeError(
        'RedisStore: clear() needs a key prefix; with an empty one it would delete every key of the database',
      );
    }
    await this.#conn.unlinkMatching(`${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
  }

  /** Closes the connection if the store made the client; a client you passed stays open. */
  close(): Promise<void> {
    return this.#conn.close();
  }

  #dataKey(id: string): string {
    return `${this.#prefix}s:{${id}}`;
  }

  /** The two keys of session `id`, in one slot: its data hash and its owner. */
  #keys(id: string): [string, string] {
    const key = this.#dataKey(id);
    return [key, `${key}:user`];
  }

  /** Deletes session `id` if it (still) belongs to `userId`; whether it did. */
  async #destroyOwned(userId: string, id: string): Promise<boolean> {
    return Number(await this.#conn.script('destroyOwned', this.#keys(id), [userId])) === 1;
  }

  /** Extends `owner`'s index after a write that extended session `id`, or takes the write back. */
  async #indexAfter(
    owner: string,
    id: string,
    ttlMs: number,
    before: number,
    sent: number,
  ): Promise<void> {
    try {
      await this.#users.add(owner, id, ttlMs);
    } catch (error) {
      await this.#takeBack(id, before, sent, error);
    }
  }

  /**
   * After a write of session `id` whose index update failed: its TTL back to what the index
   * covers, what is left of the `before` ms it had at `sent` (none, so it ends, if the index never
   * listed it); then throws `error`, which is what to report even if Redis refuses this too.
   */
  async #takeBack(id: string, before: number, sent: number, error: unknown): Promise<never> {
    const left = before > 0 ? Math.max(0, Math.floor(before - (performance.now() - sent))) : 0;
    await this.#conn.script('shorten', this.#keys(id), [String(left)]).catch(() => {});
    throw error;
  }
}

/** The connection for `client`, told apart by its shape: node-redis, or ioredis (made for `url` if none). */
function connectionFor(
  client: RedisStoreOptions['client'],
  url: string,
  timeout: number,
): RedisLink {
  if (client === undefined) return new RedisConnection(undefined, url, timeout);
  if ('status' in client) return new RedisConnection(client as Redis | Cluster, url, timeout);
  if (isNodeRedisClient(client)) return new NodeRedisConnection(client, timeout);
  throw new TypeError(
    'RedisStore: `client` must be an ioredis client (Redis or Cluster) or a node-redis client made ' +
      'with createClient(); for Redis Cluster, give an ioredis Cluster (node-redis clusters, pools ' +
      'and sentinels are not supported)',
  );
}

/** The attributes of a plain data property. */
const OWN = { enumerable: true, writable: true, configurable: true } as const;

/** `undefined` once `promise` fulfils; `{ error }` if it rejects. */
function failureOf(promise: Promise<unknown>): Promise<{ error: unknown } | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
}

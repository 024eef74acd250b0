import { type Cluster, Redis } from 'ioredis';
import { ttlToMs } from '../internal/store-patch.js';
import { SCRIPTS, type ScriptName, SHAS } from './redis-scripts.js';
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
 * Options of {@link RedisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { url: 'redis://10.0.0.5:6379', prefix: 'shop:' };
 * ```
 */
export interface RedisStoreOptions {
  /**
   * A client you made (and close yourself). Without one, the store makes its own from `url`, tuned
   * to fail fast: no offline queue, one retry per request, reconnection every ≤ 1 s. A client you
   * pass keeps its own retry and timeout settings; either way the store rejects at once while the
   * client is between reconnection attempts.
   */
  client?: Redis | Cluster;
  /** Where to connect when no `client` is given. Default `'redis://127.0.0.1:6379'`. */
  url?: string;
  /** Prefix of every key the store writes. Default `'microdot:'`. */
  prefix?: string;
  /**
   * Milliseconds a call may wait for a connection or a reply before it rejects with
   * {@link StoreUnavailableError} (`connectTimeout` and `commandTimeout` of the client the store
   * makes). Default 2000.
   */
  timeout?: number;
}

/** Ids per ZREM/SREM call, to keep each command small. */
const UNINDEX_CHUNK = 1000;

/** Redis replies that mean "not now" (server loading, failing over…) rather than a bad command. */
const UNAVAILABLE_REPLY =
  /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|MISCONF)\b/;

/**
 * A {@link SessionStore} in Redis (or Redis Cluster), through `ioredis` (an optional peer
 * dependency: install it to use this store).
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
 *   the TTL), before the session: a live session is never missing from its index, and the index
 *   of a user who logs in every day does not grow without end. Writing it twice is harmless.
 *   0.1.0 kept a plain SET under `{prefix}u:{<userId>}`: it is still read and cleaned by
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
  readonly #client: Redis | Cluster;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #timeout: number;
  #lastError: unknown;
  #connecting: Promise<void> | undefined;

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
    this.#timeout = timeout;
    if (options.client) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      this.#client = new Redis(options.url ?? 'redis://127.0.0.1:6379', {
        enableOfflineQueue: false,
        // A command whose caller already got an error must not land later, after a reconnect:
        // the caller answered 503, so the write must not happen behind its back.
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * times, 1000),
        connectTimeout: timeout,
        commandTimeout: timeout,
        // The commands of every request in flight that are issued in the same tick go out in
        // one write: under load that is one syscall (on each side) for many requests instead of
        // one per command. Order on the connection is kept, so a script sent after another
        // still runs after it.
        enableAutoPipelining: true,
      });
      this.#ownsClient = true;
    }
    // Errors reach callers as rejections; keep the last one for their message (and keep ioredis
    // from logging "Unhandled error event" for every failed reconnection).
    this.#client.on('error', (error: unknown) => {
      this.#lastError = error;
    });
  }

  async get(id: string): Promise<SessionData | undefined> {
    const hash = await this.#call(() => this.#client.hgetall(this.#sessionKey(id)));
    const entries = Object.entries(hash);
    if (entries.length === 0) return undefined;
    return Object.fromEntries(entries.map(([key, json]) => [key, JSON.parse(json)]));
  }

  async set(id: string, patch: SessionPatch, options: SetOptions): Promise<boolean> {
    const ttlMs = ttlToMs(options.ttl);
    const unset = [...patch.unset];
    const pairs: string[] = [];
    for (const [key, value] of Object.entries(patch.set)) {
      const json: string | undefined = JSON.stringify(value);
      if (json === undefined) unset.push(key);
      else pairs.push(key, json);
    }
    const { userId } = options;
    if (userId !== undefined) await this.#index(userId, id, ttlMs);
    const result = await this.#script(
      'set',
      [this.#sessionKey(id), this.#ownerKey(id)],
      [
        patch.replace ? '1' : '0',
        String(ttlMs),
        userId === undefined ? '0' : '1',
        userId ?? '',
        String(unset.length),
        ...unset,
        ...pairs,
      ],
    );
    if (result === 0) {
      // Nothing written: take back the index entry made for it.
      if (userId !== undefined) await this.#unindex(userId, [id]);
      return false;
    }
    // A patch without userId extended the owner's TTL: extend the index's too.
    if (userId === undefined && typeof result === 'string') await this.#index(result, id, ttlMs);
    return true;
  }

  async destroy(id: string): Promise<void> {
    const owner = await this.#script('destroy', [this.#sessionKey(id), this.#ownerKey(id)], []);
    if (typeof owner === 'string') await this.#unindex(owner, [id]);
  }

  async touch(id: string, ttl: number): Promise<void> {
    const ttlMs = ttlToMs(ttl);
    const keys = [this.#sessionKey(id), this.#ownerKey(id)];
    const owner = await this.#script('touch', keys, [String(ttlMs)]);
    if (typeof owner === 'string') await this.#index(owner, id, ttlMs);
  }

  async destroyAll(userId: string): Promise<number> {
    const ids = await this.#members(userId);
    if (ids.length === 0) return 0;
    const ended = await Promise.all(ids.map((id) => this.#destroyOwned(userId, id)));
    // Only the ids this call ended leave the index (ZREM, not DEL): an id whose session is not
    // written yet (a login in parallel indexes it first) stays, and expired ones are pruned.
    await this.#unindex(
      userId,
      ids.filter((_, i) => ended[i]),
    );
    return ended.filter(Boolean).length;
  }

  async list(userId: string): Promise<StoredSession[]> {
    const ids = await this.#members(userId);
    const infos = await Promise.all(
      ids.map((id) =>
        this.#script('info', [this.#sessionKey(id), this.#ownerKey(id)], [userId, META_KEY]),
      ),
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
    if (ended) await this.#unindex(userId, [id]);
    return ended;
  }

  async clear(): Promise<void> {
    if (this.#prefix === '') {
      throw new TypeError(
        'RedisStore: clear() needs a key prefix; with an empty one it would delete every key of the database',
      );
    }
    const client = this.#client;
    const match = `${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const nodes: Redis[] =
      'nodes' in client && client.isCluster ? client.nodes('master') : [client as Redis];
    await this.#call(async () => {
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
          // One key per command: keys of different slots may never share one (Redis Cluster).
          await Promise.all(keys.map((key) => node.unlink(key)));
          cursor = next;
        } while (cursor !== '0');
      }
    });
  }

  /** Closes the connection if the store made the client; a client you passed stays open. */
  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    if (this.#client.status === 'ready') {
      await this.#client.quit().catch(() => this.#client.disconnect());
    } else {
      this.#client.disconnect();
    }
  }

  #sessionKey(id: string): string {
    return `${this.#prefix}s:{${id}}`;
  }

  #ownerKey(id: string): string {
    return `${this.#prefix}s:{${id}}:user`;
  }

  /** The user index: its hash tag is never empty, whatever the user id (see the class doc). */
  #userKey(userId: string): string {
    return `${this.#prefix}uz:{u${Buffer.from(userId, 'utf8').toString('base64url')}}`;
  }

  /** The SET index 0.1.0 wrote (read and cleaned, never written). */
  #legacyUserKey(userId: string): string {
    return `${this.#prefix}u:{${userId}}`;
  }

  /** The ids the user's indexes list (expired ones included: callers check each). */
  async #members(userId: string): Promise<string[]> {
    const legacy = this.#legacyUserKey(userId);
    const [ids, old] = await this.#call(() =>
      Promise.all([
        this.#client.zrange(this.#userKey(userId), '0', '-1'),
        this.#client
          .type(legacy)
          .then((type) => (type === 'set' ? this.#client.smembers(legacy) : [])),
      ]),
    );
    return [...new Set([...ids, ...old])];
  }

  /** Removes `ids` from the user's indexes (single-key commands, in chunks for long lists). */
  async #unindex(userId: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += UNINDEX_CHUNK) {
      const chunk = ids.slice(i, i + UNINDEX_CHUNK);
      await this.#call(() =>
        Promise.all([
          this.#client.zrem(this.#userKey(userId), ...chunk),
          this.#client.srem(this.#legacyUserKey(userId), ...chunk),
        ]),
      );
    }
  }

  /** Deletes session `id` if it (still) belongs to `userId`; whether it did. */
  async #destroyOwned(userId: string, id: string): Promise<boolean> {
    const keys = [this.#sessionKey(id), this.#ownerKey(id)];
    return Number(await this.#script('destroyOwned', keys, [userId])) === 1;
  }

  #index(userId: string, id: string, ttlMs: number): Promise<unknown> {
    return this.#script('index', [this.#userKey(userId)], [id, String(ttlMs)]);
  }

  /** Runs a script by its SHA1, sending its source only when Redis doesn't know it yet. */
  #script(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    return this.#call(async () => {
      try {
        return await this.#client.evalsha(SHAS[name], keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return await this.#client.eval(SCRIPTS[name], keys.length, ...keys, ...args);
      }
    });
  }

  /** Runs a command once the client is connected; "Redis can't answer" becomes StoreUnavailableError. */
  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      await this.#connected();
      return await command();
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const isReply = error instanceof Error && error.name === 'ReplyError';
      if (isReply && !UNAVAILABLE_REPLY.test(error.message)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`Redis session store is unavailable: ${reason}`, {
        cause: error,
      });
    }
  }

  /**
   * Resolves when the client is ready. While a connection attempt is under way it waits (at most
   * `timeout` ms); between attempts, or once closed, it rejects at once: no call hangs on a dead
   * Redis, and none fails just because the store was made a moment ago.
   */
  async #connected(): Promise<void> {
    const client = this.#client;
    if (client.status === 'ready') return;
    if (client.status === 'wait') client.connect().catch(() => {});
    if (!['wait', 'connecting', 'connect'].includes(client.status)) {
      throw this.#unavailable(`connection is ${client.status}`);
    }
    // One wait (and one set of listeners) shared by every call made during the attempt.
    this.#connecting ??= new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => {
        clearTimeout(timer);
        client.off('ready', onReady).off('error', done).off('close', onClose);
        this.#connecting = undefined;
        if (error === undefined) resolve();
        else reject(this.#unavailable('could not connect', error));
      };
      const onReady = () => done();
      const onClose = () => done(this.#lastError ?? new Error('connection closed'));
      const timer = setTimeout(
        () => done(new Error(`no connection after ${this.#timeout} ms`)),
        this.#timeout,
      );
      client.once('ready', onReady).once('error', done).once('close', onClose);
    });
    await this.#connecting;
  }

  #unavailable(what: string, cause: unknown = this.#lastError): StoreUnavailableError {
    const reason = cause instanceof Error ? ` (${cause.message})` : '';
    return new StoreUnavailableError(`Redis session store is unavailable: ${what}${reason}`, {
      cause,
    });
  }
}

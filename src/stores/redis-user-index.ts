// RedisStore's user index: per user, a sorted set of their session ids scored by expiry (ms),
// in its own slot (see RedisStore's key layout); and the plain SET 0.1.0 kept instead, read and
// cleaned, never written. Every command here touches one key.
import type { RedisLink } from './redis-link.js';

/** Ids per ZREM/SREM call, to keep each command small. */
const UNINDEX_CHUNK = 1000;

/**
 * The user indexes of one key prefix. What they list may be stale (expired or ended sessions,
 * ids whose session is not written yet): callers check each session's owner.
 *
 * @internal
 */
export class UserIndex {
  readonly #conn: RedisLink;
  readonly #prefix: string;

  constructor(conn: RedisLink, prefix: string) {
    this.#conn = conn;
    this.#prefix = prefix;
  }

  /**
   * Lists session `id` under `userId` until `ttlMs` from now (an id already listed longer keeps
   * its time), drops the ids whose sessions have expired, and never shortens the index's TTL.
   * Harmless to repeat.
   */
  add(userId: string, id: string, ttlMs: number): Promise<unknown> {
    return this.#conn.script('index', [this.#key(userId)], [id, String(ttlMs)]);
  }

  /** The ids the user's indexes list (expired ones included: callers check each). */
  async members(userId: string): Promise<string[]> {
    const conn = this.#conn;
    const legacy = this.#legacyKey(userId);
    const [ids, old] = (await Promise.all([
      conn.command(['ZRANGE', this.#key(userId), '0', '-1']),
      conn
        .command(['TYPE', legacy])
        .then((type) => (type === 'set' ? conn.command(['SMEMBERS', legacy]) : [])),
    ])) as [string[], string[]];
    return [...new Set([...ids, ...old])];
  }

  /** Removes `ids` from the user's indexes (single-key commands, in chunks for long lists). */
  async remove(userId: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += UNINDEX_CHUNK) {
      const chunk = ids.slice(i, i + UNINDEX_CHUNK);
      await Promise.all([
        this.#conn.command(['ZREM', this.#key(userId), ...chunk]),
        this.#conn.command(['SREM', this.#legacyKey(userId), ...chunk]),
      ]);
    }
  }

  /** The index: its hash tag is never empty, whatever the user id (see RedisStore's key layout). */
  #key(userId: string): string {
    return `${this.#prefix}uz:{u${Buffer.from(userId, 'utf8').toString('base64url')}}`;
  }

  /** The SET index 0.1.0 wrote (read and cleaned, never written). */
  #legacyKey(userId: string): string {
    return `${this.#prefix}u:{${userId}}`;
  }
}

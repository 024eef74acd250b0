/**
 * The contract between server-side sessions and the place their data live.
 *
 * A store keeps, per session id, a flat JSON object of session data. Writes are per-key patches
 * that the store applies atomically (last write wins per key): two parallel requests on one
 * session that change different keys never lose each other's change, and a patch never leaves a
 * half-written record behind.
 *
 * Only a fresh session creates a record: a patch with `replace: true`. A patch without it applies
 * to a live record only, and on a missing one (destroyed by a logout or "log out everywhere"
 * while the request was in flight, or expired) writes nothing and resolves to `false`. So a slow
 * request can never bring a destroyed session back to life.
 *
 * Ids are opaque strings chosen by the session layer (at least 128 random bits, base64url). A
 * store must not trust them beyond using them as keys. User ids are opaque strings too (any
 * text, the empty string included).
 *
 * The session layer keeps what it knows about a session (created, last seen, browser, address)
 * in the data key {@link META_KEY}; the store treats it as any other key, and
 * {@link SessionStore.list} reports it.
 *
 * Errors: a store that cannot reach its backend rejects with {@link StoreUnavailableError}; the
 * session layer turns that into a 503 for the requests that need a session.
 *
 * The behavioural suite every store must pass is `test/stores/store-contract.ts`.
 *
 * @example
 * ```ts
 * import type { SessionStore } from 'microdot-ts/session';
 * class MyStore implements SessionStore { ... }
 * ```
 */
export interface SessionStore {
  /** The data of the live session `id`, or `undefined` when there is none (absent or expired). */
  get(id: string): Promise<SessionData | undefined>;
  /**
   * Applies `patch` to session `id` atomically and sets its time to live; resolves to whether it
   * did. With `patch.replace`, the record is created, or its keys not in `patch.set` dropped
   * first. Without it, a missing (or expired) record is left missing: nothing is written, and
   * the call resolves to `false`. A record whose patch leaves no key is removed.
   */
  set(id: string, patch: SessionPatch, options: SetOptions): Promise<boolean>;
  /** Destroys session `id` at once; a copied cookie that names it is dead from then on. */
  destroy(id: string): Promise<void>;
  /** Extends the time to live of session `id`, if it still exists. */
  touch(id: string, ttl: number): Promise<void>;
  /** Destroys every session of `userId` ("log out everywhere"); resolves to how many it ended. */
  destroyAll(userId: string): Promise<number>;
  /**
   * The live sessions of `userId`: each one's id, expiry, and the value of its
   * {@link META_KEY} data key (`undefined` when it has none). In no particular order.
   */
  list(userId: string): Promise<StoredSession[]>;
  /**
   * Destroys session `id` only if it belongs to `userId` (a handle from another user's listing
   * ends nothing); resolves to whether it ended a live session.
   */
  destroyOwned(userId: string, id: string): Promise<boolean>;
  /**
   * Destroys every session this store holds (its own key prefix or table only, never anything
   * else on a shared server).
   */
  clear(): Promise<void>;
  /** Releases connections and timers. Optional. */
  close?(): Promise<void>;
}

/** The session data as the store keeps them: a flat JSON object. */
export type SessionData = Record<string, unknown>;

/**
 * The data key under which the session layer keeps a session's {@link SessionMeta}. It is a
 * reserved key: application data cannot use it.
 */
export const META_KEY = '_meta';

/**
 * What the session layer records about a session for listing it (ASVS 5.0 V7.5.2), kept in the
 * data under {@link META_KEY}. Times are epoch seconds.
 */
export interface SessionMeta {
  createdAt: number;
  /** Written at most once a minute, so that reads stay reads. */
  lastSeenAt: number;
  /** The `User-Agent` the session was created with, at most 256 characters. */
  userAgent?: string;
  /** The client address the session was created from. */
  ip?: string;
}

/** One session of a user, as {@link SessionStore.list} reports it. */
export interface StoredSession {
  id: string;
  /** When the session expires, in epoch seconds. */
  expiresAt: number;
  /** The value of the session's {@link META_KEY} data key, if it has one. */
  meta: unknown;
}

/** A per-key change to a session's data. */
export interface SessionPatch {
  /** Keys to write (JSON values). */
  set: SessionData;
  /** Keys to remove. */
  unset: readonly string[];
  /** A fresh session: create the record, or drop every key not in `set` before writing. */
  replace?: boolean;
}

/** Options of {@link SessionStore.set}. */
export interface SetOptions {
  /** Time to live in seconds (> 0). */
  ttl: number;
  /**
   * The user this session belongs to, indexed for {@link SessionStore.destroyAll} and
   * {@link SessionStore.list}. A later patch without it keeps the user; with another, it moves.
   */
  userId?: string;
}

/** A store's backend cannot be reached; the session layer answers 503. */
export class StoreUnavailableError extends Error {
  readonly code = 'ERR_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

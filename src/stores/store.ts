/**
 * The contract between server-side sessions and the place their data live.
 *
 * A store keeps, per session id, a flat JSON object of session data. Writes are per-key patches
 * that the store applies atomically (last write wins per key): two parallel requests on one
 * session that change different keys never lose each other's change, and a patch never leaves a
 * half-written record behind.
 *
 * Ids are opaque strings chosen by the session layer (at least 128 random bits, base64url). A
 * store must not trust them beyond using them as keys.
 *
 * Errors: a store that cannot reach its backend rejects with {@link StoreUnavailableError}; the
 * session layer turns that into a 503 for the requests that need a session.
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
   * Applies `patch` to session `id` atomically, creating it when absent, and sets its time to live.
   * With `patch.replace`, the keys not in `patch.set` are dropped first.
   */
  set(id: string, patch: SessionPatch, options: SetOptions): Promise<void>;
  /** Destroys session `id` at once; a copied cookie that names it is dead from then on. */
  destroy(id: string): Promise<void>;
  /** Extends the time to live of session `id`, if it still exists. */
  touch(id: string, ttl: number): Promise<void>;
  /** Destroys every session of `userId` ("log out everywhere"); resolves to how many it ended. */
  destroyAll(userId: string): Promise<number>;
  /** Releases connections and timers. Optional. */
  close?(): Promise<void>;
}

/** The session data as the store keeps them: a flat JSON object. */
export type SessionData = Record<string, unknown>;

/** A per-key change to a session's data. */
export interface SessionPatch {
  /** Keys to write (JSON values). */
  set: SessionData;
  /** Keys to remove. */
  unset: readonly string[];
  /** Drop every key not in `set` before writing. */
  replace?: boolean;
}

/** Options of {@link SessionStore.set}. */
export interface SetOptions {
  /** Time to live in seconds (> 0). */
  ttl: number;
  /** The user this session belongs to, indexed for {@link SessionStore.destroyAll}. */
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

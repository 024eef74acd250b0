/**
 * Throttling of failed logins (ASVS 5.0 V6.3.1, credential stuffing): at most `limit` failures
 * per user name and per client address within `window` seconds, then a wait.
 *
 * Each attempt is a record of a `SessionStore` (a MemoryStore of its own by default; give it the
 * session's Redis, SQLite or PostgreSQL store and every instance shares them), living `window`
 * seconds and indexed under its counter as a session is under its user; a counter's value is
 * how many live records it lists. An attempt is written before it is counted and before the
 * password is checked, and no write touches another's record: however many guesses arrive at
 * once, at most `limit` of them get a password check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HTTPException } from '../http-exception.js';
import type { Request } from '../request.js';
import { MemoryStore } from '../stores/memory.js';
import { type SessionStore, StoreUnavailableError } from '../stores/store.js';
import { AuthConfigError, checkKnownOptions } from './errors.js';

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Failures allowed per user name, and per client address, within `window` (default 5). */
  limit?: number;
  /** The window, in seconds (default 900: 15 minutes). */
  window?: number;
  /** Where the counters live (default: a MemoryStore of its own, for one process). */
  store?: SessionStore;
  /** The client's key (default `req.clientAddr`); behind a proxy, give the real client's address. */
  clientKey?: (req: Request) => string;
}

/** The verdict on one login attempt. */
export interface ThrottleAttempt {
  /** Whether the password may be checked. */
  readonly allowed: boolean;
  /** When not allowed: seconds until an attempt may be allowed again (for `Retry-After`). */
  readonly retryAfter: number;
  /** Call when the password was right: the user name's failures are forgotten. */
  succeeded(): Promise<void>;
}

const KNOWN = ['limit', 'window', 'store', 'clientKey'] as const;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * The counter of a user name or client: the store's "user" its attempt records are indexed by.
 * A hash, so any user name gives a fixed-size key that no application user id looks like.
 */
function counterKey(kind: string, key: string): string {
  const hash = createHash('sha256').update(`${kind}\0${key}`).digest('base64url');
  return `microdot-ts:login-throttle:${kind}:${hash}`;
}

/** A user name as counted: case and compatibility forms folded, so `Ana` and `ana` share one. */
function userKey(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

/**
 * Limits failed logins per user name and per client address.
 *
 * @example
 * ```ts
 * import { LoginThrottle, verifyPassword } from 'microdot-ts/auth';
 * const throttle = new LoginThrottle({ limit: 5, window: 15 * 60, store: sessionStore });
 *
 * app.post('/login', async (req) => {
 *   const name = req.form?.get('name') ?? '';
 *   const attempt = await throttle.attempt(req, name);
 *   if (!attempt.allowed) return ['Too many attempts', 429, { 'Retry-After': String(attempt.retryAfter) }];
 *   const user = await checkPassword(name, req.form?.get('password') ?? '');
 *   if (!user) return ['Wrong name or password', 401];
 *   await attempt.succeeded();
 *   return login.loginUser(req, user);
 * });
 * ```
 */
export class LoginThrottle {
  /** Failures allowed per key within the window. */
  readonly limit: number;
  /** The window, in seconds. */
  readonly window: number;
  readonly #store: SessionStore;
  readonly #clientKey: (req: Request) => string;

  /** @throws AuthConfigError for an unknown option or a limit or window that is not a positive integer. */
  constructor(options: LoginThrottleOptions = {}) {
    checkKnownOptions('LoginThrottle', options, KNOWN);
    const {
      limit = 5,
      window = 900,
      store,
      clientKey = (req: Request) => req.clientAddr,
    } = options;
    for (const [name, value] of [
      ['limit', limit],
      ['window', window],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new AuthConfigError(
          `LoginThrottle: ${name} must be an integer >= 1, got ${String(value)}`,
        );
      }
    }
    if (typeof clientKey !== 'function') {
      throw new AuthConfigError('LoginThrottle: clientKey must be a function (req) => string');
    }
    this.limit = limit;
    this.window = window;
    this.#store = store ?? new MemoryStore();
    this.#clientKey = clientKey;
  }

  /**
   * Records an attempt to log in as `username` from `req`'s client, and says whether it may go
   * on. An allowed attempt counts as a failure until {@link ThrottleAttempt.succeeded} is called;
   * a refused one is not counted (a locked-out attacker does not extend the wait).
   */
  async attempt(req: Request, username: string): Promise<ThrottleAttempt> {
    try {
      return await this.#attempt(req, username);
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        throw new HTTPException(503, { message: 'Login throttle store unavailable', cause: err });
      }
      throw err;
    }
  }

  async #attempt(req: Request, username: string): Promise<ThrottleAttempt> {
    const keys = [
      counterKey('user', userKey(String(username))),
      counterKey('client', this.#clientKey(req)),
    ];
    const now = nowSeconds();
    const marks = await Promise.all(keys.map((key) => this.#mark(key, now)));
    const counts = await Promise.all(keys.map((key) => this.#count(key, now)));
    const blocked = counts.filter((c) => c.count > this.limit);
    if (blocked.length > 0) {
      const store = this.#store;
      await Promise.all(marks.map((id) => store.destroy(id)));
      const retryAfter = Math.max(1, ...blocked.map((c) => c.firstExpiry - now));
      return { allowed: false, retryAfter, succeeded: async () => {} };
    }
    const [userCounter] = keys as [string, string];
    const [, clientMark] = marks as [string, string];
    return {
      allowed: true,
      retryAfter: 0,
      succeeded: async () => {
        await this.#store.destroyAll(userCounter);
        await this.#store.destroy(clientMark);
      },
    };
  }

  /** Writes one attempt as a record of its own under counter `key`; resolves to its id. */
  async #mark(key: string, now: number): Promise<string> {
    const id = randomBytes(18).toString('base64url');
    await this.#store.set(
      id,
      { set: { at: now }, unset: [], replace: true },
      { ttl: this.window, userId: key },
    );
    return id;
  }

  /** The live attempts under counter `key`, and when the oldest of them expires. */
  async #count(key: string, now: number): Promise<{ count: number; firstExpiry: number }> {
    const live = await this.#store.list(key);
    const firstExpiry = Math.min(now + this.window, ...live.map((s) => s.expiresAt));
    return { count: live.length, firstExpiry };
  }
}

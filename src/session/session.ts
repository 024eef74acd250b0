import type { MicrodotBase } from '../app.js';
import type { Request } from '../request.js';
import type { SessionStore } from '../stores/store.js';
import type { CookieOptions } from '../utils/cookie.js';
import { nowSeconds } from './claims.js';
import { SessionContext } from './context.js';
import { decryptToken, encryptToken, isEncryptedToken } from './jwe.js';
import type { SecretInput } from './keyring.js';
import type { SessionOptions } from './options.js';
import type { SessionDict } from './session-dict.js';
import { StoreMode } from './store-mode.js';
import { signToken, verifyToken } from './token.js';

/**
 * The session of a request, as a value when it can be had at once (cookie mode, no async
 * validation) and as a promise otherwise. Internal: `withSession` uses it to keep handlers of
 * signed-cookie sessions off the promise path. Never exported from the package.
 *
 * @internal
 */
export const kLoad = Symbol('microdot-ts.session.load');

const sessions = new WeakMap<MicrodotBase, Session>();

/** The Session attached to `app` (by `new Session(app)` or `initialize`), if any. */
export function sessionOf(app: MicrodotBase): Session | undefined {
  return sessions.get(app);
}

/**
 * User sessions, as Microdot's `microdot.session.Session`: the data live in a cookie named
 * `session`, as a JWT signed with HS256 (readable by a Python Microdot service with the same
 * key), or, with a `store`, server-side behind a signed session id.
 *
 * @example
 * ```ts
 * import { Microdot } from 'microdot-ts';
 * import { Session, withSession } from 'microdot-ts/session';
 *
 * const app = new Microdot();
 * new Session(app, { secretKey: process.env.SECRET_KEY });
 * app.get('/', withSession((req, session) => `Hello, ${session.user ?? 'stranger'}`));
 * ```
 */
export class Session {
  readonly #ctx: SessionContext;

  /**
   * @param app The application; may be given later with {@link Session.initialize}.
   * @param options The secret key, cookie options and the rest of {@link SessionOptions}.
   */
  constructor(app?: MicrodotBase | null, options: SessionOptions = {}) {
    this.#ctx = new SessionContext(options);
    if (app) sessions.set(app, this);
  }

  /**
   * Attaches the session to `app` (application-factory style), optionally setting the secret
   * key and other options.
   */
  initialize(app: MicrodotBase, options: SessionOptions = {}): this {
    if (Object.keys(options).length > 0) this.#ctx.reconfigure(options);
    sessions.set(app, this);
    return this;
  }

  /** Whether the data live server-side in a store. */
  get usesStore(): boolean {
    return this.#ctx.options.store !== undefined;
  }

  /**
   * The session of `req`: the data of a valid cookie, or an empty session when there is no
   * cookie or it fails verification for any reason. Cached for the request: two calls give the
   * same object. Rejects only when no secret key is configured, or (503) when the store is down.
   */
  get<T extends object = Record<string, unknown>>(req: Request): Promise<SessionDict<T>> {
    try {
      return Promise.resolve(this[kLoad]<T>(req));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * {@link Session.get}, but the dictionary itself when it is ready at once (signed or encrypted
   * cookie, no store, no `validate`). Throws when no secret key is configured.
   *
   * @internal
   */
  [kLoad]<T extends object = Record<string, unknown>>(
    req: Request,
  ): SessionDict<T> | Promise<SessionDict<T>> {
    this.#ctx.requireRing();
    return this.#ctx.stateOf(req).load() as SessionDict<T> | Promise<SessionDict<T>>;
  }

  /**
   * Encodes `data` now and arranges for this request's response to carry it in the session
   * cookie (Microdot's `update`; normally called through `session.save()`). Only runs if the
   * handler succeeds; the last `save()`/`delete()` of a request wins.
   *
   * @throws SecretKeyNotConfiguredError when no secret key is set.
   * @throws SessionTooLargeError when the cookie would pass `maxCookieSize` (4096 bytes).
   * @throws SessionError when a data key is reserved (`save`, `delete`, `exp`, …).
   */
  update(req: Request, data: object): void {
    this.#ctx.requireRing();
    this.#ctx.stateOf(req).update(data);
  }

  /**
   * Arranges for this request's response to remove the session cookie (and, with a store, to
   * destroy the session's record at once, so a copied cookie is dead).
   */
  delete(req: Request): void {
    this.#ctx.stateOf(req).delete();
  }

  /** Ends every session of `userId` in the store ("log out everywhere"); resolves to how many. */
  async destroyAll(userId: string): Promise<number> {
    const mode = this.#ctx.mode;
    if (!(mode instanceof StoreMode)) {
      throw new TypeError('destroyAll needs a server-side store: signed cookies cannot be revoked');
    }
    return mode.destroyAll(userId);
  }

  // The API for extensions (microdot-ts/login and the like): what they need of the session
  // without reaching into it. Each method is small, documented and covered by their tests.

  /**
   * The Session attached to the application serving `req` (or to the mounted sub-application
   * whose route matched), or `undefined`.
   *
   * @example
   * ```ts
   * const session = Session.of(req) ?? abort(500, 'no session configured');
   * ```
   */
  static of(req: Request): Session | undefined {
    return sessionOf(req.app) ?? (req.subapp === undefined ? undefined : sessionOf(req.subapp));
  }

  /** The store the data live in (`undefined` in cookie mode). */
  get store(): SessionStore | undefined {
    return this.#ctx.options.store;
  }

  /**
   * `claims` as a token under the newest key of the ring, as session cookies are made: a JWS
   * HS256 that PyJWT reads with the same key, or a JWE when `encrypt` (default: as the session).
   * For tokens of an extension's own, such as login's remember-me cookie.
   *
   * @throws SecretKeyNotConfiguredError when no secret key is set.
   */
  encodeToken(claims: Record<string, unknown>, options: { encrypt?: boolean } = {}): string {
    const key = this.#ctx.requireRing().current;
    const encrypt = options.encrypt ?? this.#ctx.options.encrypt;
    return encrypt ? encryptToken(claims, key) : signToken(claims, key);
  }

  /**
   * The claims of a token made by {@link Session.encodeToken} (or by PyJWT with a key of the
   * ring), signed or encrypted, or `undefined` when it fails verification or its `exp` has
   * passed (with the session's `clockSkew`). Never throws for what a client sent.
   */
  decodeToken(token: string): Record<string, unknown> | undefined {
    const ring = this.#ctx.requireRing();
    const result = isEncryptedToken(token) ? decryptToken(token, ring) : verifyToken(token, ring);
    if (!result.ok) return undefined;
    const exp = result.payload.exp;
    if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) return undefined;
    if (typeof exp === 'number' && exp <= nowSeconds() - this.#ctx.options.clockSkew)
      return undefined;
    return result.payload;
  }

  /**
   * The session cookie's attributes for `req` (Path, HttpOnly, SameSite, Domain, and Secure over
   * https): what a companion cookie, such as login's remember-me cookie, should carry too.
   */
  cookieAttributes(req: Request): CookieOptions {
    return { ...this.#ctx.cookieAttributes(req) };
  }

  /**
   * When the request's session began (its `auth_time` claim, epoch seconds): set by the login
   * that made it (`regenerate()`), kept across renewals. `undefined` before the session was
   * read with {@link Session.get}, for a new session, or for a token without the claim (Python
   * Microdot's).
   */
  authTime(req: Request): number | undefined {
    return this.#ctx.stateOf(req).claims.auth_time;
  }
}

export type { SecretInput };

import type { MicrodotBase } from '../app.js';
import type { Request } from '../request.js';
import type { SessionStore } from '../stores/store.js';
import type { CookieOptions } from '../utils/set-cookie.js';
import { checkTimes, nowSeconds, type SessionClaims } from './claims.js';
import { SessionContext } from './context.js';
import { SessionError } from './errors.js';
import type { SecretInput } from './keyring.js';
import type { SessionOptions } from './options.js';
import type { SessionDict } from './session-dict.js';
import type { SessionInfo } from './session-info.js';
import { StoreMode } from './store-mode.js';

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
    if (app) this.#attach(app);
  }

  /** Attaches to `app`; `startServer`/`run` then refuse to start without a secret key. */
  #attach(app: MicrodotBase): void {
    if (sessions.get(app) !== this)
      app.onStartup(() => {
        this.#ctx.requireRing();
      });
    sessions.set(app, this);
  }

  /**
   * Attaches the session to `app` (application-factory style), optionally setting the secret
   * key and other options.
   */
  initialize(app: MicrodotBase, options: SessionOptions = {}): this {
    if (Object.keys(options).length > 0) this.#ctx.reconfigure(options);
    this.#attach(app);
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

  /**
   * Ends every session of `userId` in the store ("log out everywhere", ASVS 5.0 V7.4.2); resolves
   * to how many. `42` and `'42'` are the same user.
   *
   * @throws SessionError (`ERR_SESSION_NO_STORE`) in cookie mode: rotate the key ring instead.
   */
  async destroyAll(userId: string | number): Promise<number> {
    return this.#storeMode('destroyAll').users.destroyAll(userId);
  }

  /**
   * The live sessions of `userId`, most recently seen first (ASVS 5.0 V7.5.2), for a "your
   * sessions" page. Each has an opaque `handle` for {@link Session.destroySession}.
   *
   * @throws SessionError (`ERR_SESSION_NO_STORE`) in cookie mode, which cannot list sessions.
   * @example
   * ```ts
   * const here = await session.currentHandle(req);
   * const rows = (await session.listSessions(userId)).map((s) => ({ ...s, current: s.handle === here }));
   * ```
   */
  async listSessions(userId: string | number): Promise<SessionInfo[]> {
    return this.#storeMode('listSessions').users.listSessions(userId);
  }

  /**
   * The handle (as in {@link Session.listSessions}) of the session `req` came with, or
   * `undefined` when it has none.
   *
   * @throws SessionError (`ERR_SESSION_NO_STORE`) in cookie mode.
   */
  async currentHandle(req: Request): Promise<string | undefined> {
    const mode = this.#storeMode('currentHandle');
    this.#ctx.requireRing();
    return mode.currentHandle(this.#ctx.stateOf(req));
  }

  /**
   * Ends the session `handle` of `userId` ("log out that device"), and the records it links
   * ({@link Session.linkRecord}); resolves to whether it did. A handle of another user's session
   * ends nothing.
   *
   * @throws SessionError (`ERR_SESSION_NO_STORE`) in cookie mode.
   */
  async destroySession(userId: string | number, handle: string): Promise<boolean> {
    return this.#storeMode('destroySession').users.destroySession(userId, handle);
  }

  /**
   * Ends every session (and store record) of the request's user except the request's own (ASVS
   * 5.0 V7.4.3: call it after a password change); resolves to how many sessions. The records the
   * request's session links ({@link Session.linkRecord}) end too, and are unlinked: a copy of
   * such a record's token (this device's remember-me cookie, stolen) must not survive. With
   * `microdot-ts/login`, use `Login.logoutOthers`, which gives this device a new one.
   *
   * @throws SessionError (`ERR_SESSION_NO_STORE`) in cookie mode.
   */
  async destroyOthers(req: Request): Promise<number> {
    const mode = this.#storeMode('destroyOthers');
    this.#ctx.requireRing();
    return mode.users.destroyOthers(this.#ctx.stateOf(req));
  }

  /**
   * Ties record `id` of the store (one an extension keeps, as `microdot-ts/login` the holder records
   * of its remember-me tokens) to the request's session under `name`; `undefined` unties it. Ending the session
   * (`delete()`, `destroySession`, another session's `destroyOthers`, a `maxSessionsPerUser`
   * eviction) ends the record too, as does this session's own `destroyOthers` (which unlinks it);
   * regenerating keeps the link. Index the record under the
   * session's user (`SetOptions.userId`) for `destroyAll`. Written at the end of the request.
   *
   * @throws SessionError (`ERR_SESSION_NO_STORE`) in cookie mode; TypeError for an empty name or id.
   */
  async linkRecord(req: Request, name: string, id: string | undefined): Promise<void> {
    const mode = this.#storeMode('linkRecord');
    this.#ctx.requireRing();
    return mode.linkRecord(this.#ctx.stateOf(req), name, id);
  }

  /**
   * Ends every session in the store, every user's (ASVS 5.0 V7.4.5). In cookie mode, remove the
   * key from the ring instead.
   *
   * @throws SessionError (`ERR_SESSION_NO_STORE`) in cookie mode.
   */
  async clear(): Promise<void> {
    return this.#storeMode('clear').users.clear();
  }

  /** The configured store, or `undefined` in cookie mode (for extensions that keep records of their own). */
  get store(): SessionStore | undefined {
    return this.#ctx.options.store;
  }

  /**
   * The session cookie's attributes for `req` (Path, Domain, HttpOnly, SameSite, and Secure over
   * https), so another cookie can be set with the same ones. A copy: changing it changes nothing.
   *
   * @example
   * ```ts
   * res.setCookie('remember', token, { ...session.cookieAttributes(req), maxAge: 30 * 86400 });
   * ```
   */
  cookieAttributes(req: Request): CookieOptions {
    return { ...this.#ctx.cookieAttributes(req) };
  }

  /**
   * A token of `claims` made with the session's key ring: signed (HS256, as the session cookie),
   * or encrypted when the session `encrypt`s. Set `exp` for it to expire. A token the session
   * accepts as its own cookie too, so do not give it data keys a session would trust.
   *
   * @throws SecretKeyNotConfiguredError when no secret key is set.
   * @example
   * ```ts
   * const token = session.issueToken({ user_id: 42, days: 30, exp: now + 30 * 86400 });
   * ```
   */
  issueToken(claims: Record<string, unknown>): string {
    const ring = this.#ctx.requireRing();
    return this.#ctx.encode({ ...claims }, ring.current);
  }

  /**
   * The claims of a token made by {@link Session.issueToken} (or any token signed or encrypted
   * with a key of the ring), or `undefined` when it fails: bad signature, unknown key, malformed,
   * `exp` past, `iat` or `nbf` in the future (with the `clockSkew` allowance). The session's
   * lifetimes do not apply.
   *
   * @throws SecretKeyNotConfiguredError when no secret key is set.
   */
  verifyToken(token: string): Record<string, unknown> | undefined {
    if (typeof token !== 'string' || token === '') return undefined;
    const result = this.#ctx.check(token);
    if (!result.ok) return undefined;
    const failure = checkTimes(result.payload, this.#ctx.options.clockSkew, nowSeconds());
    return failure === undefined ? result.payload : undefined;
  }

  /**
   * The time claims of the request's session (`iat`, `exp`, `auth_time`), read from its cookie;
   * empty when it has no valid session. For re-authentication by age: `auth_time` is when the
   * user last logged in.
   */
  async tokenClaims(req: Request): Promise<SessionClaims> {
    await this.get(req);
    const { iat, exp, auth_time } = this.#ctx.stateOf(req).claims;
    const claims: SessionClaims = {};
    if (iat !== undefined) claims.iat = iat;
    if (exp !== undefined) claims.exp = exp;
    if (auth_time !== undefined) claims.auth_time = auth_time;
    return claims;
  }

  /**
   * The Session attached to the application serving `req` (or to the mounted sub-application
   * whose route matched), or `undefined`: how an extension such as `microdot-ts/login` finds it.
   *
   * @example
   * ```ts
   * const session = Session.of(req) ?? abort(500, 'no session configured');
   * ```
   */
  static of(req: Request): Session | undefined {
    return sessionOf(req.app) ?? (req.subapp === undefined ? undefined : sessionOf(req.subapp));
  }

  #storeMode(method: string): StoreMode {
    const mode = this.#ctx.mode;
    if (mode instanceof StoreMode) return mode;
    throw new SessionError(
      `${method} needs a server-side store (the store option): cookie sessions live only in ` +
        'the browser, so they cannot be listed or ended one by one. To end every cookie ' +
        'session, remove their key from the ring.',
      'ERR_SESSION_NO_STORE',
    );
  }
}

export type { SecretInput, SessionClaims };

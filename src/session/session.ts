import type { MicrodotBase } from '../app.js';
import type { Request } from '../request.js';
import { SessionContext } from './context.js';
import type { SecretInput } from './keyring.js';
import type { SessionOptions } from './options.js';
import type { SessionDict } from './session-dict.js';
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
}

export type { SecretInput };

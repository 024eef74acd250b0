import type { Handler } from '../app.js';
import { HTTPException } from '../http-exception.js';
import type { Request } from '../request.js';
import { type Response, redirect } from '../response.js';
import { Session, type SessionDict, StoreUnavailableError } from '../session/index.js';
import { wraps } from '../wraps.js';
import { encodeNext, isSafeNext } from './next-url.js';
import { REMEMBER_COOKIE, RememberMe, type UserId, validDays } from './remember.js';

/** A user: any object with an `id` (a string or a number). */
export interface LoginUser {
  id: string | number;
}

/** Options of {@link Login}. */
export interface LoginOptions {
  /** Where `required` and `fresh` send a visitor who must log in (default `/login`). */
  loginUrl?: string;
  /**
   * Called when a remember-me token that was already used is presented again (store mode): two
   * parties held it, so every session and remember token of `userId` has just been ended. Tell
   * the user, log it.
   */
  onRememberReuse?: (req: Request, userId: string | number) => void | Promise<void>;
}

/** Options of {@link Login.loginUser}. */
export interface LoginUserOptions {
  /** Remember the login after the session ends: `true` for 30 days, or a number of days. */
  remember?: boolean | number;
  /** Where to go when the request has no safe `next` query argument (default `/`). */
  redirectUrl?: string;
}

/** Options of {@link Login.fresh}. */
export interface FreshOptions {
  /** Also require that the user logged in (with a password) at most this many seconds ago. */
  maxAge?: number;
}

/** The session keys of a login, as Microdot's (so the two share logins). */
const USER_KEY = '_user_id';
const FRESH_KEY = '_fresh';

type LoginData = { _user_id?: unknown; _fresh?: unknown };

/** Invalid options of {@link Login}, or a Login used without a Session. */
export class LoginConfigError extends Error {
  /** Always `'ERR_LOGIN_CONFIG'`. */
  readonly code = 'ERR_LOGIN_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'LoginConfigError';
  }
}

const KNOWN = ['loginUrl', 'onRememberReuse'];

/**
 * User logins on top of sessions, as Microdot's `microdot.login.Login`: the session keeps the
 * user's id (`_user_id`) and whether the login was typed in (`_fresh`); `required` and `fresh`
 * guard routes; a "remember me" cookie (`_remember`) restores a login after the session ends.
 * Beyond Microdot: `loginUser` regenerates the session (no session fixation) and follows only a
 * `next` on this site (no open redirect); the remember cookie has the session cookie's
 * attributes and, with a store, is revocable, single-use and detects theft; `fresh` can require
 * a recent password (`maxAge`).
 *
 * @example
 * ```ts
 * import { Login } from 'microdot-ts/login';
 *
 * const login = new Login<User>({ loginUrl: '/login' });
 * login.userLoader(async (id) => users.get(id));
 * app.get('/', login.required(async (req) => `Hello, ${(await login.currentUser(req))!.name}`));
 * app.post('/login', async (req) => {
 *   const user = await checkPassword(req.form);
 *   return user ? login.loginUser(req, user, { remember: req.form?.has('remember') }) : [form, 400];
 * });
 * ```
 */
export class Login<User extends LoginUser = LoginUser> {
  /** Where visitors who must log in are sent. */
  readonly loginUrl: string;
  #loader:
    | ((id: User['id']) => User | undefined | null | Promise<User | undefined | null>)
    | undefined;
  readonly #remember: RememberMe;
  readonly #onReuse: LoginOptions['onRememberReuse'];
  /** The user of each request, once known (`undefined`: nobody). */
  readonly #users = new WeakMap<Request, User | undefined>();

  /** @throws LoginConfigError for an unknown option or a login URL with CR/LF. */
  constructor(options: LoginOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!KNOWN.includes(key)) {
        throw new LoginConfigError(`Login: unknown option "${key}" (known: ${KNOWN.join(', ')})`);
      }
    }
    const { loginUrl = '/login', onRememberReuse } = options;
    if (typeof loginUrl !== 'string' || loginUrl === '' || /[\u0000-\u0020\u007f]/.test(loginUrl)) {
      throw new LoginConfigError(
        `Login: loginUrl must be a URL without spaces or control characters, such as '/login'; got ${JSON.stringify(loginUrl)}`,
      );
    }
    this.loginUrl = loginUrl;
    this.#remember = new RememberMe();
    this.#onReuse = onRememberReuse;
  }

  /**
   * Sets how a user is loaded from the id kept in the session (Microdot's `@login.user_loader`);
   * `undefined` or `null` means "no such user": not logged in.
   */
  userLoader(
    loader: (id: User['id']) => User | undefined | null | Promise<User | undefined | null>,
  ): this {
    if (typeof loader !== 'function')
      throw new LoginConfigError('userLoader() needs a function (id) => user');
    this.#loader = loader;
    return this;
  }

  /**
   * The logged-in user of `req`, or `undefined`; also set as `req.g.currentUser`. Restores a
   * login from the remember-me cookie when the session has none (a new session, not fresh).
   */
  async currentUser(req: Request): Promise<User | undefined> {
    if (this.#users.has(req)) return this.#users.get(req);
    const loader = this.#loader;
    if (loader === undefined) {
      throw new LoginConfigError('Login: call userLoader((id) => user) before serving requests');
    }
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    let id: unknown = dict[USER_KEY];
    if (!isUserId(id)) id = await guard(() => this.#restoreFromCookie(req, session, dict));
    const found = isUserId(id) ? await loader(id as User['id']) : undefined;
    const user = found ?? undefined;
    this.#users.set(req, user);
    req.g.currentUser = user;
    return user;
  }

  /**
   * Logs `user` in (after the application has checked the credentials) and answers with a
   * redirect: to the request's `next` query argument when it is a path on this site, else to
   * `redirectUrl`. The session is regenerated (a new `iat` and `auth_time`, and a new id with a
   * store), so a session planted before the login is worth nothing after it.
   */
  async loginUser(req: Request, user: User, options: LoginUserOptions = {}): Promise<Response> {
    const { remember = false, redirectUrl = '/' } = options;
    if (!isUserId(user?.id)) {
      throw new TypeError('loginUser: the user must have an id, a string or a number');
    }
    const days = remember === true ? 30 : remember === false ? undefined : validDays(remember);
    if (remember !== true && remember !== false && days === undefined) {
      throw new RangeError(
        `loginUser: remember must be true, false or a number of days (0 < days <= 3650), got ${String(remember)}`,
      );
    }
    const next = nextOf(req);
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    const previous = req.cookie(REMEMBER_COOKIE);
    await guard(async () => {
      if (previous !== undefined) {
        // The same user confirming their password (for `fresh`) keeps their remember cookie;
        // a remember cookie of someone else's login must not outlive this one.
        if (days === undefined && this.#remember.belongsTo(session, previous, user.id)) return;
        await this.#remember.revoke(session, previous);
      }
      if (days !== undefined) {
        const token = await this.#remember.issue(session, user.id, days);
        this.#remember.cookie(session, req, token, days);
      } else if (previous !== undefined) {
        this.#remember.cookie(session, req, undefined);
      }
    });
    dict[USER_KEY] = user.id;
    dict[FRESH_KEY] = true;
    dict.regenerate();
    dict.save();
    this.#users.set(req, user);
    req.g.currentUser = user;
    return redirect(isSafeNext(next) ? next : redirectUrl);
  }

  /**
   * Logs the user out: removes `_user_id` and `_fresh` from the session (which is regenerated,
   * so its old id is dead), removes the remember-me cookie and, with a store, ends its record.
   */
  async logoutUser(req: Request): Promise<void> {
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    delete dict[USER_KEY];
    delete dict[FRESH_KEY];
    dict.regenerate();
    dict.save();
    const token = req.cookie(REMEMBER_COOKIE);
    if (token !== undefined) {
      await guard(() => this.#remember.revoke(session, token));
      this.#remember.cookie(session, req, undefined);
    }
    this.#users.set(req, undefined);
    req.g.currentUser = undefined;
  }

  /**
   * Wraps `handler` so that it runs only for a logged-in user; anyone else is redirected (302)
   * to `loginUrl?next=<this path and query>` (Microdot's `@login`).
   */
  required<P>(handler: Handler<P>): Handler<P> {
    return wraps(async (req: Request, params: P) => {
      const user = await this.currentUser(req);
      if (user === undefined) return this.#toLogin(req);
      return handler(req, params);
    }, handler);
  }

  /**
   * Wraps `handler` so that it runs only for a login typed in during this session, not one
   * restored from the remember-me cookie (Microdot's `@login.fresh`); with `maxAge`, only when
   * that login was at most `maxAge` seconds ago (re-authentication for changing a password or an
   * email address, ASVS 5.0 7.5.1). Anyone else goes to the login page.
   */
  fresh<P>(handler: Handler<P>, options: FreshOptions = {}): Handler<P> {
    const { maxAge } = options;
    if (
      maxAge !== undefined &&
      !(typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge > 0)
    ) {
      throw new LoginConfigError(
        `Login.fresh: maxAge must be a number of seconds > 0, got ${String(maxAge)}`,
      );
    }
    return wraps(async (req: Request, params: P) => {
      const user = await this.currentUser(req);
      if (user === undefined) return this.#toLogin(req);
      const session = sessionFor(req);
      const dict = await session.get<LoginData>(req);
      if (dict[FRESH_KEY] !== true) return this.#toLogin(req);
      if (maxAge !== undefined) {
        const authTime = (await session.tokenClaims(req)).auth_time;
        if (authTime === undefined || Math.floor(Date.now() / 1000) - authTime > maxAge)
          return this.#toLogin(req);
      }
      return handler(req, params);
    }, handler);
  }

  #toLogin(req: Request): Response {
    const separator = this.loginUrl.includes('?') ? '&' : '?';
    return redirect(`${this.loginUrl}${separator}next=${encodeNext(req.url)}`);
  }

  /** The user id restored from the remember-me cookie (a new, not fresh, session), if any. */
  async #restoreFromCookie(
    req: Request,
    session: Session,
    dict: SessionDict<LoginData>,
  ): Promise<UserId | undefined> {
    const token = req.cookie(REMEMBER_COOKIE);
    if (token === undefined) return undefined;
    const outcome = await this.#remember.restore(session, token);
    if (outcome.kind !== 'user') {
      this.#remember.cookie(session, req, undefined);
      if (outcome.kind === 'theft') {
        await session.destroyAll(String(outcome.userId));
        await this.#onReuse?.(req, outcome.userId);
      }
      return undefined;
    }
    this.#remember.cookie(session, req, outcome.token, outcome.days);
    dict[USER_KEY] = outcome.userId;
    dict[FRESH_KEY] = false;
    dict.regenerate();
    dict.save();
    return outcome.userId;
  }
}

function isUserId(value: unknown): value is UserId {
  return (
    (typeof value === 'string' && value !== '') ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** The `next` query argument; a malformed query string counts as none (not a 400 at login). */
function nextOf(req: Request): string | undefined {
  try {
    return req.args.get('next');
  } catch {
    return undefined;
  }
}

function sessionFor(req: Request): Session {
  const session = Session.of(req);
  if (session === undefined) {
    throw new LoginConfigError(
      'Login needs a Session attached to the app: new Session(app, { secretKey })',
    );
  }
  return session;
}

/** Runs store calls of the remember-me cookie; an unreachable store is a 503, as for sessions. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new HTTPException(503, { message: 'Session store unavailable', cause: err });
    }
    throw err;
  }
}

import type { Handler } from '../app.js';
import type { Request } from '../request.js';
import { type Response, redirect } from '../response.js';
import type { Session, SessionDict } from '../session/index.js';
import { storeCall } from '../session/store-call.js';
import { requireFresh, requireLogin } from './guards.js';
import {
  FRESH_KEY,
  isUserId,
  type LoginData,
  nextOf,
  sessionFor,
  USER_KEY,
} from './login-session.js';
import { type LogoutOthersOptions, logoutOthers } from './logout-others.js';
import { isSafeNext } from './next-url.js';
import {
  checkLoginOptions,
  type FreshOptions,
  type Loader,
  LoginConfigError,
  type LoginOptions,
  type LoginUser,
  type LoginUserOptions,
} from './options.js';
import { REMEMBER_COOKIE, RememberMe } from './remember.js';
import { validDays } from './remember-record.js';
import { type LoginParts, restoreFromCookie } from './restore.js';
import { sameVersion, UserVersions, VERSION_KEY } from './user-version.js';

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
  #loader: Loader<User> | undefined;
  readonly #remember: RememberMe;
  /** The `userVersion` check, when asked for. */
  readonly #versions: UserVersions<User> | undefined;
  /** The two above and the theft callback, as restoring from the remember cookie needs them. */
  readonly #parts: LoginParts<User>;
  /** The user of each request, once known (`undefined`: nobody). */
  readonly #users = new WeakMap<Request, User | undefined>();

  /** @throws LoginConfigError for an unknown option, a login URL with CR/LF, or a non-function. */
  constructor(options: LoginOptions<User> = {}) {
    const { loginUrl, onRememberReuse, userVersion, statelessRemember } =
      checkLoginOptions(options);
    this.loginUrl = loginUrl;
    this.#remember = new RememberMe(statelessRemember);
    this.#versions = userVersion && new UserVersions(userVersion);
    this.#parts = { remember: this.#remember, versions: this.#versions, onReuse: onRememberReuse };
  }

  /**
   * Sets how a user is loaded from the id kept in the session (Microdot's `@login.user_loader`);
   * `undefined` or `null` means "no such user": not logged in.
   */
  userLoader(loader: Loader<User>): this {
    if (typeof loader !== 'function')
      throw new LoginConfigError('userLoader() needs a function (id) => user');
    this.#loader = loader;
    return this;
  }

  /**
   * The logged-in user of `req`, or `undefined`; also set as `req.g.currentUser`. Restores a
   * login from the remember-me cookie when the session has none (a new session, not fresh).
   * With `userVersion`, a session or remember token made for another version of the user is
   * logged out (its login keys removed, the session regenerated, the remember cookie revoked).
   */
  async currentUser(req: Request): Promise<User | undefined> {
    if (this.#users.has(req)) return this.#users.get(req);
    const loader = this.#loader;
    if (loader === undefined) {
      throw new LoginConfigError('Login: call userLoader((id) => user) before serving requests');
    }
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    const id = dict[USER_KEY];
    let user: User | undefined;
    if (isUserId(id)) {
      user = (await loader(id as User['id'])) ?? undefined;
      if (user !== undefined && !(await sameVersion(this.#versions, user, dict[VERSION_KEY]))) {
        user = undefined;
        await this.#logOut(req, session, dict);
      }
    } else {
      user = await storeCall(() => restoreFromCookie(req, session, dict, loader, this.#parts));
    }
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
    const version = await this.#versions?.require(user, 'loginUser');
    const next = nextOf(req);
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    const previous = req.cookie(REMEMBER_COOKIE);
    await storeCall(async () => {
      // So that a later destroyAll is seen by the check of stateless remember tokens.
      if (session.store) await this.#remember.stateless.watch(session.store, user.id);
      if (previous !== undefined) {
        // The same user confirming their password (for `fresh`) keeps their remember cookie:
        // as it is when this session was their login (it links the token's holder), else with
        // a holder of its own for this new session (a stale session of the device, whose cookie
        // the browser lost, links the old one: ending it must not end this device's token). A
        // remember cookie of someone else's login (or of an older version), or one revoked,
        // must not outlive this one.
        const mine =
          days === undefined && this.#remember.belongsTo(session, previous, user.id, version);
        if (mine && String(dict[USER_KEY]) === String(user.id) && isUserId(dict[USER_KEY]))
          return this.#remember.link(session, req, previous);
        const kept = mine
          ? await this.#remember.rehold(session, req, previous, user.id, version)
          : undefined;
        if (kept?.token === previous) return;
        if (kept !== undefined) return this.#remember.cookie(session, req, kept.token, kept.days);
        await this.#remember.revoke(session, previous);
      }
      if (days !== undefined) {
        const token = await this.#remember.issue(session, user.id, days, version);
        await this.#remember.cookie(session, req, token, days);
      } else if (previous !== undefined) {
        await this.#remember.cookie(session, req, undefined);
      }
    });
    dict[USER_KEY] = user.id;
    dict[FRESH_KEY] = true;
    if (version === undefined) delete dict[VERSION_KEY];
    else dict[VERSION_KEY] = version;
    dict.regenerate();
    dict.save();
    this.#users.set(req, user);
    req.g.currentUser = user;
    return redirect(isSafeNext(next) ? next : redirectUrl);
  }

  /**
   * Keeps this request's login after the version of its user changed (`userVersion`; Django's
   * `update_session_auth_hash`): call it once the new password is saved. The session gets the
   * new version (and is regenerated), and this browser's remember cookie is renewed with it;
   * every other session and remember token of the user, made for the old version, is logged
   * out at its next request. Call it in a handler whose login was checked before the version
   * changed (`required`, `fresh`, or `currentUser` called first): otherwise the login is checked
   * now, against the new version, and a session made for the old one is logged out. Resolves to
   * `false`, changing nothing else, when `req` is not (or no longer) logged in as `user`.
   *
   * @throws LoginConfigError when Login has no `userVersion`.
   * @example
   * ```ts
   * await users.setPasswordHash(user.id, await hashPassword(password));
   * await login.updateUserVersion(req, (await users.byId(user.id))!);
   * ```
   */
  async updateUserVersion(req: Request, user: User): Promise<boolean> {
    const versions = this.#versions;
    if (versions === undefined) {
      throw new LoginConfigError(
        'Login.updateUserVersion needs the userVersion option: new Login({ userVersion: (user) => user.passwordHash })',
      );
    }
    const version = await versions.require(user, 'updateUserVersion');
    // Only a login this request has checked moves to the new version: `currentUser` (or
    // `required`/`fresh`) must have found it valid before the version changed. Checked only now,
    // against the new version, a session made for the old one is refused (and logged out), as
    // every stale session must be, instead of being upgraded.
    const current = this.#users.has(req) ? this.#users.get(req) : await this.currentUser(req);
    if (current === undefined || String(current.id) !== String(user?.id)) return false;
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    const id = dict[USER_KEY];
    if (!isUserId(id) || String(id) !== String(user?.id)) return false;
    dict[VERSION_KEY] = version;
    dict.regenerate();
    dict.save();
    const token = this.#remember.pending(req) ?? req.cookie(REMEMBER_COOKIE);
    const claims = token === undefined ? undefined : session.verifyToken(token);
    if (token !== undefined && this.#remember.belongsTo(session, token, user.id)) {
      const days = validDays(claims?.days) ?? 30;
      await storeCall(async () => {
        await this.#remember.revoke(session, token);
        const renewed = await this.#remember.issue(session, user.id, days, version);
        await this.#remember.cookie(session, req, renewed, days);
      });
    }
    this.#users.set(req, user);
    req.g.currentUser = user;
    return true;
  }

  /**
   * "Log out everywhere else" (ASVS 5.0 V7.5.2): ends every other session and every remember-me
   * token of the request's user (`session.destroyOthers`), this device's remember token too, so
   * that no copy of any of them (a stolen cookie, used or not) logs anyone in. This device stays
   * logged in and, when it was remembered, is remembered anew: a new token (a new record, as many
   * days) in its `_remember` cookie, set on this response; its old token's record stays as a
   * marker, so that an older generation of it shown later is still theft. Only for a fresh login
   * (typed in during this session; guard the route with `fresh`), unless `requireFresh: false`.
   * Resolves to how many sessions ended (0 when nobody is logged in).
   *
   * @throws LoginNotFreshError (`ERR_LOGIN_NOT_FRESH`) for a login restored from the remember
   * cookie; SessionError (`ERR_SESSION_NO_STORE`) in cookie mode.
   * @example
   * ```ts
   * app.post('/sessions/others', login.fresh(async (req) => {
   *   await login.logoutOthers(req);
   *   return redirect('/sessions');
   * }, { maxAge: 600 }));
   * ```
   */
  async logoutOthers(req: Request, options: LogoutOthersOptions = {}): Promise<number> {
    return logoutOthers(req, await this.currentUser(req), this.#remember, options);
  }

  /**
   * Logs the user out: removes `_user_id` and `_fresh` from the session (which is regenerated,
   * so its old id is dead), removes the remember-me cookie and, with a store, ends its record.
   */
  async logoutUser(req: Request): Promise<void> {
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    await this.#logOut(req, session, dict);
    this.#users.set(req, undefined);
    req.g.currentUser = undefined;
  }

  /**
   * Wraps `handler` so that it runs only for a logged-in user; anyone else is redirected (302)
   * to `loginUrl?next=<this path and query>` (Microdot's `@login`).
   */
  required<P>(handler: Handler<P>): Handler<P> {
    return requireLogin(this, handler);
  }

  /**
   * Wraps `handler` so that it runs only for a login typed in during this session, not one
   * restored from the remember-me cookie (Microdot's `@login.fresh`); with `maxAge`, only when
   * that login was at most `maxAge` seconds ago (re-authentication for changing a password or an
   * email address, ASVS 5.0 7.5.1). Anyone else goes to the login page.
   */
  fresh<P>(handler: Handler<P>, options: FreshOptions = {}): Handler<P> {
    return requireFresh(this, handler, options);
  }

  /** Removes the login from the session (regenerated) and revokes the remember cookie. */
  async #logOut(req: Request, session: Session, dict: SessionDict<LoginData>): Promise<void> {
    const id = dict[USER_KEY];
    // Stateless remember tokens cannot be revoked one by one: every one of the user's, until now.
    if (session.store && isUserId(id))
      await storeCall(() => this.#remember.stateless.revokeAll(session.store!, id));
    delete dict[USER_KEY];
    delete dict[FRESH_KEY];
    delete dict[VERSION_KEY];
    dict.regenerate();
    dict.save();
    const tokens = new Set([req.cookie(REMEMBER_COOKIE), this.#remember.pending(req)]);
    tokens.delete(undefined);
    if (tokens.size === 0) return this.#remember.link(session, req, undefined);
    await storeCall(async () => {
      for (const token of tokens) await this.#remember.revoke(session, token as string);
    });
    await this.#remember.cookie(session, req, undefined);
  }
}

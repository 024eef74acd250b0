// The options of microdot-ts/login, their checks, and its configuration error.
import type { Request } from '../request.js';
import type { StatelessRemember } from './stateless-remember.js';

/** A user: any object with an `id` (a string or a number). */
export interface LoginUser {
  id: string | number;
}

/** How a user is loaded from the id kept in the session; `undefined` or `null`: no such user. */
export type Loader<User extends LoginUser> = (
  id: User['id'],
) => User | undefined | null | Promise<User | undefined | null>;

/** What {@link LoginOptions.userVersion} may give: a version, or nothing (fail closed). */
export type UserVersion = string | number | undefined;

/** Options of {@link Login}. */
export interface LoginOptions<User extends LoginUser = LoginUser> {
  /** Where `required` and `fresh` send a visitor who must log in (default `/login`). */
  loginUrl?: string;
  /**
   * Called when a remember-me token that was already used is presented again (store mode): two
   * parties held it, so every session and remember token of `userId` has just been ended. Tell
   * the user, log it.
   */
  onRememberReuse?: (req: Request, userId: string | number) => void | Promise<void>;
  /**
   * Ties each login to the current version of its user (Django's session auth hash): a value
   * that changes when the account is recreated under a reused id or when its password changes,
   * such as the password hash, or a random stamp the application renews. `loginUser` keeps a
   * digest of it in the session (`_user_v`) and in the remember-me token; a session or token
   * whose digest is missing or differs is logged out when the user is loaded. An empty string
   * or `undefined` is no version: nobody can log in as that user. Default: none (Microdot's
   * behaviour; a session is tied to the user id alone).
   */
  userVersion?: (user: User) => UserVersion | Promise<UserVersion>;
  /**
   * Store mode: what to do with a remember token that names no record (Python Microdot's, from
   * a service with the same key, or ours issued before the app had a store). `'accept'` (the
   * default, for interop with Python Microdot) honours it once (shown again later, it is theft),
   * and refuses it once the user's "not before" time passed its issue time (moved by logout,
   * `logoutOthers`, `destroyAll`, `destroyOthers`). `'refuse'` honours none: when no Python
   * service shares the key and no cookie-mode tokens are still around. Cookie mode ignores it.
   */
  statelessRemember?: StatelessRemember;
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

/** Invalid options of {@link Login}, or a Login used without a Session. */
export class LoginConfigError extends Error {
  /** Always `'ERR_LOGIN_CONFIG'`. */
  readonly code = 'ERR_LOGIN_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'LoginConfigError';
  }
}

const KNOWN = ['loginUrl', 'onRememberReuse', 'userVersion', 'statelessRemember'];

/** The options of a Login, checked: an unknown option, a bad URL or a non-function throws. */
export function checkLoginOptions<User extends LoginUser>(
  options: LoginOptions<User>,
): Required<Pick<LoginOptions<User>, 'loginUrl' | 'statelessRemember'>> & LoginOptions<User> {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      throw new LoginConfigError(`Login: unknown option "${key}" (known: ${KNOWN.join(', ')})`);
    }
  }
  const { loginUrl = '/login', onRememberReuse, userVersion } = options;
  if (typeof loginUrl !== 'string' || loginUrl === '' || /[\u0000-\u0020\u007f]/.test(loginUrl)) {
    throw new LoginConfigError(
      `Login: loginUrl must be a URL without spaces or control characters, such as '/login'; got ${JSON.stringify(loginUrl)}`,
    );
  }
  for (const [name, value] of [
    ['onRememberReuse', onRememberReuse],
    ['userVersion', userVersion],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new LoginConfigError(
        name === 'userVersion'
          ? 'Login: userVersion must be a function (user) => a value that changes with the password, e.g. (user) => user.passwordHash'
          : 'Login: onRememberReuse must be a function (req, userId) => void',
      );
    }
  }
  const { statelessRemember = 'accept' } = options;
  if (statelessRemember !== 'accept' && statelessRemember !== 'refuse') {
    throw new LoginConfigError(
      `Login: statelessRemember must be 'accept' or 'refuse', got ${JSON.stringify(statelessRemember)}`,
    );
  }
  return { ...options, loginUrl, statelessRemember };
}

/** `maxAge` of `Login.fresh`, checked: a number of seconds > 0, or `undefined`. */
export function checkMaxAge(maxAge: unknown): number | undefined {
  if (maxAge === undefined || (typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge > 0))
    return maxAge;
  throw new LoginConfigError(
    `Login.fresh: maxAge must be a number of seconds > 0, got ${String(maxAge)}`,
  );
}

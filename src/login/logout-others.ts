// "Log out everywhere else" (Login.logoutOthers): ends every other session and remember token of
// the request's user, and remembers this device anew. Only for a fresh login unless the caller
// opts out: a login restored from a stolen remember cookie must not evict its victim.
import type { Request } from '../request.js';
import { storeCall } from '../session/store-call.js';
import { FRESH_KEY, type LoginData, sessionFor, type UserId } from './login-session.js';
import { LoginConfigError } from './options.js';
import { REMEMBER_COOKIE, type RememberMe } from './remember.js';
import { refOf } from './remember-record.js';
import { replaceLater } from './remember-replaced.js';
import { VERSION_KEY } from './user-version.js';

/** Options of {@link Login.logoutOthers}. */
export interface LogoutOthersOptions {
  /**
   * Refuse (throw {@link LoginNotFreshError}) a login that was not typed in during this session,
   * one restored from the remember-me cookie (default `true`). A thief who restored from a stolen
   * cookie would otherwise log its victim out everywhere and keep a new remember token. Pass
   * `false` only where the route re-authenticates in another way.
   */
  requireFresh?: boolean;
}

/** `Login.logoutOthers` for a login that is not fresh, without `requireFresh: false`. */
export class LoginNotFreshError extends Error {
  /** Always `'ERR_LOGIN_NOT_FRESH'`. */
  readonly code = 'ERR_LOGIN_NOT_FRESH';
  constructor(message: string) {
    super(message);
    this.name = 'LoginNotFreshError';
  }
}

/** Login.logoutOthers for the request's `user` (`undefined`: nobody logged in). */
export async function logoutOthers(
  req: Request,
  user: { id: UserId } | undefined,
  remember: RememberMe,
  options: LogoutOthersOptions,
): Promise<number> {
  const { requireFresh = true } = options ?? {};
  if (typeof requireFresh !== 'boolean')
    throw new LoginConfigError('logoutOthers: requireFresh must be true or false');
  const session = sessionFor(req);
  const dict = await session.get<LoginData>(req);
  if (user !== undefined && requireFresh && dict[FRESH_KEY] !== true) {
    throw new LoginNotFreshError(
      'logoutOthers: this login was restored from the remember-me cookie, not typed in: wrap the route in login.fresh(…) so that the user logs in again, or pass { requireFresh: false } if it re-authenticates another way',
    );
  }
  const token = remember.pending(req) ?? req.cookie(REMEMBER_COOKIE);
  const version = typeof dict[VERSION_KEY] === 'string' ? dict[VERSION_KEY] : undefined;
  const store = session.store;
  let days: number | undefined;
  let mark = async () => {};
  if (user !== undefined && token !== undefined && store !== undefined) {
    await storeCall(async () => {
      days = await remember.liveDays(session, req, token, user.id, version);
      const rid = days === undefined ? undefined : refOf(session.verifyToken(token)!)?.rid;
      if (rid !== undefined) mark = await replaceLater(store, rid, user.id);
    });
  }
  const ended = await session.destroyOthers(req);
  if (user !== undefined && store !== undefined)
    await storeCall(() => remember.stateless.revokeAll(store, user.id));
  if (user === undefined || days === undefined) return ended;
  const remembered = days;
  await storeCall(async () => {
    // Its record ended with the others; written back as a marker, older generations of it stay
    // theft (remember-replaced.ts).
    await mark();
    const renewed = await remember.issue(session, user.id, remembered, version);
    await remember.cookie(session, req, renewed, remembered);
  });
  return ended;
}

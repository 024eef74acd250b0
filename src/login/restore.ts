// A login restored from the remember-me cookie, when the session has none: a new session, not
// fresh. The user is loaded before the token is used, so the token of a user who no longer
// exists, or of another version of them, is revoked rather than renewed; a token used twice
// (theft) ends every session of its user.
import type { Request } from '../request.js';
import type { Session, SessionDict } from '../session/index.js';
import { FRESH_KEY, isUserId, type LoginData, USER_KEY } from './login-session.js';
import type { Loader, LoginOptions, LoginUser } from './options.js';
import { REMEMBER_COOKIE, type RememberMe } from './remember.js';
import { versionOf } from './remember-token.js';
import { sameVersion, type UserVersions, VERSION_KEY } from './user-version.js';

/** What a Login restores with: its remember-me tokens, its user versions, its theft callback. */
export interface LoginParts<User extends LoginUser> {
  readonly remember: RememberMe;
  /** The `userVersion` check, when asked for. */
  readonly versions: UserVersions<User> | undefined;
  readonly onReuse: LoginOptions['onRememberReuse'];
}

/** The user restored from the remember-me cookie of `req` (a new, not fresh, session), if any. */
export async function restoreFromCookie<User extends LoginUser>(
  req: Request,
  session: Session,
  dict: SessionDict<LoginData>,
  loader: Loader<User>,
  parts: LoginParts<User>,
): Promise<User | undefined> {
  const token = req.cookie(REMEMBER_COOKIE);
  if (token === undefined) return undefined;
  const remember = parts.remember;
  const claims = session.verifyToken(token);
  const id = claims?.user_id;
  const user = isUserId(id) ? ((await loader(id as User['id'])) ?? undefined) : undefined;
  const version = claims === undefined ? undefined : versionOf(claims);
  if (user === undefined || !(await sameVersion(parts.versions, user, version))) {
    await remember.revoke(session, token);
    await remember.cookie(session, req, undefined);
    return undefined;
  }
  const outcome = await remember.restore(session, token);
  if (outcome.kind !== 'user') {
    await remember.cookie(session, req, undefined);
    if (outcome.kind === 'theft') {
      await session.destroyAll(String(outcome.userId));
      await parts.onReuse?.(req, outcome.userId);
    }
    return undefined;
  }
  await remember.cookie(session, req, outcome.token, outcome.days, true);
  dict[USER_KEY] = outcome.userId;
  dict[FRESH_KEY] = false;
  if (parts.versions === undefined || version === undefined) delete dict[VERSION_KEY];
  else dict[VERSION_KEY] = version;
  dict.regenerate();
  dict.save();
  return user;
}

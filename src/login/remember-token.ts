// The claims of a remember token (see remember.ts): Microdot's `user_id`, `days` and `exp`, the
// user's version digest, and, with a store, where it points (`rid`, `gen`, `hid`).
import type { Session } from '../session/index.js';
import type { UserId } from './login-session.js';
import type { Ref } from './remember-record.js';
import { VERSION_CLAIM } from './user-version.js';

/** A remember token: Microdot's claims, the version digest, and (with a store) where it points. */
export function tokenOf(
  session: Session,
  userId: UserId,
  days: number,
  exp: number,
  version: string | undefined,
  ref?: Ref,
): string {
  const claims: Record<string, unknown> = { user_id: userId, days, exp };
  if (version !== undefined) claims[VERSION_CLAIM] = version;
  if (ref !== undefined) Object.assign(claims, ref);
  return session.issueToken(claims);
}

/** The version digest a token carries, if any. */
export function versionOf(claims: Record<string, unknown>): string | undefined {
  const version = claims[VERSION_CLAIM];
  return typeof version === 'string' ? version : undefined;
}

// How microdot-ts/login keeps a login in the session, and reaches the session and its store.
import type { Request } from '../request.js';
import { Session } from '../session/index.js';
import { LoginConfigError } from './options.js';

/** The session keys of a login, as Microdot's (so the two share logins). */
export const USER_KEY = '_user_id';
export const FRESH_KEY = '_fresh';

/** What a login keeps in the session (`_user_v`: see user-version.ts). */
export type LoginData = { _user_id?: unknown; _fresh?: unknown; _user_v?: unknown };

/** A user id as the session and the remember token keep it. */
export type UserId = string | number;

/** Whether `value` is a user id: a non-empty string or a finite number. */
export function isUserId(value: unknown): value is UserId {
  return (
    (typeof value === 'string' && value !== '') ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** The `next` query argument; a malformed query string counts as none (not a 400 at login). */
export function nextOf(req: Request): string | undefined {
  try {
    return req.args.get('next');
  } catch {
    return undefined;
  }
}

/** The Session of `req`'s app; a Login without one is a configuration error. */
export function sessionFor(req: Request): Session {
  const session = Session.of(req);
  if (session === undefined) {
    throw new LoginConfigError(
      'Login needs a Session attached to the app: new Session(app, { secretKey })',
    );
  }
  return session;
}

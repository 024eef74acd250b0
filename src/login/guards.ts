// The route wrappers of a Login (Microdot's `@login` and `@login.fresh`): the handler runs for a
// logged-in user (for `fresh`, one who typed the login in, recently enough); anyone else is
// redirected to the login page, with where they were going as `next`.
import type { Handler } from '../app.js';
import type { Request } from '../request.js';
import { type Response, redirect } from '../response.js';
import { wraps } from '../wraps.js';
import { FRESH_KEY, type LoginData, sessionFor } from './login-session.js';
import { encodeNext } from './next-url.js';
import { checkMaxAge, type FreshOptions } from './options.js';

/** What the guards need of a Login: who is logged in on a request, where the others go. */
interface Guarded {
  readonly loginUrl: string;
  /** The user logged in on `req`, `undefined` for nobody. */
  currentUser(req: Request): Promise<unknown>;
}

/** `handler`, run only for a logged-in user; anyone else goes to the login page. */
export function requireLogin<P>(login: Guarded, handler: Handler<P>): Handler<P> {
  return wraps(async (req: Request, params: P) => {
    const user = await login.currentUser(req);
    if (user === undefined) return toLoginPage(login.loginUrl, req);
    return handler(req, params);
  }, handler);
}

/**
 * `handler`, run only for a login typed in during this session (and, with `maxAge`, at most that
 * many seconds ago); anyone else goes to the login page.
 */
export function requireFresh<P>(
  login: Guarded,
  handler: Handler<P>,
  options: FreshOptions,
): Handler<P> {
  const maxAge = checkMaxAge(options.maxAge);
  return wraps(async (req: Request, params: P) => {
    const user = await login.currentUser(req);
    if (user === undefined) return toLoginPage(login.loginUrl, req);
    const session = sessionFor(req);
    const dict = await session.get<LoginData>(req);
    if (dict[FRESH_KEY] !== true) return toLoginPage(login.loginUrl, req);
    if (maxAge !== undefined) {
      const authTime = (await session.tokenClaims(req)).auth_time;
      if (authTime === undefined || Math.floor(Date.now() / 1000) - authTime > maxAge)
        return toLoginPage(login.loginUrl, req);
    }
    return handler(req, params);
  }, handler);
}

/** The redirect to `loginUrl`, with the request's path and query as `next`. */
function toLoginPage(loginUrl: string, req: Request): Response {
  const separator = loginUrl.includes('?') ? '&' : '?';
  return redirect(`${loginUrl}${separator}next=${encodeNext(req.url)}`);
}

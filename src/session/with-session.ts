import type { Handler, HandlerResult } from '../handler.js';
import type { Request } from '../request.js';
import { wraps } from '../wraps.js';
import { SessionConfigError } from './errors.js';
import { kLoad, sessionOf } from './session.js';
import type { SessionDict } from './session-dict.js';

/**
 * Wraps a handler so it is called as `(req, session, params)`, with the request's session
 * (Microdot's `with_session`). It does not save: call `session.save()` (or enable `autoSave`).
 *
 * @example
 * ```ts
 * app.get('/', withSession<{ user?: string }>((req, session) => `Hello, ${session.user ?? 'stranger'}!`));
 * ```
 *
 * On a route with URL arguments, type the session parameter instead of passing a type argument:
 * TypeScript infers all of a call's type arguments or none, so `withSession<Data>(…)` would
 * leave the arguments untyped, while this keeps them inferred from the pattern:
 * ```ts
 * app.get('/hello/<name>', withSession((req, session: SessionDict<Data>, { name }) => name));
 * ```
 */
export function withSession<
  T extends object = Record<string, unknown>,
  P = Record<string, unknown>,
>(
  handler: (
    req: Request,
    session: SessionDict<T>,
    params: P,
  ) => HandlerResult | Promise<HandlerResult>,
): Handler<P> {
  // Not async: a signed-cookie session is ready at once, so a handler that returns a plain value
  // stays on the application's synchronous path. `wraps`: marks on `handler` (csrf.exempt) stay
  // visible through this wrapper.
  const wrapper: Handler<P> = (req, params) => {
    const session =
      sessionOf(req.app) ?? (req.subapp === undefined ? undefined : sessionOf(req.subapp));
    if (session === undefined) {
      throw new SessionConfigError(
        'withSession needs a Session attached to the app: new Session(app, { secretKey }) or session.initialize(app)',
      );
    }
    const dict = session[kLoad]<T>(req);
    return dict instanceof Promise
      ? dict.then((ready) => handler(req, ready, params))
      : handler(req, dict, params);
  };
  return wraps(wrapper, handler);
}

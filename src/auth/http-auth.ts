import type { Handler, HandlerResult } from '../app.js';
import type { Request } from '../request.js';
import { wraps } from '../wraps.js';
import { AuthConfigError } from './errors.js';

/** What an authentication callback may give back: a user, or nothing for "not this one". */
export type MaybeUser<U> = U | undefined | null;

/** Turns a request without valid credentials into a response (or throws an HTTP error). */
export type AuthErrorHandler = (req: Request) => HandlerResult | Promise<HandlerResult>;

/**
 * The part `BasicAuth` and `TokenAuth` share (Microdot's `BaseAuth`): wrap a handler so it
 * runs only for an authenticated request (`required`), or with the user when there is one
 * (`optional`). The user is given to the handler as `req.g.currentUser`, as Microdot's
 * `request.g.current_user`, and typed through {@link HTTPAuth.currentUser}.
 *
 * @typeParam U The user type the authentication callback returns.
 * @typeParam A The credentials read from the request (`[username, password]` or `[token]`).
 */
export abstract class HTTPAuth<U, A extends unknown[]> {
  #authenticate: ((req: Request, ...credentials: A) => unknown) | undefined;
  #onError: AuthErrorHandler | undefined;
  /** The user found for each request (read by `currentUser`); gone with the request. */
  readonly #users = new WeakMap<Request, U>();

  /** The credentials of `req`, or `undefined` when it carries none (or malformed ones). */
  protected abstract credentials(req: Request): A | undefined;

  /** The response to a request without valid credentials, unless {@link HTTPAuth.errorHandler} replaced it. */
  protected abstract defaultError(req: Request): HandlerResult;

  /**
   * Sets the callback that checks credentials: it returns the user, or `undefined`/`null`
   * when they are wrong (Microdot's `@auth.authenticate`).
   */
  authenticate(
    callback: (req: Request, ...credentials: A) => MaybeUser<U> | Promise<MaybeUser<U>>,
  ): this {
    if (typeof callback !== 'function') {
      throw new AuthConfigError(
        'authenticate() needs a function (req, ...credentials) => user | undefined',
      );
    }
    this.#authenticate = callback;
    return this;
  }

  /**
   * Replaces the response given to a request without valid credentials (Microdot's
   * `@auth.errorhandler`). It may return anything a handler may, or throw (`abort(403)`).
   */
  errorHandler(handler: AuthErrorHandler): this {
    if (typeof handler !== 'function') {
      throw new AuthConfigError('errorHandler() needs a function (req) => response');
    }
    this.#onError = handler;
    return this;
  }

  /** The user this authenticator found for `req` (in `required`/`optional`), or `undefined`. */
  currentUser(req: Request): U | undefined {
    return this.#users.get(req);
  }

  /**
   * Wraps `handler` so that it runs only when the request's credentials are valid; otherwise
   * the error response is sent (Microdot's `@auth`). Route parameters pass through.
   */
  required<P>(handler: Handler<P>): Handler<P> {
    const wrapper: Handler<P> = async (req, params) => {
      const user = await this.#userOf(req);
      if (user === undefined) return this.#onError ? this.#onError(req) : this.defaultError(req);
      return handler(req, params);
    };
    return wraps(wrapper, handler); // marks such as csrf.exempt stay visible through it
  }

  /**
   * Wraps `handler` so that it runs in every case, with `req.g.currentUser` set to the user
   * when the credentials are valid and to `undefined` otherwise (Microdot's `@auth.optional`).
   */
  optional<P>(handler: Handler<P>): Handler<P> {
    const wrapper: Handler<P> = async (req, params) => {
      await this.#userOf(req);
      return handler(req, params);
    };
    return wraps(wrapper, handler);
  }

  /** Authenticates `req` and records the outcome for the handler; `undefined` when refused. */
  async #userOf(req: Request): Promise<U | undefined> {
    const callback = this.#authenticate;
    if (callback === undefined) {
      throw new AuthConfigError(
        `${this.constructor.name}: call authenticate((req, ...credentials) => user) before serving requests`,
      );
    }
    const credentials = this.credentials(req);
    const found = credentials === undefined ? undefined : await callback(req, ...credentials);
    const user = found === null || found === undefined ? undefined : (found as U);
    req.g.currentUser = user;
    if (user === undefined) this.#users.delete(req);
    else this.#users.set(req, user);
    return user;
  }
}

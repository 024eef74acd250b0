import { type AccessLogger, consoleAccessLog } from './access-log.js';
import { answerError, notAllowed, notFound } from './error-answer.js';
import {
  type BeforeRequestHook,
  defaultOptionsHandler,
  type ErrorHandler,
  type Handler,
  type OptionsHandler,
} from './handler.js';
import { Hooks } from './hooks.js';
import { HTTPException } from './http-exception.js';
import type { PathParams } from './path-params.js';
import type { AfterRequestHook, Request } from './request.js';
import { RequestFlow } from './request-flow.js';
import type { Response } from './response.js';
import { allowedMethods, allowList, type Route, Router } from './router.js';
import { URLPattern } from './url-pattern.js';

export type {
  BeforeRequestHook,
  ErrorHandler,
  Handler,
  HandlerResult,
  OptionsHandler,
} from './handler.js';
export { defaultOptionsHandler, toResponse } from './handler.js';

/** A class of errors, for {@link MicrodotBase.errorHandler}. */
// biome-ignore lint/suspicious/noExplicitAny: constructor parameters vary; only the prototype matters.
export type ErrorClass<E = Error> = abstract new (...args: any[]) => E;

/** Options of the `Microdot` constructor. */
export interface MicrodotOptions {
  /** Largest accepted body in bytes (default 16 KiB); larger requests get 413. */
  maxContentLength?: number;
  /**
   * Largest body read whole into `req.body` (default 16 KiB, as Microdot). A larger one, up to
   * `maxContentLength`, is left for the handler to read from `req.stream`; `req.body` is then
   * empty.
   */
  maxBodyLength?: number;
  /** Where unhandled errors are reported (default `console.error`). */
  logError?: (err: unknown, req: Request) => void;
  /**
   * An access log of the `node:http` server: one entry per request (method, path, status,
   * duration, body bytes). `true` prints {@link formatAccessLog}'s line with `console.log`; a
   * function receives each {@link AccessLogEntry}. Off by default.
   */
  accessLog?: boolean | AccessLogger;
}

/** Options of {@link MicrodotBase.mount}. */
export interface MountOptions {
  /** Keep the sub-application's hooks and error handlers to its own routes. */
  local?: boolean;
}

/**
 * The runtime-neutral part of a Microdot application: routes, hooks, error handlers, mounting
 * and {@link MicrodotBase.dispatch}. It knows no server: the adapters (`node-handler.ts`,
 * `node.ts`, `fetch.ts`) depend on it, and `Microdot` (microdot.ts) adds their entry points.
 * Extensions and adapters take a `MicrodotBase`, so any application fits.
 */
export class MicrodotBase {
  /** Largest accepted body in bytes; larger requests get 413 (Microdot's default: 16 KiB). */
  maxContentLength: number;
  /** Largest body read into `req.body`; larger ones are read from `req.stream` (default 16 KiB). */
  maxBodyLength: number;
  /** Where unhandled errors are reported. */
  logError: (err: unknown, req: Request) => void;
  /** The access logger of the `node:http` adapter (`undefined`: none); replaceable. */
  accessLog: AccessLogger | undefined;
  /**
   * Answers `OPTIONS` for a path whose routes do not take it; replaceable, as Microdot's
   * `options_handler` (CORS wraps it). `undefined`: such requests get a 405, as other methods.
   *
   * @example
   * ```ts
   * app.optionsHandler = (req, allow) => ({ Allow: allow.join(', '), 'Accept-Patch': 'application/json' });
   * ```
   */
  optionsHandler: OptionsHandler | undefined = defaultOptionsHandler;

  readonly #router = new Router<MicrodotBase>();
  readonly #hooks = new Hooks();
  readonly #flow = new RequestFlow(this, this.#hooks);
  #startupChecks: (() => void | Promise<void>)[] = [];

  constructor(options: MicrodotOptions = {}) {
    this.maxContentLength = byteLimit('maxContentLength', options.maxContentLength);
    this.maxBodyLength = byteLimit('maxBodyLength', options.maxBodyLength);
    this.logError =
      options.logError ??
      ((err, req) => console.error(`Unhandled error in ${req.method} ${req.path}:`, err));
    const log = options.accessLog;
    if (log !== undefined && typeof log !== 'boolean' && typeof log !== 'function') {
      throw new TypeError('accessLog must be true, false or a function receiving each entry');
    }
    this.accessLog = log === true ? consoleAccessLog : log === false ? undefined : log;
  }

  /**
   * Adds a check that `startServer` and `run` make before listening: extensions use it to
   * refuse, at start-up, a configuration that would only fail on the first request (a `Session`
   * without a secret key). A check that throws (or rejects) stops the start with its error.
   * Checks of a mounted sub-application join this application's.
   */
  onStartup(check: () => void | Promise<void>): this {
    this.#startupChecks.push(check);
    return this;
  }

  /** Runs the {@link MicrodotBase.onStartup} checks in order; rejects with the first failure. */
  async checkStartup(): Promise<void> {
    for (const check of this.#startupChecks) await check();
  }

  /**
   * Adds a route. `pattern` is a Microdot URL pattern (`/users/<int:id>`, `<path:p>`,
   * `<re:[a-z]+:name>`); an invalid one throws here. `methods` defaults to `['GET']`.
   *
   * @example
   * ```ts
   * app.route('/items/<int:id>', (req, { id }) => ({ id }), { methods: ['GET', 'PUT'] });
   * ```
   */
  route<P extends string>(
    pattern: P,
    handler: Handler<PathParams<P>>,
    options: { methods?: readonly string[] } = {},
  ): this {
    const methods = (options.methods ?? ['GET']).map((m) => m.toUpperCase());
    this.#router.add({
      methods,
      pattern: new URLPattern(pattern),
      handler: handler as Handler,
      urlPrefix: '',
      subapp: undefined,
    });
    return this;
  }

  /** Adds a GET (and HEAD) route. */
  get<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.route(pattern, handler, { methods: ['GET'] });
  }

  /** Adds a POST route. */
  post<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.route(pattern, handler, { methods: ['POST'] });
  }

  /** Adds a PUT route. */
  put<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.route(pattern, handler, { methods: ['PUT'] });
  }

  /** Adds a PATCH route. */
  patch<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.route(pattern, handler, { methods: ['PATCH'] });
  }

  /** Adds a DELETE route. */
  delete<P extends string>(pattern: P, handler: Handler<PathParams<P>>): this {
    return this.route(pattern, handler, { methods: ['DELETE'] });
  }

  /** Adds a hook run before each routed request; a result other than `undefined` is sent instead. */
  beforeRequest(hook: BeforeRequestHook): this {
    this.#hooks.before.push(hook);
    return this;
  }

  /** Adds a hook run after each successful request; it may return a replacement response. */
  afterRequest(hook: AfterRequestHook): this {
    this.#hooks.after.push(hook);
    return this;
  }

  /** Adds a hook run after each request that ended in an error response (404, 500, …). */
  afterErrorRequest(hook: AfterRequestHook): this {
    this.#hooks.afterError.push(hook);
    return this;
  }

  /**
   * Handles an HTTP status (404, 405, 413, a status given to `abort`) or a class of errors
   * (matched up the prototype chain, so `Error` catches everything).
   *
   * @example
   * ```ts
   * app.errorHandler(404, () => ['Nothing here', 404]);
   * app.errorHandler(RangeError, (req, err) => [err.message, 400]);
   * ```
   */
  errorHandler(status: number, handler: ErrorHandler<HTTPException>): this;
  errorHandler<E>(errorClass: ErrorClass<E>, handler: ErrorHandler<E>): this;
  errorHandler(key: number | Function, handler: ErrorHandler<never>): this {
    this.#hooks.errors.set(key, handler);
    return this;
  }

  /**
   * Mounts the routes of `subapp` under `urlPrefix`. Its hooks and error handlers join this
   * application's, unless `local` keeps them to its own routes: then its error handlers are
   * tried before this application's, and its after-error hooks run before this one's, for
   * errors in its routes. Routes added to `subapp` afterwards are not seen.
   *
   * @example
   * ```ts
   * const api = new Microdot();
   * api.get('/users', () => []);
   * app.mount(api, '/api');
   * ```
   */
  mount(subapp: MicrodotBase, urlPrefix = '', options: MountOptions = {}): this {
    for (const route of subapp.#router.routes) {
      this.#router.add({
        methods: route.methods,
        pattern: new URLPattern(urlPrefix + route.pattern.pattern),
        handler: route.handler,
        urlPrefix: urlPrefix + route.urlPrefix,
        subapp: route.subapp ?? subapp,
      });
    }
    this.#startupChecks.push(...subapp.#startupChecks);
    if (!options.local) subapp.#hooks.moveTo(this.#hooks);
    return this;
  }

  /**
   * Runs a request through routing, hooks and handlers, and resolves to its response. Never
   * rejects: errors become error responses. Used by every adapter and the test client.
   */
  dispatch(req: Request): Response | Promise<Response> {
    if (req.body.byteLength > this.maxContentLength) {
      return this.handleError(req, new HTTPException(413, { message: 'Payload too large' }));
    }
    let route: Route<MicrodotBase> | undefined;
    let args: Record<string, unknown> = {};
    let allowed: Set<string> | undefined;
    try {
      const found = this.#router.find(req.method, req.path);
      if (found instanceof Set) allowed = found;
      else if (found !== undefined) ({ route, args } = found);
    } catch (err) {
      // A malformed percent-escape in a captured URL argument.
      return this.handleError(req, new HTTPException(400, { message: 'Bad request', cause: err }));
    }
    if (route === undefined) {
      if (allowed === undefined) return this.handleError(req, notFound());
      if (req.method === 'OPTIONS' && this.optionsHandler !== undefined) {
        return this.#flow.options(req, this.optionsHandler, allowedMethods(allowed));
      }
      return this.handleError(req, notAllowed(allowList(allowed)));
    }
    req.route = route.handler;
    req.urlArgs = args;
    req.urlPrefix = route.urlPrefix;
    req.subapp = route.subapp;
    const local = route.subapp === undefined ? undefined : route.subapp.#hooks;
    return this.#flow.run(req, route.handler, args, local);
  }

  /**
   * Answers a request that failed with `err`: the error handler registered for its status or
   * class, else a plain text response (500 for anything that is not an {@link HTTPException},
   * logged). Then the after-error-request hooks run. For a route of a sub-application mounted
   * with `local`, its own handlers and hooks come first.
   */
  handleError(req: Request, err: unknown): Promise<Response> {
    const sub = req.subapp;
    const local = sub === undefined || sub === this ? undefined : sub.#hooks;
    return answerError(req, err, this.#hooks, local, this);
  }
}

/** A byte limit option: a non-negative integer, 16 KiB when not given. */
function byteLimit(name: string, value: number | undefined): number {
  const limit = value ?? 16 * 1024;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new TypeError(`${name} must be a non-negative integer (bytes), such as 1024 * 1024`);
  }
  return limit;
}

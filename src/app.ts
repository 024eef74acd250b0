import { HTTPException } from './http-exception.js';
import { createNodeHandler, type NodeHandler } from './node-handler.js';
import type { PathParams } from './path-params.js';
import type { AfterRequestHook, Request } from './request.js';
import { type BodyInput, type HeaderRecord, type HeadersInput, Response } from './response.js';
import { URLPattern } from './url-pattern.js';

/** What a handler may return; see {@link toResponse} for how each is sent. */
export type HandlerResult =
  | BodyInput
  | Response
  | number
  | readonly [BodyInput, number]
  | readonly [BodyInput, number, HeadersInput]
  | readonly [BodyInput, HeadersInput]
  | void;

/** A route handler: gets the request and the URL arguments. */
export type Handler<P = Record<string, unknown>> = (
  req: Request,
  params: P,
) => HandlerResult | Promise<HandlerResult>;

/** A before-request hook: returning anything but `undefined` short-circuits the request. */
export type BeforeRequestHook = (req: Request) => HandlerResult | Promise<HandlerResult>;

/** An error handler: turns an error (or an HTTP status) into a response. */
export type ErrorHandler<E = unknown> = (
  req: Request,
  err: E,
) => HandlerResult | Promise<HandlerResult>;

/**
 * The automatic answer to an `OPTIONS` request for a path whose routes do not take OPTIONS
 * (Microdot's `options_handler`): the headers of a 200 answer with no body. `allow` lists the
 * methods the path's routes accept (with HEAD and OPTIONS). Before-request hooks do not run on
 * it (a CORS preflight carries no credentials); after-error-request hooks do, as in Microdot.
 */
export type OptionsHandler = (
  req: Request,
  allow: readonly string[],
) => HeaderRecord | Promise<HeaderRecord>;

/** The default {@link OptionsHandler}: `Allow` with the path's methods. */
export function defaultOptionsHandler(_req: Request, allow: readonly string[]): HeaderRecord {
  return { Allow: allow.join(', ') };
}

/** A class of errors, for {@link Microdot.errorHandler}. */
// biome-ignore lint/suspicious/noExplicitAny: constructor parameters vary; only the prototype matters.
export type ErrorClass<E = Error> = abstract new (...args: any[]) => E;

/** Options of the {@link Microdot} constructor. */
export interface MicrodotOptions {
  /** Largest accepted body in bytes (default 16 KiB); larger requests get 413. */
  maxContentLength?: number;
  /** Where unhandled errors are reported (default `console.error`). */
  logError?: (err: unknown, req: Request) => void;
}

/** Options of {@link Microdot.mount}. */
export interface MountOptions {
  /** Keep the sub-application's hooks and error handlers to its own routes. */
  local?: boolean;
}

interface Route {
  index: number;
  methods: readonly string[];
  pattern: URLPattern;
  handler: Handler;
  urlPrefix: string;
  subapp: Microdot | undefined;
  /** For a static route: whether an earlier dynamic route could match its path first. */
  shadowed: boolean;
}

interface Match {
  route: Route;
  args: Record<string, unknown>;
}

const NO_ARGS: Record<string, unknown> = Object.freeze(Object.create(null));

/** A handler result that is a promise (or any thenable). */
function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Turns a handler's result into a {@link Response}, as Microdot does: text or bytes → 200;
 * an object or array → JSON; `[body, status]`, `[body, status, headers]`, `[body, headers]`;
 * a number → that status with no body; a Response as is; `undefined` → 204.
 */
export function toResponse(result: HandlerResult): Response {
  if (result instanceof Response) return result;
  if (result === undefined) return new Response(null, 204);
  if (typeof result === 'number') return new Response(null, result);
  if (Array.isArray(result) && result.length >= 2 && result.length <= 3) {
    const [body, second, third] = result as [BodyInput, unknown, HeadersInput | undefined];
    if (typeof second === 'number') return new Response(body, second, third);
    if (result.length === 2 && second !== null && typeof second === 'object') {
      return new Response(body, 200, second as HeadersInput);
    }
  }
  return new Response(result as BodyInput);
}

/**
 * A Microdot application: routes, hooks and error handlers, served by `node:http`
 * ({@link Microdot.startServer}, {@link Microdot.handler}) or by any runtime with the Web
 * `fetch` API ({@link Microdot.fetch}).
 *
 * @example
 * ```ts
 * import { Microdot } from 'microdot-ts';
 *
 * const app = new Microdot();
 * app.get('/', () => 'Hello, World!');
 * app.get('/users/<int:id>', (req, { id }) => ({ id }));
 * await app.startServer({ port: 5000 });
 * ```
 */
export class Microdot {
  /** Largest accepted body in bytes; larger requests get 413 (Microdot's default: 16 KiB). */
  maxContentLength: number;
  /** Where unhandled errors are reported. */
  logError: (err: unknown, req: Request) => void;
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

  readonly #routes: Route[] = [];
  readonly #staticRoutes = new Map<string, Route[]>();
  readonly #dynamicRoutes: Route[] = [];
  #beforeRequest: BeforeRequestHook[] = [];
  #afterRequest: AfterRequestHook[] = [];
  #afterErrorRequest: AfterRequestHook[] = [];
  #statusHandlers = new Map<number, ErrorHandler<HTTPException>>();
  #classHandlers = new Map<Function, ErrorHandler>();
  #nodeHandler: NodeHandler | undefined;
  /** @internal Servers started by {@link Microdot.startServer}, for {@link Microdot.shutdown}. */
  servers = new Set<{ close(): Promise<void> }>();

  constructor(options: MicrodotOptions = {}) {
    const max = options.maxContentLength ?? 16 * 1024;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new TypeError('maxContentLength must be a non-negative integer (bytes)');
    }
    this.maxContentLength = max;
    this.logError =
      options.logError ??
      ((err, req) => console.error(`Unhandled error in ${req.method} ${req.path}:`, err));
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
    this.#addRoute({
      index: this.#routes.length,
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
    this.#beforeRequest.push(hook);
    return this;
  }

  /** Adds a hook run after each successful request; it may return a replacement response. */
  afterRequest(hook: AfterRequestHook): this {
    this.#afterRequest.push(hook);
    return this;
  }

  /** Adds a hook run after each request that ended in an error response (404, 500, …). */
  afterErrorRequest(hook: AfterRequestHook): this {
    this.#afterErrorRequest.push(hook);
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
    if (typeof key === 'number')
      this.#statusHandlers.set(key, handler as ErrorHandler<HTTPException>);
    else this.#classHandlers.set(key, handler as ErrorHandler);
    return this;
  }

  /**
   * Mounts the routes of `subapp` under `urlPrefix`. Its hooks and error handlers join this
   * application's, unless `local` keeps them to its own routes. Routes added to `subapp`
   * afterwards are not seen.
   *
   * @example
   * ```ts
   * const api = new Microdot();
   * api.get('/users', () => []);
   * app.mount(api, '/api');
   * ```
   */
  mount(subapp: Microdot, urlPrefix = '', options: MountOptions = {}): this {
    for (const route of subapp.#routes) {
      this.#addRoute({
        index: this.#routes.length,
        methods: route.methods,
        pattern: new URLPattern(urlPrefix + route.pattern.pattern),
        handler: route.handler,
        urlPrefix: urlPrefix + route.urlPrefix,
        subapp: route.subapp ?? subapp,
      });
    }
    if (!options.local) {
      this.#beforeRequest.push(...subapp.#beforeRequest);
      this.#afterRequest.push(...subapp.#afterRequest);
      this.#afterErrorRequest.push(...subapp.#afterErrorRequest);
      for (const [status, h] of subapp.#statusHandlers) this.#statusHandlers.set(status, h);
      for (const [cls, h] of subapp.#classHandlers) this.#classHandlers.set(cls, h);
      subapp.#beforeRequest = [];
      subapp.#afterRequest = [];
      subapp.#afterErrorRequest = [];
      subapp.#statusHandlers = new Map();
      subapp.#classHandlers = new Map();
    }
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
    let match: Match | undefined;
    let allowed: Set<string> | undefined;
    try {
      const found = this.#find(req.method, req.path);
      if (found instanceof Set) allowed = found;
      else match = found;
    } catch (err) {
      // A malformed percent-escape in a captured URL argument.
      return this.handleError(req, new HTTPException(400, { message: 'Bad request', cause: err }));
    }
    if (match === undefined) {
      if (allowed === undefined) return this.handleError(req, routingError(404, 'Not found'));
      if (req.method === 'OPTIONS' && this.optionsHandler !== undefined) {
        const allow = [...allowed];
        if (allowed.has('GET') && !allowed.has('HEAD')) allow.push('HEAD');
        allow.push('OPTIONS');
        return this.#answerOptions(req, this.optionsHandler, allow);
      }
      return this.handleError(req, routingError(405, 'Method not allowed'));
    }
    const { route, args } = match;
    req.route = route.handler;
    req.urlArgs = args;
    req.urlPrefix = route.urlPrefix;
    req.subapp = route.subapp;
    const local = route.subapp;
    if (
      this.#beforeRequest.length > 0 ||
      (local !== undefined && local.#beforeRequest.length > 0)
    ) {
      return this.#dispatchWithHooks(req, route, args);
    }
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = route.handler(req, args);
    } catch (err) {
      return this.handleError(req, err);
    }
    if (isThenable<HandlerResult>(result)) {
      return Promise.resolve(result).then(
        (value) => this.#finish(req, toResponse(value), local),
        (err: unknown) => this.handleError(req, err),
      );
    }
    let res: Response;
    try {
      res = toResponse(result);
    } catch (err) {
      return this.handleError(req, err);
    }
    return this.#finish(req, res, local);
  }

  /**
   * Answers a request that failed with `err`: the error handler registered for its status or
   * class, else a plain text response (500 for anything that is not an {@link HTTPException},
   * logged). Then the after-error-request hooks run.
   */
  async handleError(req: Request, err: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await this.#errorResponse(req, err);
    } catch (handlerErr) {
      this.logError(handlerErr, req);
      res = new Response('Internal server error', 500);
    }
    return this.#afterError(req, res);
  }

  /** The {@link Microdot.optionsHandler} answer, then the after-error hooks (as Microdot). */
  async #answerOptions(
    req: Request,
    handler: OptionsHandler,
    allow: readonly string[],
  ): Promise<Response> {
    let res: Response;
    try {
      res = new Response(null, 200, await handler(req, allow));
    } catch (err) {
      return this.handleError(req, err);
    }
    return this.#afterError(req, res);
  }

  async #afterError(req: Request, res: Response): Promise<Response> {
    for (const hook of this.#afterErrorRequest) {
      try {
        res = (await hook(req, res)) ?? res;
      } catch (hookErr) {
        this.logError(hookErr, req);
        res = new Response('Internal server error', 500);
      }
    }
    return res;
  }

  async #errorResponse(req: Request, err: unknown): Promise<Response> {
    if (err instanceof HTTPException) {
      const handler = this.#statusHandlers.get(err.status);
      if (handler !== undefined) return toResponse(await handler(req, err));
      return err.res ?? new Response(err.message, err.status);
    }
    if (err !== null && typeof err === 'object') {
      for (
        let proto = Object.getPrototypeOf(err);
        proto !== null;
        proto = Object.getPrototypeOf(proto)
      ) {
        const handler = this.#classHandlers.get(proto.constructor);
        if (handler !== undefined) return toResponse(await handler(req, err));
      }
    }
    this.logError(err, req);
    const handler500 = this.#statusHandlers.get(500);
    if (handler500 !== undefined) {
      return toResponse(await handler500(req, new HTTPException(500, { cause: err })));
    }
    return new Response('Internal server error', 500);
  }

  async #dispatchWithHooks(
    req: Request,
    route: Route,
    args: Record<string, unknown>,
  ): Promise<Response> {
    const local = route.subapp;
    let res: Response;
    try {
      let result: HandlerResult;
      for (const hook of this.#beforeRequest) {
        result = await hook(req);
        if (result !== undefined) break;
      }
      if (result === undefined && local !== undefined) {
        for (const hook of local.#beforeRequest) {
          result = await hook(req);
          if (result !== undefined) break;
        }
      }
      if (result === undefined) result = await route.handler(req, args);
      res = toResponse(result);
    } catch (err) {
      return this.handleError(req, err);
    }
    return this.#finish(req, res, local);
  }

  /** Runs the after-request hooks: the mounted app's, the app's, then the request's own. */
  #finish(req: Request, res: Response, local: Microdot | undefined): Response | Promise<Response> {
    if (
      this.#afterRequest.length === 0 &&
      req.afterRequestHooks === undefined &&
      (local === undefined || local.#afterRequest.length === 0)
    ) {
      return res;
    }
    return this.#runAfterHooks(req, res, local);
  }

  /**
   * Runs the after-request hooks from `list` (0: the mounted app's, 1: the app's, 2: the
   * request's own) and position `at`, synchronously while they return plain values; from the
   * first hook that returns a promise on, it continues asynchronously.
   */
  #runAfterHooks(
    req: Request,
    res: Response,
    local: Microdot | undefined,
    list = 0,
    at = 0,
  ): Response | Promise<Response> {
    try {
      for (; list < 3; list++, at = 0) {
        // The request's own list is read afresh: hooks may register more hooks; run them all.
        let hooks: readonly AfterRequestHook[] | undefined;
        if (list === 0) hooks = local === undefined ? undefined : local.#afterRequest;
        else hooks = list === 1 ? this.#afterRequest : req.afterRequestHooks;
        if (hooks === undefined) continue;
        for (; at < hooks.length; at++) {
          const out = hooks[at]!(req, res);
          if (isThenable<Response | undefined | void>(out)) {
            const next = at + 1;
            const from = list;
            return Promise.resolve(out).then(
              (value) => this.#runAfterHooks(req, value ?? res, local, from, next),
              (err: unknown) => this.handleError(req, err),
            );
          }
          res = out ?? res;
        }
      }
      return res;
    } catch (err) {
      return this.handleError(req, err);
    }
  }

  #addRoute(route: Omit<Route, 'shadowed'>): void {
    const path = route.pattern.staticPath;
    const added: Route = { ...route, shadowed: path !== undefined && this.#shadows(path) };
    this.#routes.push(added);
    if (path !== undefined) {
      const list = this.#staticRoutes.get(path);
      if (list === undefined) this.#staticRoutes.set(path, [added]);
      else list.push(added);
    } else {
      this.#dynamicRoutes.push(added);
    }
  }

  /** Whether a dynamic route added so far matches `path` (and so comes before a static one). */
  #shadows(path: string): boolean {
    for (const dynamic of this.#dynamicRoutes) {
      try {
        if (dynamic.pattern.match(path) !== undefined) return true;
      } catch {
        return true;
      }
    }
    return false;
  }

  /**
   * The first route (in the order they were added) whose pattern matches `path` and that
   * accepts `method`; else the set of methods the matching patterns accept (405), or
   * `undefined` (404).
   */
  #find(method: string, path: string): Match | Set<string> | undefined {
    const statics = this.#staticRoutes.get(path);
    // The common case: the first static route for this path comes before any dynamic route
    // that could match it, so it wins without trying a single pattern.
    if (statics !== undefined && !statics[0]!.shadowed && accepts(statics[0]!, method)) {
      return { route: statics[0]!, args: NO_ARGS };
    }
    const dynamics = this.#dynamicRoutes;
    let allowed: Set<string> | undefined;
    let s = 0;
    const sLen = statics === undefined ? 0 : statics.length;
    for (let d = 0; d <= dynamics.length; d++) {
      const dynamic = dynamics[d];
      const limit = dynamic === undefined ? Number.POSITIVE_INFINITY : dynamic.index;
      while (s < sLen && statics![s]!.index < limit) {
        const route = statics![s++]!;
        if (accepts(route, method)) return { route, args: NO_ARGS };
        allowed = addMethods(allowed, route);
      }
      if (dynamic === undefined) break;
      const args = dynamic.pattern.match(path);
      if (args === undefined) continue;
      if (accepts(dynamic, method)) return { route: dynamic, args };
      allowed = addMethods(allowed, dynamic);
    }
    return allowed;
  }

  /**
   * A `node:http` request listener for this app, for `http.createServer(app.handler)`.
   * Reads the body (up to {@link Microdot.maxContentLength}), dispatches, and writes the response.
   */
  get handler(): NodeHandler {
    this.#nodeHandler ??= createNodeHandler(this);
    return this.#nodeHandler;
  }

  /**
   * Starts a `node:http` server; resolves once it listens. Port 0 picks a free port.
   *
   * @example
   * ```ts
   * const server = await app.startServer({ host: '127.0.0.1', port: 0 });
   * console.log(`listening on ${server.port}`);
   * await server.close();
   * ```
   */
  async startServer(options: ServerOptions = {}): Promise<RunningServer> {
    const { startServer } = await import('./node.js');
    return startServer(this, options);
  }

  /**
   * Starts a `node:http` server and logs where it listens (Microdot's `app.run`). Stops on
   * SIGINT/SIGTERM after in-flight requests finish.
   */
  async run(options: ServerOptions = {}): Promise<RunningServer> {
    const server = await this.startServer({ port: 5000, ...options });
    console.log(`Listening on http://${server.host}:${server.port}`);
    const stop = () => void this.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return server;
  }

  /** Stops every server started by this app, letting in-flight requests finish. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.servers].map((s) => s.close()));
  }

  /**
   * Serves a Web-standard `Request` and resolves to a Web-standard `Response`, so the same app
   * runs on Bun, Deno and Workers (`export default { fetch: app.fetch }`).
   */
  fetch = async (
    request: globalThis.Request,
    info: { clientAddr?: string } = {},
  ): Promise<globalThis.Response> => {
    const { handleFetch } = await import('./fetch.js');
    return handleFetch(this, request, info);
  };
}

/** Options of {@link Microdot.startServer}. */
export interface ServerOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port (default 5000 for `run`, 0 — a free one — for `startServer`). */
  port?: number;
  /** Milliseconds a client may take to send its headers (default 10 000). */
  headersTimeout?: number;
  /** Milliseconds a client may take to send a whole request (default 30 000). */
  requestTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open (default 5 000). */
  keepAliveTimeout?: number;
}

/** A running server. */
export interface RunningServer {
  /** The address it listens on. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting connections and resolves once in-flight requests are done. */
  close(): Promise<void>;
}

/**
 * The 404/405 of routing, without a stack trace: it would only show the dispatcher, and
 * capturing it costs more than the rest of a not-found answer.
 */
function routingError(status: number, message: string): HTTPException {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new HTTPException(status, { message });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function accepts(route: Route, method: string): boolean {
  return route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));
}

function addMethods(set: Set<string> | undefined, route: Route): Set<string> {
  const out = set ?? new Set<string>();
  for (const m of route.methods) out.add(m);
  return out;
}

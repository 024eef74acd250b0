// The flow of a routed request: before-request hooks, the handler, its result made a response,
// a file looked at, after-request hooks. Whatever fails on the way goes to the app's
// handleError. Synchronous while everything (hooks included) answers plain values, so that
// the response is ready when dispatch returns; from the first promise on, asynchronous.
import type { ErrorLog } from './error-answer.js';
import {
  type Handler,
  type HandlerResult,
  isThenable,
  type OptionsHandler,
  toResponse,
} from './handler.js';
import { type Hooks, runAfterErrorHooks, runAfterHooks, runBeforeHooks } from './hooks.js';
import { prepareFileResponse } from './internal/file-answer.js';
import type { Request } from './request.js';
import { Response } from './response.js';

/** What the flow needs of its application: the answer to an error, and where errors go. */
export interface FlowOwner extends ErrorLog {
  handleError(req: Request, err: unknown): Promise<Response>;
}

/** The request flow of one application, given its own hooks. */
export class RequestFlow {
  readonly #app: FlowOwner;
  readonly #own: Hooks;

  constructor(app: FlowOwner, own: Hooks) {
    this.#app = app;
    this.#own = own;
  }

  /**
   * Runs a routed request through the hooks and `handler`. `local` holds the hooks of the
   * sub-application mounted with `local` that the route came from (they run after the app's).
   */
  run(
    req: Request,
    handler: Handler,
    args: Record<string, unknown>,
    local: Hooks | undefined,
  ): Response | Promise<Response> {
    const own = this.#own.before;
    if (own.length > 0 || (local !== undefined && local.before.length > 0)) {
      let early: HandlerResult | Promise<HandlerResult>;
      try {
        early = runBeforeHooks(req, own, local?.before);
      } catch (err) {
        return this.#app.handleError(req, err);
      }
      if (isThenable<HandlerResult>(early)) {
        return Promise.resolve(early).then(
          (result) =>
            result === undefined
              ? this.#call(req, handler, args, local)
              : this.#respond(req, result, local),
          (err: unknown) => this.#app.handleError(req, err),
        );
      }
      // A hook's answer other than `undefined` is sent instead, after-request hooks and all.
      if (early !== undefined) return this.#respond(req, early, local);
    }
    return this.#call(req, handler, args, local);
  }

  /** The {@link MicrodotBase.optionsHandler} answer, then the after-error hooks (as Microdot). */
  async options(
    req: Request,
    handler: OptionsHandler,
    allow: readonly string[],
  ): Promise<Response> {
    let res: Response;
    try {
      res = new Response(null, 200, await handler(req, allow));
    } catch (err) {
      return this.#app.handleError(req, err);
    }
    return runAfterErrorHooks(req, res, this.#own.afterError, this.#app);
  }

  /** Calls the route's handler; its result (awaited if a promise) becomes the response. */
  #call(
    req: Request,
    handler: Handler,
    args: Record<string, unknown>,
    local: Hooks | undefined,
  ): Response | Promise<Response> {
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = handler(req, args);
    } catch (err) {
      return this.#app.handleError(req, err);
    }
    if (isThenable<HandlerResult>(result)) {
      return Promise.resolve(result).then(
        (value) => this.#respond(req, value, local),
        (err: unknown) => this.#app.handleError(req, err),
      );
    }
    return this.#respond(req, result, local);
  }

  /** A handler's (or hook's) result as a response, then the after-request hooks. */
  #respond(
    req: Request,
    result: HandlerResult,
    local: Hooks | undefined,
  ): Response | Promise<Response> {
    let res: Response;
    try {
      res = toResponse(result);
    } catch (err) {
      // A result that cannot be sent (bad headers, a body JSON cannot hold): a 500.
      return this.#app.handleError(req, err);
    }
    return this.#finish(req, res, local);
  }

  /** Runs the after-request hooks: the mounted app's, the app's, then the request's own. */
  #finish(req: Request, res: Response, local: Hooks | undefined): Response | Promise<Response> {
    if (res.file !== undefined) return this.#sendFile(req, res, local);
    if (
      this.#own.after.length === 0 &&
      req.afterRequestHooks === undefined &&
      (local === undefined || local.after.length === 0)
    ) {
      return res;
    }
    let out: Response | Promise<Response>;
    try {
      out = runAfterHooks(req, res, local?.after, this.#own.after);
    } catch (err) {
      return this.#app.handleError(req, err);
    }
    if (out instanceof Response) return out;
    return out.then(undefined, (err: unknown) => this.#app.handleError(req, err));
  }

  /** A `Response.sendFile` answer: the file is looked at (stat, validators, range), then hooks. */
  async #sendFile(req: Request, res: Response, local: Hooks | undefined): Promise<Response> {
    try {
      res = await prepareFileResponse(req, res);
    } catch (err) {
      return this.#app.handleError(req, err);
    }
    return this.#finish(req, res, local);
  }
}

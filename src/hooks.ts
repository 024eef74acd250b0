// The hook chains of an application and how each one runs. A chain knows nothing of routing or
// of error handlers: it runs its hooks in order and reports what they answered, or throws what
// they threw, and the request's flow (request-flow.ts) decides what that means.
import { ErrorHandlers } from './error-handlers.js';
import { type BeforeRequestHook, type HandlerResult, isThenable } from './handler.js';
import type { AfterRequestHook, Request } from './request.js';
import { Response } from './response.js';

/**
 * What one application adds to each request it serves: its before-request, after-request and
 * after-error-request hooks, and its error handlers. Mounting an application (without `local`)
 * moves them all into the parent's.
 */
export class Hooks {
  before: BeforeRequestHook[] = [];
  after: AfterRequestHook[] = [];
  afterError: AfterRequestHook[] = [];
  readonly errors = new ErrorHandlers();

  /** Moves every hook (after `target`'s own) and error handler into `target`, leaving none here. */
  moveTo(target: Hooks): void {
    target.before.push(...this.before);
    target.after.push(...this.after);
    target.afterError.push(...this.afterError);
    this.errors.moveTo(target.errors);
    this.before = [];
    this.after = [];
    this.afterError = [];
  }
}

/**
 * Runs the before-request hooks of `first`, then of `second`, from list `list` (0 or 1) and
 * position `at`, until one answers something other than `undefined`, and gives that answer
 * (`undefined` when none did). Synchronous while the hooks return plain values; from the first
 * hook that returns a promise (or any thenable) on, it continues asynchronously and the answer
 * comes as a promise. Throws (or rejects with) what a hook threw.
 */
export function runBeforeHooks(
  req: Request,
  first: readonly BeforeRequestHook[],
  second: readonly BeforeRequestHook[] | undefined,
  list = 0,
  at = 0,
): HandlerResult | Promise<HandlerResult> {
  for (; list < 2; list++, at = 0) {
    const hooks = list === 0 ? first : second;
    if (hooks === undefined) continue;
    for (; at < hooks.length; at++) {
      const out = hooks[at]!(req);
      if (isThenable<HandlerResult>(out)) {
        const next = at + 1;
        const from = list;
        return Promise.resolve(out).then((value) =>
          value === undefined ? runBeforeHooks(req, first, second, from, next) : value,
        );
      }
      if (out !== undefined) return out;
    }
  }
  return undefined;
}

/**
 * Runs the after-request hooks from `list` (0: `local`, the mounted app's, 1: `own`, the app's,
 * 2: the request's own) and position `at`, synchronously while they return plain values; from
 * the first hook that returns a promise on, it continues asynchronously. Each hook may replace
 * the response. Throws (or rejects with) what a hook threw.
 */
export function runAfterHooks(
  req: Request,
  res: Response,
  local: readonly AfterRequestHook[] | undefined,
  own: readonly AfterRequestHook[],
  list = 0,
  at = 0,
): Response | Promise<Response> {
  for (; list < 3; list++, at = 0) {
    // The request's own list is read afresh: hooks may register more hooks; run them all.
    const hooks = list === 0 ? local : list === 1 ? own : req.afterRequestHooks;
    if (hooks === undefined) continue;
    for (; at < hooks.length; at++) {
      const out = hooks[at]!(req, res);
      if (isThenable<Response | undefined | void>(out)) {
        const next = at + 1;
        const from = list;
        return Promise.resolve(out).then((value) =>
          runAfterHooks(req, value ?? res, local, own, from, next),
        );
      }
      res = out ?? res;
    }
  }
  return res;
}

/**
 * Runs after-error-request hooks in order, each of which may replace the response. A hook that
 * throws is logged and its response is a plain 500, which the next hooks still see.
 */
export async function runAfterErrorHooks(
  req: Request,
  res: Response,
  hooks: readonly AfterRequestHook[],
  app: { logError(err: unknown, req: Request): void },
): Promise<Response> {
  for (const hook of hooks) {
    try {
      res = (await hook(req, res)) ?? res;
    } catch (hookErr) {
      app.logError(hookErr, req);
      res = new Response('Internal server error', 500);
    }
  }
  return res;
}

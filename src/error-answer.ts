// How a failed request is answered: the error handler that matches (a locally mounted
// sub-application's first), or plain text; then the after-error-request hooks. Also the two
// errors routing raises, 404 and 405 (which carries its Allow list to the answer).
import { handlerFailure } from './error-handlers.js';
import { toResponse } from './handler.js';
import { type Hooks, runAfterErrorHooks } from './hooks.js';
import { HTTPException } from './http-exception.js';
import { prepareFileResponse } from './internal/file-answer.js';
import type { Request } from './request.js';
import { Response } from './response.js';

/** Where an answer to an error reports what went wrong. */
export interface ErrorLog {
  logError(err: unknown, req: Request): void;
}

/**
 * Answers a request that failed with `err`: the error handler registered for its status or
 * class, else a plain text response (500 for anything that is not an {@link HTTPException},
 * logged). Then the after-error-request hooks run. `local` (a sub-application mounted with
 * `local`, whose route failed) has its handlers tried first and its hooks run first.
 */
export async function answerError(
  req: Request,
  err: unknown,
  own: Hooks,
  local: Hooks | undefined,
  app: ErrorLog,
): Promise<Response> {
  let res: Response;
  try {
    res = await errorResponse(req, err, own, local, app);
  } catch (handlerErr) {
    app.logError(handlerFailure(handlerErr, err), req);
    res = new Response('Internal server error', 500);
  }
  if (res.file !== undefined) {
    // An error handler that answers with a file (a 404 page): a file that fails is plain text.
    try {
      res = await prepareFileResponse(req, res);
    } catch (fileErr) {
      if (!(fileErr instanceof HTTPException)) app.logError(fileErr, req);
      res =
        fileErr instanceof HTTPException
          ? new Response(fileErr.message, fileErr.status)
          : new Response('Internal server error', 500);
    }
  }
  if (res.statusCode === 405 && err instanceof HTTPException) {
    // RFC 9110 §15.5.6: a 405 lists the methods the resource supports.
    const allow = allowOf.get(err);
    if (allow !== undefined && res.getHeader('allow') === undefined) res.setHeader('Allow', allow);
  }
  if (local !== undefined) res = await runAfterErrorHooks(req, res, local.afterError, app);
  return runAfterErrorHooks(req, res, own.afterError, app);
}

/** The response of the error handler that matches `err`, or the default one. */
async function errorResponse(
  req: Request,
  err: unknown,
  own: Hooks,
  local: Hooks | undefined,
  app: ErrorLog,
): Promise<Response> {
  const sub = local === undefined ? undefined : local.errors;
  if (err instanceof HTTPException) {
    const handler = sub?.forStatus(err.status) ?? own.errors.forStatus(err.status);
    if (handler !== undefined) return toResponse(await handler(req, err));
    return err.res ?? new Response(err.message, err.status);
  }
  const handler = sub?.forClass(err) ?? own.errors.forClass(err);
  if (handler !== undefined) return toResponse(await handler(req, err));
  app.logError(err, req);
  const handler500 = sub?.forStatus(500) ?? own.errors.forStatus(500);
  if (handler500 !== undefined) {
    return toResponse(await handler500(req, new HTTPException(500, { cause: err })));
  }
  return new Response('Internal server error', 500);
}

/** The `Allow` list of each 405 that routing raised. */
const allowOf = new WeakMap<HTTPException, string>();

/** Routing's 404: no route matches the path. */
export function notFound(): HTTPException {
  return routingError(404, 'Not found');
}

/** Routing's 405: routes match the path, but none takes the method; `allow` is their list. */
export function notAllowed(allow: string): HTTPException {
  const err = routingError(405, 'Method not allowed');
  allowOf.set(err, allow);
  return err;
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

import type { Request } from './request.js';
import { type BodyInput, type HeaderRecord, type HeadersInput, Response } from './response.js';

/** What a handler may return; see {@link toResponse} for how each is sent. */
export type HandlerResult =
  | BodyInput
  | Response
  | number
  | readonly [BodyInput, number]
  | readonly [BodyInput, number, HeadersInput]
  | readonly [BodyInput, HeadersInput]
  | readonly [number, HeadersInput]
  | void;

/** A route handler: gets the request and the URL arguments. */
export type Handler<P = Record<string, unknown>> = (
  req: Request,
  params: P,
) => HandlerResult | Promise<HandlerResult>;

/** A before-request hook: returning anything but `undefined` short-circuits the request. */
export type BeforeRequestHook = (req: Request) => HandlerResult | Promise<HandlerResult>;

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

/** An error handler: turns an error (or an HTTP status) into a response. */
export type ErrorHandler<E = unknown> = (
  req: Request,
  err: E,
) => HandlerResult | Promise<HandlerResult>;

/** A handler result that is a promise (or any thenable). */
export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Turns a handler's result into a {@link Response}, as Microdot does: text or bytes → 200;
 * an object or array → JSON; `[body, status]`, `[body, status, headers]`, `[body, headers]`;
 * a number → that status with no body, and `[status, headers]` the same with headers; a
 * Response as is; `undefined` → 204.
 */
export function toResponse(result: HandlerResult): Response {
  if (result instanceof Response) return result;
  if (result === undefined) return new Response(null, 204);
  if (typeof result === 'number') return new Response(null, result);
  if (Array.isArray(result) && result.length >= 2 && result.length <= 3) {
    const [body, second, third] = result as [BodyInput, unknown, HeadersInput | undefined];
    if (typeof second === 'number') return new Response(body, second, third);
    if (result.length === 2 && isHeaders(second)) {
      // `[status, headers]`: that status with an empty body, as Microdot.
      if (typeof body === 'number') return new Response(null, body, second as HeadersInput);
      return new Response(body, 200, second as HeadersInput);
    }
  }
  return new Response(result as BodyInput);
}

/**
 * Whether the second item of a two-item result is headers: an object that is not an array, or
 * an array of `[name, value]` string pairs. Anything else (`[['a', 1, 2], ['b']]`) is a JSON body.
 */
function isHeaders(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (!Array.isArray(value)) return true;
  return value.every(
    (pair) =>
      Array.isArray(pair) &&
      pair.length === 2 &&
      typeof pair[0] === 'string' &&
      typeof pair[1] === 'string',
  );
}

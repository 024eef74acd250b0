// Server-Sent Events: Microdot's sse.py (`with_sse`, `sse_response`), with line breaks in the
// data sent as the standard requires, a keep-alive comment, and disconnects that reach the handler.
import type { Request } from '../index.js';
import { Response, wraps } from '../index.js';
import { EventStream, SSE } from './sse.js';

export { parseEventStream, type ServerSentEvent } from '../utils/event-stream.js';
export { dataText, formatEvent, type SendOptions } from './format.js';
export { SSE, SSEClosedError } from './sse.js';

/** Options of {@link withSSE} and {@link sseResponse}. */
export interface SSEOptions {
  /**
   * Milliseconds of silence after which a comment (`: keep-alive`) is sent, so proxies keep the
   * connection open and a departed client is noticed. Default 15 000; 0 turns it off.
   */
  keepAlive?: number;
  /** Extra response headers (`Content-Type: text/event-stream` and `Cache-Control` are set). */
  headers?: Record<string, string>;
}

/** The function that sends the events of one response. */
export type SSEFunction = (sse: SSE) => void | Promise<void>;

/**
 * An SSE route handler: the request, the event stream, then what the route gives (its URL
 * arguments, or a wrapper's own argument first, as `withSession`'s session).
 */
export type SSEHandler<A extends unknown[] = [Record<string, unknown>]> = (
  req: Request,
  sse: SSE,
  ...args: A
) => void | Promise<void>;

const DEFAULT_KEEP_ALIVE = 15_000;

/**
 * A response that streams the events `fn` sends (Microdot's `sse_response`). `fn` starts when
 * the connection asks for the body, so hooks and after-request handlers have run by then. When
 * `fn` returns, the stream ends; when it throws, the connection is cut (the error is logged).
 * When the client leaves, `sse.signal` is aborted and the next `sse.send` rejects.
 *
 * @example
 * ```ts
 * app.get('/feed', (req) =>
 *   sseResponse(req, async (sse) => {
 *     for (let n = 1; n <= 3; n++) await sse.send({ n });
 *   }),
 * );
 * ```
 */
export function sseResponse(req: Request, fn: SSEFunction, options: SSEOptions = {}): Response {
  const keepAlive = checkOptions(options);
  const lastEventId = req.header('last-event-id');
  const stream = new EventStream(
    async (s) => fn(new SSE(s, lastEventId)),
    keepAlive,
    (err) => req.app.logError(err, req),
  );
  return new Response(stream, 200, {
    ...options.headers,
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
  });
}

/**
 * Makes a route an SSE endpoint (Microdot's `with_sse`): the handler gets the request, an
 * {@link SSE} to send events with, and the URL arguments (after a wrapper's own argument:
 * `withSession(withSSE((req, sse, session, params) => …))`). Options are checked here, when
 * the route is defined.
 *
 * @example
 * ```ts
 * app.get('/events', withSSE(async (req, sse) => {
 *   await sse.send({ n: 1 }, { event: 'tick', id: '1' });
 *   await sse.send('still here', { comment: true });
 * }));
 * ```
 */
export function withSSE<A extends unknown[] = [Record<string, unknown>]>(
  handler: SSEHandler<A>,
  options: SSEOptions = {},
): (req: Request, ...args: A) => Response {
  checkOptions(options);
  const route = (req: Request, ...args: A): Response =>
    sseResponse(req, (sse) => handler(req, sse, ...args), options);
  return wraps(route, handler);
}

function checkOptions(options: SSEOptions): number {
  const keepAlive = options.keepAlive ?? DEFAULT_KEEP_ALIVE;
  if (!Number.isFinite(keepAlive) || keepAlive < 0 || keepAlive > 2 ** 31 - 1) {
    throw new TypeError(
      'SSE keepAlive must be a number of milliseconds between 0 (off) and 2147483647, for example 15000',
    );
  }
  return keepAlive;
}

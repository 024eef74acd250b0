import { reasonPhrase } from './internal/status.js';
import type { Response } from './response.js';

/** Options of {@link HTTPException}. */
export interface HTTPExceptionOptions {
  /** Text sent as the response body (default: the status's reason phrase). */
  message?: string;
  /** The error that led to this one, kept for logs. */
  cause?: unknown;
  /** A ready response to send instead of the default text one. */
  res?: Response;
}

/**
 * An HTTP outcome raised from anywhere in a request: the framework answers with its status
 * (or with the error handler registered for that status).
 *
 * @example
 * ```ts
 * app.get('/admin', (req) => {
 *   if (!req.headers.get('authorization')) throw new HTTPException(401, { message: 'Log in first' });
 *   return 'secret';
 * });
 * ```
 */
export class HTTPException extends Error {
  /** The HTTP status code of the answer. */
  readonly status: number;
  /** A ready response to send, when one was given. */
  readonly res: Response | undefined;

  constructor(status: number, options: HTTPExceptionOptions = {}) {
    super(options.message ?? reasonPhrase(status), { cause: options.cause });
    this.name = 'HTTPException';
    this.status = status;
    this.res = options.res;
  }
}

/**
 * Stops the current request with an HTTP error (Microdot's `abort`).
 *
 * @example
 * ```ts
 * app.get('/users/<int:id>', (req, { id }) => users.get(id) ?? abort(404, 'No such user'));
 * ```
 */
export function abort(status: number, reason?: string): never {
  throw new HTTPException(status, reason === undefined ? {} : { message: reason });
}

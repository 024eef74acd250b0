import type { ErrorHandler } from './handler.js';
import type { HTTPException } from './http-exception.js';

/**
 * The error handlers of one application: by HTTP status, and by class of error (looked up the
 * prototype chain, so a handler for `Error` catches every error).
 */
export class ErrorHandlers {
  #status = new Map<number, ErrorHandler<HTTPException>>();
  #classes = new Map<Function, ErrorHandler>();

  /** Registers (or replaces) the handler of a status or of a class of errors. */
  set(key: number | Function, handler: ErrorHandler<never>): void {
    if (typeof key === 'number') this.#status.set(key, handler as ErrorHandler<HTTPException>);
    else this.#classes.set(key, handler as ErrorHandler);
  }

  /** The handler of `status`, if any. */
  forStatus(status: number): ErrorHandler<HTTPException> | undefined {
    return this.#status.get(status);
  }

  /** The handler of the nearest class of `err` up its prototype chain, if any. */
  forClass(err: unknown): ErrorHandler | undefined {
    if (err === null || typeof err !== 'object' || this.#classes.size === 0) return undefined;
    for (
      let proto = Object.getPrototypeOf(err);
      proto !== null;
      proto = Object.getPrototypeOf(proto)
    ) {
      const handler = this.#classes.get(proto.constructor);
      if (handler !== undefined) return handler;
    }
    return undefined;
  }

  /** Moves every handler into `target` (replacing its own for the same key), leaving this empty. */
  moveTo(target: ErrorHandlers): void {
    for (const [status, h] of this.#status) target.#status.set(status, h);
    for (const [cls, h] of this.#classes) target.#classes.set(cls, h);
    this.#status = new Map();
    this.#classes = new Map();
  }
}

/**
 * What to report when an error handler throws `thrown` while it handled `original`: both, with
 * the original as the `cause` (Microdot prints both). An `Error` without a cause of its own gets
 * the original as its cause; anything else is wrapped in an `AggregateError` whose cause is the
 * original, so that neither is lost and the thrown value's own cause is never overwritten.
 */
export function handlerFailure(thrown: unknown, original: unknown): unknown {
  if (thrown instanceof Error && thrown.cause === undefined && thrown !== original) {
    thrown.cause = original;
    return thrown;
  }
  return new AggregateError([thrown], 'An error handler threw while handling an error', {
    cause: original,
  });
}

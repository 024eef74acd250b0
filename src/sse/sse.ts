import { formatEvent, type SendOptions } from './format.js';

/** The comment sent when the stream has been quiet for the keep-alive interval. */
const KEEP_ALIVE = ': keep-alive\n\n';

/** `SSE.send` after the client went away (or the stream was closed): nobody will read it. */
export class SSEClosedError extends Error {
  /** A stable code: `ERR_SSE_CLOSED`. */
  readonly code = 'ERR_SSE_CLOSED';

  constructor() {
    super('The event stream is closed: the client disconnected');
    this.name = 'SSEClosedError';
  }
}

interface Pending {
  chunk: string;
  resolve: () => void;
  reject: (err: Error) => void;
  promise?: Promise<void>;
}

/**
 * The event stream of one SSE response, given to the handler. `send` resolves once the event is
 * handed to the connection (so a handler that awaits it follows the client's pace) and rejects
 * with {@link SSEClosedError} once the client has gone.
 */
export class SSE {
  /** The `Last-Event-ID` the browser sent when it reconnected, if any. */
  readonly lastEventId: string | undefined;
  readonly #stream: EventStream;

  /** @internal Made by `sseResponse`. */
  constructor(stream: EventStream, lastEventId: string | undefined) {
    this.#stream = stream;
    this.lastEventId = lastEventId;
  }

  /**
   * Sends one event. Objects and arrays are sent as JSON, bytes as UTF-8 text, and other values
   * as text (see `dataText`); data with line breaks becomes several `data:` lines.
   *
   * @example
   * ```ts
   * await sse.send({ n: 1 }, { event: 'tick', id: '1' });
   * await sse.send('still here', { comment: true });
   * ```
   */
  send(data: unknown, options?: SendOptions): Promise<void> {
    let chunk: string;
    try {
      chunk = formatEvent(data, options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#stream.push(chunk);
  }

  /** Aborted when the client disconnects: pass it to whatever the handler waits on. */
  get signal(): AbortSignal {
    return this.#stream.controller.signal;
  }

  /** Whether the client has gone (or the stream ended). */
  get closed(): boolean {
    return this.#stream.closed;
  }
}

/**
 * The response body of an SSE response: an async iterator of event texts that runs the handler
 * when the first piece is asked for. While the handler is quiet for `keepAlive` ms, a comment
 * is sent; that timer exists only while the connection waits for a piece. `return()` (the
 * client went away) rejects every unsent and further `send`, and aborts the signal.
 */
export class EventStream implements AsyncIterableIterator<string> {
  readonly controller = new AbortController();
  closed = false;
  readonly #run: (stream: EventStream) => Promise<void>;
  readonly #keepAlive: number;
  readonly #onLateError: (err: unknown) => void;
  readonly #queue: Pending[] = [];
  /** The piece handed out last: its `send` resolves when the next one is asked for. */
  #delivered: Pending | undefined;
  #waiter:
    | { resolve: (result: IteratorResult<string>) => void; reject: (err: unknown) => void }
    | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #finished = false;
  #failure: { err: unknown } | undefined;

  constructor(
    run: (stream: EventStream) => Promise<void>,
    keepAlive: number,
    onLateError: (err: unknown) => void,
  ) {
    this.#run = run;
    this.#keepAlive = keepAlive;
    this.#onLateError = onLateError;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<string>> {
    this.#settleDelivered();
    if (!this.#started) this.#start();
    const pending = this.#queue.shift();
    if (pending !== undefined) {
      this.#delivered = pending;
      return Promise.resolve({ done: false, value: pending.chunk });
    }
    if (this.closed || this.#finished) return this.#end();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      if (this.#keepAlive > 0) {
        this.#timer = setTimeout(
          () => this.#wake({ done: false, value: KEEP_ALIVE }),
          this.#keepAlive,
        );
      }
    });
  }

  /** The connection is done with the body (the client went away, or it stopped reading). */
  return(): Promise<IteratorResult<string>> {
    this.#close();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Queues a piece; see {@link SSE.send}. */
  push(chunk: string): Promise<void> {
    if (this.closed || this.#finished) return quietRejection(new SSEClosedError());
    const pending = { chunk } as Pending;
    const sent = new Promise<void>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    pending.promise = sent;
    this.#queue.push(pending);
    if (this.#waiter !== undefined) {
      this.#delivered = this.#queue.shift();
      this.#wake({ done: false, value: chunk });
    }
    return sent;
  }

  #start(): void {
    this.#started = true;
    let out: Promise<void>;
    try {
      out = Promise.resolve(this.#run(this));
    } catch (err) {
      out = Promise.reject(err);
    }
    out.then(
      () => this.#finish(undefined),
      (err: unknown) => this.#finish({ err }),
    );
  }

  #finish(failure: { err: unknown } | undefined): void {
    this.#finished = true;
    if (this.closed) {
      // The client had gone: a rejected `send` is how the handler learnt it, not a fault.
      if (failure !== undefined && !(failure.err instanceof SSEClosedError)) {
        this.#onLateError(failure.err);
      }
      return;
    }
    this.#failure = failure;
    if (this.#waiter !== undefined && this.#queue.length === 0) {
      const waiter = this.#waiter;
      this.#clearWait();
      // The handler's error reaches the reader as a rejected `next()`.
      this.#end().then(waiter.resolve, waiter.reject);
    }
  }

  /** The end of the body: done, or the handler's error (once). */
  #end(): Promise<IteratorResult<string>> {
    this.#close();
    const failure = this.#failure;
    if (failure !== undefined) {
      this.#failure = undefined;
      return Promise.reject(failure.err);
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  #close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#wake({ done: true, value: undefined });
    const gone = new SSEClosedError();
    const unsent = this.#queue.splice(0);
    if (this.#delivered !== undefined) unsent.unshift(this.#delivered);
    this.#delivered = undefined;
    for (const pending of unsent) {
      // A handler that does not await `send` must not crash the process with an unhandled
      // rejection when the client leaves; one that awaits it still sees the rejection.
      pending.promise?.catch(() => {});
      pending.reject(gone);
    }
    this.controller.abort(gone);
  }

  #settleDelivered(): void {
    const delivered = this.#delivered;
    this.#delivered = undefined;
    delivered?.resolve();
  }

  #wake(result: IteratorResult<string>): void {
    const waiter = this.#waiter;
    this.#clearWait();
    waiter?.resolve(result);
  }

  #clearWait(): void {
    this.#waiter = undefined;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

/** A rejected promise that is not reported as unhandled (its awaiter still sees it). */
function quietRejection(err: Error): Promise<never> {
  const out = Promise.reject(err);
  out.catch(() => {});
  return out;
}

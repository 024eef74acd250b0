import { HTTPException } from './http-exception.js';

/**
 * A request body read as it arrives (`req.stream`, Microdot's `request.stream`): an async
 * iterable of chunks, readable once. Bodies larger than the app's `maxBodyLength` come only this
 * way (`req.body` is then empty); smaller ones are in `req.body` and here too.
 *
 * It never hangs and never lets the body grow past its limit:
 * - more than `maxContentLength` bytes (a chunked body, or one longer than it said) → an
 *   {@link HTTPException} 413 from the iteration;
 * - a client that disconnects mid-body → an {@link HTTPException} 400 from the iteration, so a
 *   handler's `for await` ends and its `finally` runs.
 *
 * @example
 * ```ts
 * app.post('/upload', async (req) => {
 *   let size = 0;
 *   for await (const chunk of req.stream) size += chunk.byteLength;
 *   return { size };
 * });
 * ```
 */
export class BodyStream implements AsyncIterable<Uint8Array> {
  #prefix: Uint8Array[];
  #rest: AsyncIterator<Uint8Array> | undefined;
  readonly #limit: number;
  #size: number;
  #used = false;
  #done = false;
  #pending: Uint8Array | undefined;

  /**
   * @param prefix chunks already read.
   * @param rest the rest of the body, if it is still arriving.
   * @param limit the most bytes the whole body may have.
   */
  constructor(prefix: Uint8Array[], rest: AsyncIterator<Uint8Array> | undefined, limit: number) {
    this.#prefix = prefix;
    this.#rest = rest;
    this.#limit = limit;
    this.#size = prefix.reduce((n, c) => n + c.byteLength, 0);
  }

  /** Whether every byte of the body has been read. */
  get complete(): boolean {
    return this.#done;
  }

  /** The chunks of the body, in order; a second iteration throws. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#used) throw new TypeError('The request stream can only be read once');
    this.#used = true;
    return {
      next: async () => {
        const chunk = await this.#next();
        return chunk === undefined
          ? { done: true, value: undefined }
          : { done: false, value: chunk };
      },
      return: async () => {
        await this.#stop();
        return { done: true, value: undefined };
      },
    };
  }

  /**
   * Reads up to `n` bytes (all that is left when `n` is omitted), as Microdot's
   * `request.stream.read(n)`: an empty array at the end of the body.
   */
  async read(n = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
    this.#used = true;
    const parts: Uint8Array[] = [];
    let size = 0;
    while (size < n) {
      const chunk = this.#pending ?? (await this.#next());
      this.#pending = undefined;
      if (chunk === undefined) break;
      const take = Math.min(chunk.byteLength, n - size);
      parts.push(take === chunk.byteLength ? chunk : chunk.subarray(0, take));
      if (take < chunk.byteLength) this.#pending = chunk.subarray(take);
      size += take;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }

  async #next(): Promise<Uint8Array | undefined> {
    const first = this.#prefix.shift();
    if (first !== undefined) return first;
    if (this.#rest === undefined) {
      this.#done = true;
      return undefined;
    }
    let step: IteratorResult<Uint8Array>;
    try {
      step = await this.#rest.next();
    } catch (err) {
      this.#rest = undefined;
      if (err instanceof HTTPException) throw err;
      throw new HTTPException(400, { message: 'The client closed the request', cause: err });
    }
    if (step.done) {
      this.#rest = undefined;
      this.#done = true;
      return undefined;
    }
    this.#size += step.value.byteLength;
    if (this.#size > this.#limit) {
      await this.#stop();
      throw new HTTPException(413, { message: 'Payload too large' });
    }
    return step.value;
  }

  async #stop(): Promise<void> {
    const rest = this.#rest;
    this.#rest = undefined;
    this.#prefix = [];
    await rest?.return?.();
  }
}

import { HTTPException } from '../index.js';

/**
 * Reads chunks from an async iterator, whole or `n` bytes at a time. An error from the source
 * becomes a 400 (a malformed or cut-off body) unless it already is an `HTTPException`.
 */
export class ChunkReader implements AsyncIterable<Uint8Array> {
  #source: AsyncIterator<Uint8Array> | undefined;
  #pending: Uint8Array | undefined;

  constructor(source: AsyncIterator<Uint8Array>) {
    this.#source = source;
  }

  /** The next chunk, or `undefined` at the end. */
  async next(): Promise<Uint8Array | undefined> {
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      return pending;
    }
    const source = this.#source;
    if (source === undefined) return undefined;
    let step: IteratorResult<Uint8Array>;
    try {
      step = await source.next();
    } catch (err) {
      this.#source = undefined;
      if (err instanceof HTTPException) throw err;
      throw new HTTPException(400, { message: 'Malformed multipart body', cause: err });
    }
    if (step.done) {
      this.#source = undefined;
      return undefined;
    }
    return step.value;
  }

  /** Up to `n` bytes (all that is left without `n`); an empty array at the end. */
  async read(n = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let size = 0;
    while (size < n) {
      const chunk = await this.next();
      if (chunk === undefined) break;
      const take = Math.min(chunk.byteLength, n - size);
      parts.push(chunk.subarray(0, take));
      if (take < chunk.byteLength) this.#pending = chunk.subarray(take);
      size += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  }

  /** Reads and drops the rest. */
  async discard(): Promise<void> {
    while ((await this.next()) !== undefined) {}
  }

  /** Stops reading without draining. */
  stop(): void {
    this.#source = undefined;
    this.#pending = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) {
      yield chunk;
    }
  }
}

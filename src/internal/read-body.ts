import { BodyStream } from '../body-stream.js';

/** A body read whole, one to read as a stream, or one over the limit. */
export type ReadBody = { body: Uint8Array } | { stream: BodyStream } | { tooLarge: true };

/** Body limits of an application. */
export interface BodyLimits {
  /** The largest body read whole into `req.body`. */
  maxBodyLength: number;
  /** The largest body accepted at all. */
  maxContentLength: number;
}

/**
 * Reads a request body from `source` as Microdot does: whole when it fits in `maxBodyLength`,
 * else as a {@link BodyStream} (what was read so far, then the rest) limited to
 * `maxContentLength`. A declared length over the limit is refused before reading anything.
 */
export async function readBody(
  source: AsyncIterator<Uint8Array>,
  limits: BodyLimits,
  declared: number | undefined,
): Promise<ReadBody> {
  if (declared !== undefined && declared > limits.maxContentLength) {
    await source.return?.();
    return { tooLarge: true };
  }
  if (declared !== undefined && declared > limits.maxBodyLength) {
    return { stream: new BodyStream([], source, limits.maxContentLength) };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const step = await source.next();
    if (step.done) break;
    size += step.value.byteLength;
    if (size > limits.maxContentLength) {
      await source.return?.();
      return { tooLarge: true };
    }
    chunks.push(step.value);
    if (size > limits.maxBodyLength) {
      return { stream: new BodyStream(chunks, source, limits.maxContentLength) };
    }
  }
  return { body: concat(chunks, size) };
}

/** The chunks as one array (the chunk itself when there is one). */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** An iterator over `bytes` in chunks of at most `size` bytes (for in-process bodies). */
export function chunksOf(bytes: Uint8Array, size = 64 * 1024): AsyncIterator<Uint8Array> {
  let at = 0;
  return {
    async next() {
      if (at >= bytes.byteLength) return { done: true, value: undefined };
      const chunk = bytes.subarray(at, at + size);
      at += chunk.byteLength;
      return { done: false, value: chunk };
    },
  };
}

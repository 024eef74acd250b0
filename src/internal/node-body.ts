import type { IncomingMessage } from 'node:http';

/**
 * The rest of a `node:http` request body as an async iterator, for a {@link BodyStream}.
 * Reading is paused between chunks (backpressure reaches the client through TCP). A client
 * that goes away before the end makes `next()` reject at once, whether the handler was already
 * waiting or reads later, so no promise is left hanging. `return()` stops reading without
 * destroying the socket, so a response (a 413, say) can still be sent; the adapter then closes
 * the connection instead of reading the rest.
 */
export function nodeBodyChunks(nreq: IncomingMessage): AsyncIterator<Uint8Array> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    nreq.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: unknown) => {
    failure ??= err;
    notify();
  };
  const onClose = () => {
    if (!ended) failure ??= new Error('The client closed the connection mid-body');
    notify();
  };
  const detach = () => {
    nreq.off('data', onData);
    nreq.off('end', onEnd);
    nreq.off('error', onError);
    nreq.off('close', onClose);
  };
  nreq.pause();
  nreq.on('data', onData);
  nreq.on('end', onEnd);
  nreq.on('error', onError);
  nreq.on('close', onClose);
  if (nreq.destroyed && !nreq.readableEnded)
    failure = new Error('The client closed the connection');
  return {
    async next() {
      for (;;) {
        const chunk = queue.shift();
        if (chunk !== undefined) return { done: false, value: chunk };
        if (failure !== undefined) {
          detach();
          throw failure;
        }
        if (ended) {
          detach();
          return { done: true, value: undefined };
        }
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        nreq.resume();
        await woken;
      }
    },
    async return() {
      detach();
      queue.length = 0;
      return { done: true, value: undefined };
    },
  };
}

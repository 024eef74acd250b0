// A promise whose resolve function is held outside it: a test holds a handler at a gate until it
// opens it, or waits until a handler has reached its end.

/**
 * A promise and the function that resolves it.
 *
 * @example
 * const { promise: finished, resolve: done } = deferred();
 * app.get('/sse', withSSE(async (_req, sse) => { await sse.send('x'); done(); }));
 */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// Handler wrappers that can be seen through, as Python's functools.wraps / __wrapped__.
//
// Extensions mark handlers (`csrf.exempt(h)`) and then look for the mark on the route a request
// matched (`req.route`). When another wrapper goes around the marked one
// (`withSession(csrf.exempt(h))`), the route is that outer wrapper: without a record of what it
// wraps, the mark would only work in one order. Wrappers record it with `wraps`; readers walk
// the chain with `unwrap`. A WeakMap, so no property is added to anyone's function.

const wrapped = new WeakMap<Function, Function>();

/** Longest chain {@link unwrap} follows (a guard against a cycle). */
const MAX_DEPTH = 64;

/**
 * Records that `wrapper` calls `inner`, and returns `wrapper`. Every handler wrapper should do
 * this (withSession does), so that marks such as `csrf.exempt` work in any order.
 *
 * @example
 * ```ts
 * import { wraps, type Handler } from 'microdot-ts';
 * function timed<P>(handler: Handler<P>): Handler<P> {
 *   return wraps(async (req, params) => {
 *     const start = Date.now();
 *     try { return await handler(req, params); } finally { console.log(Date.now() - start); }
 *   }, handler);
 * }
 * ```
 */
export function wraps<F extends Function>(wrapper: F, inner: Function): F {
  if (wrapper !== inner) wrapped.set(wrapper, inner);
  return wrapper;
}

/**
 * Walks a wrapped handler: `fn` itself, then what it wraps, and so on (at most 64 steps).
 *
 * @example
 * ```ts
 * const marked = new WeakSet<Function>();
 * const isMarked = (route: Function) => [...unwrap(route)].some((f) => marked.has(f));
 * ```
 */
export function* unwrap(fn: Function): Generator<Function, void, undefined> {
  let current: Function | undefined = fn;
  for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
    yield current;
    current = wrapped.get(current);
  }
}

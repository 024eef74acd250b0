/**
 * `fn()`, with its rejection (or what it threw) passed through `rethrow`: one handler given by
 * the caller, no async frame, for calls on every request's path (store calls, Redis commands).
 */
export function mapRejection<T>(
  fn: () => Promise<T>,
  rethrow: (error: unknown) => never,
): Promise<T> {
  let call: Promise<T>;
  try {
    call = fn();
  } catch (error) {
    call = Promise.reject(error);
  }
  return call.then(undefined, rethrow);
}

import { HTTPException } from '../http-exception.js';
import { StoreUnavailableError } from '../stores/store.js';

/**
 * Runs a call to a session store; an unreachable store becomes a 503 for this request. Used by
 * store mode and by the login's remember-me records alike.
 */
export function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  let call: Promise<T>;
  try {
    call = fn();
  } catch (err) {
    return Promise.reject(asHttp(err));
  }
  // One handler for every call, no async frame: this runs twice on each store-mode request.
  return call.then(undefined, rethrowAsHttp);
}

function rethrowAsHttp(err: unknown): never {
  throw asHttp(err);
}

function asHttp(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) {
    return new HTTPException(503, { message: 'Session store unavailable', cause: err });
  }
  return err;
}

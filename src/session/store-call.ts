import { HTTPException } from '../http-exception.js';
import { mapRejection } from '../internal/map-rejection.js';
import { StoreUnavailableError } from '../stores/store.js';

/**
 * Runs a call to a session store; an unreachable store becomes a 503 for this request. Used by
 * store mode and by the login's remember-me records alike.
 */
export function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  // One handler for every call, no async frame: this runs twice on each store-mode request.
  return mapRejection(fn, rethrowAsHttp);
}

function rethrowAsHttp(err: unknown): never {
  if (err instanceof StoreUnavailableError) {
    throw new HTTPException(503, { message: 'Session store unavailable', cause: err });
  }
  throw err;
}

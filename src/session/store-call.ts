import { HTTPException } from '../http-exception.js';
import { StoreUnavailableError } from '../stores/store.js';

/**
 * Runs a call to a session store; an unreachable store becomes a 503 for this request. Used by
 * store mode and by the login's remember-me records alike.
 */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new HTTPException(503, { message: 'Session store unavailable', cause: err });
    }
    throw err;
  }
}

import type { Response } from '../response.js';
import type { RequestSession } from './request-session.js';

/**
 * What a request will write at its end: a save of `data`, or a delete. Cookie mode encodes the
 * token at `save()` (to check its size there) and keeps it, with its Set-Cookie header and Max-Age.
 */
export type Pending =
  | {
      kind: 'save';
      data: Record<string, unknown>;
      token: string | undefined;
      header?: string;
      maxAge?: number;
    }
  | { kind: 'delete' };

/**
 * Where a session's data live: in the cookie ({@link CookieMode}) or in a store behind a signed
 * id ({@link StoreMode}). The request flow (load, save, end of request) is the same for both and
 * lives in {@link RequestSession}; it asks the mode only these three things.
 *
 * @internal
 */
export interface SessionMode {
  /**
   * The data of the request's cookie `token`, or `undefined` when it is not accepted. A value when
   * it can be had at once, a promise otherwise.
   */
  load(
    rs: RequestSession,
    token: string,
  ): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  /** What `save()` of `data` leaves to write at the end of the request (may throw: too large). */
  save(rs: RequestSession, data: Record<string, unknown>): Pending;
  /** Writes `pending` to the response (and the store); `restamp` gives the token a new lifetime. */
  finish(
    rs: RequestSession,
    res: Response,
    pending: Pending,
    restamp: boolean,
  ): void | Promise<void>;
}

import type { InvalidReason, ResolvedOptions } from './options.js';

/**
 * The claims of a session token and the rules of its lifetime: pure functions of the claims, the
 * options and the time, with no request or response in sight.
 */

/** The token claims the session layer keeps beside the data. */
export interface Claims {
  iat?: number;
  exp?: number;
  auth_time?: number;
  sid?: string;
}

/** The options that decide a session's lifetime. */
export type Lifetimes = Pick<
  ResolvedOptions,
  'maxAge' | 'idleTimeout' | 'absoluteTimeout' | 'clockSkew'
>;

/** The time claims of a request's session token (epoch seconds), as `Session.tokenClaims` gives them. */
export interface SessionClaims {
  /** When this token was issued. */
  iat?: number;
  /** When the session expires. */
  exp?: number;
  /** When the user last logged in (set by `regenerate()`, kept across renewals). */
  auth_time?: number;
}

/** Keys a token (or a store record) carries that are not data. */
const CLAIM_NAMES = new Set(['iat', 'exp', 'nbf', 'auth_time', 'sid', '_flash', '_meta', '_links']);

/** The time now in whole seconds since the epoch, as JWT time claims count it. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The data of a verified payload: its keys but the claims (and `__proto__`). */
export function withoutClaims(data: Record<string, unknown>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    if (key === '__proto__' || CLAIM_NAMES.has(key)) continue;
    clean[key] = data[key];
  }
  return clean;
}

/** An absent time claim, or a finite number. */
function isTime(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

/** How long a token issued now lives: `maxAge`, or `idleTimeout` when that is shorter. */
export function lifetimeOf(o: Lifetimes): number {
  return o.idleTimeout === undefined ? o.maxAge : Math.min(o.maxAge, o.idleTimeout);
}

/**
 * Checks the time claims of any verified token (RFC 7519 §4.1.4-6, with `skew` seconds of
 * allowance): each absent or a finite number, `iat` and `nbf` not in the future, `exp` not past.
 * `undefined` when they pass.
 */
export function checkTimes(
  payload: Record<string, unknown>,
  skew: number,
  now: number,
): InvalidReason | undefined {
  const { iat, exp, auth_time: authTime, nbf } = payload;
  if (!isTime(iat) || !isTime(exp) || !isTime(authTime) || !isTime(nbf)) return 'malformed';
  if (typeof iat === 'number' && iat > now + skew) return 'malformed';
  if (typeof nbf === 'number' && nbf > now + skew) return 'malformed';
  if (typeof exp === 'number' && exp <= now - skew) return 'expired';
  return undefined;
}

/**
 * Checks the time claims of a verified session payload (RFC 7519 §4.1.4, §4.1.6, with a clock-skew
 * allowance); a token without them (as Python Microdot issues) is accepted.
 */
export function checkClaims(
  payload: Record<string, unknown>,
  o: Lifetimes,
  now: number,
): Claims | InvalidReason {
  const { iat, exp, auth_time: authTime, sid } = payload;
  if (sid !== undefined && typeof sid !== 'string') return 'malformed';
  const failure = checkTimes(payload, o.clockSkew, now);
  if (failure !== undefined) return failure;
  // A lifetime shortened since the token was issued applies at once.
  if (typeof iat === 'number' && now - iat > lifetimeOf(o) + o.clockSkew) return 'expired';
  if (
    o.absoluteTimeout !== undefined &&
    typeof authTime === 'number' &&
    now - authTime > o.absoluteTimeout + o.clockSkew
  ) {
    return 'expired';
  }
  const claims: Claims = {};
  if (typeof iat === 'number') claims.iat = iat;
  if (typeof exp === 'number') claims.exp = exp;
  if (typeof authTime === 'number') claims.auth_time = authTime;
  if (typeof sid === 'string') claims.sid = sid;
  return claims;
}

/**
 * The claims of a token issued `now`: `iat`, `exp` (capped by `absoluteTimeout`) and
 * `auth_time`, which starts again for a `fresh` session and is kept otherwise. `sid` is kept.
 */
export function stampClaims(previous: Claims, o: Lifetimes, now: number, fresh: boolean): Claims {
  const authTime = fresh || previous.auth_time === undefined ? now : previous.auth_time;
  let exp = now + lifetimeOf(o);
  if (o.absoluteTimeout !== undefined) exp = Math.min(exp, authTime + o.absoluteTimeout);
  // Built field by field: a spread clone that then gains properties costs microseconds in V8.
  const claims: Claims = { iat: now, exp, auth_time: authTime };
  if (previous.sid !== undefined) claims.sid = previous.sid;
  return claims;
}

/** Whether a rolling session issued at `iat` is due for a new cookie (`renewAfter` share spent). */
export function renewalDue(
  iat: number | undefined,
  o: Lifetimes,
  renewAfter: number,
  now: number,
): boolean {
  return iat === undefined || now - iat >= renewAfter * lifetimeOf(o);
}

/** The cookie's Max-Age for claims expiring at `exp` (0 once past). */
export function maxAgeOf(claims: Claims, now: number): number {
  return Math.max(0, (claims.exp ?? now) - now);
}

import type { Request } from '../request.js';
import type { SessionStore } from '../stores/store.js';
import {
  COOKIE_OPTION_NAMES,
  CookieError,
  type CookieOptions,
  cookieSerializer,
} from '../utils/set-cookie.js';
import { SessionConfigError } from './errors.js';
import type { SecretInput } from './keyring.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** Why a session cookie was not accepted; given to {@link SessionOptions.onInvalid}. */
export type InvalidReason =
  | 'expired'
  | 'bad-signature'
  | 'unknown-key'
  | 'malformed'
  | 'too-large'
  | 'invalid-data';

/** Options of {@link Session}; every default is the safe one. */
export interface SessionOptions {
  /**
   * The secret key (at least 32 bytes), or a key ring: new tokens are signed with the first key,
   * tokens signed with any of them are accepted (and re-issued with the first, see
   * {@link SessionOptions.reissue}).
   */
  secretKey?: SecretInput | readonly SecretInput[];
  /** Cookie attributes (those of `Response.setCookie`). Defaults: Path=/, HttpOnly, SameSite=Lax. */
  cookieOptions?: CookieOptions;
  /** The cookie's name (default `session`, as Microdot). */
  cookieName?: string;
  /** Use the `__Host-` cookie-name prefix (forces Secure, Path=/ and no Domain). */
  hostPrefix?: boolean;
  /** Lifetime of a session in seconds, carried in the token's `exp` and the cookie's Max-Age (default 14 days). */
  maxAge?: number;
  /** End a session after this many seconds without a request (renews the cookie as it is used). */
  idleTimeout?: number;
  /** End a session this many seconds after it began, renewals or not. */
  absoluteTimeout?: number;
  /** Clock-skew allowance in seconds for `exp` and `iat` (default 60). */
  clockSkew?: number;
  /**
   * Re-issue the cookie without a `save()` once this share of its lifetime has passed:
   * `true` means 0.5; a number in (0, 1] sets the share (default off, on with idleTimeout).
   */
  rolling?: boolean | number;
  /** Re-issue a cookie signed with an older key of the ring with the newest (default true). */
  reissue?: boolean;
  /** Encrypt the token (compact JWE, dir + A256GCM) so the client cannot read the data. */
  encrypt?: boolean;
  /** The largest `Set-Cookie` value accepted; past it `save()` throws `SessionTooLargeError` (default 4096). */
  maxCookieSize?: number;
  /** Honour `X-Forwarded-Proto` when deciding whether the request came over https. */
  trustProxy?: boolean;
  /** Save at the end of the request if the data changed (default: only on `save()`, as Microdot). */
  autoSave?: boolean;
  /** A Standard Schema (zod, valibot, …) the data must pass; data that fail it count as tampered. */
  validate?: StandardSchemaV1;
  /** Called with a reason code for every cookie that was not accepted. Never given the token. */
  onInvalid?: (reason: InvalidReason, req: Request) => void;
  /** Keep data server-side in this store; the cookie then carries only a signed session id. */
  store?: SessionStore;
  /**
   * The data key that names the session's user, for `destroyAll`, `listSessions` and
   * `maxSessionsPerUser` (default `userId`). Its value must be a string or a finite number
   * (`42` and `'42'` are the same user); `save()` refuses anything else. A session without it
   * is indexed by `_user_id`, where `microdot-ts/login` keeps the logged-in user.
   */
  userKey?: string;
  /**
   * Store mode: the most sessions one user may have (ASVS 5.0 V7.1.2). A login past it ends the
   * user's least recently seen session. Default: no limit.
   */
  maxSessionsPerUser?: number;
  /**
   * How many recently verified tokens to remember (default 1000; `0` turns it off). A cookie
   * sent again skips the HMAC (or AES-GCM) computation: its signature (or tag) is compared, in
   * constant time, with the one computed when it first verified. Only tokens that verified are
   * remembered, and `exp`, `iat` and the timeouts are still checked on every request. Holds at
   * most twice this many tokens of up to 2048 characters each.
   */
  verifyCache?: number;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  cookieName: string;
  cookie: CookieOptions;
  forceSecure: boolean;
  maxAge: number;
  idleTimeout: number | undefined;
  absoluteTimeout: number | undefined;
  clockSkew: number;
  renewAfter: number | undefined;
  reissue: boolean;
  encrypt: boolean;
  maxCookieSize: number;
  trustProxy: boolean;
  autoSave: boolean;
  validate: StandardSchemaV1 | undefined;
  onInvalid: ((reason: InvalidReason, req: Request) => void) | undefined;
  store: SessionStore | undefined;
  userKey: string;
  maxSessionsPerUser: number | undefined;
  verifyCache: number;
}

const DAY = 24 * 60 * 60;
const STORE_METHODS = [
  'get',
  'set',
  'destroy',
  'touch',
  'destroyAll',
  'list',
  'destroyOwned',
  'clear',
] as const;
const KNOWN = new Set([
  'secretKey',
  'cookieOptions',
  'cookieName',
  'hostPrefix',
  'maxAge',
  'idleTimeout',
  'absoluteTimeout',
  'clockSkew',
  'rolling',
  'reissue',
  'encrypt',
  'maxCookieSize',
  'trustProxy',
  'autoSave',
  'validate',
  'onInvalid',
  'store',
  'userKey',
  'maxSessionsPerUser',
  'verifyCache',
]);

function seconds(
  name: string,
  value: number | undefined,
  fallback: number | undefined,
): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SessionConfigError(
      `${name} must be a positive number of seconds, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Builds the session cookie once, as it is sent over http and over https, so that attributes
 * that would fail on every response (a `path` with `;`, an unknown `sameSite`, a `__Host-` or
 * `__Secure-` name without Secure, Partitioned without Secure) fail here instead.
 */
function checkCookie(name: string, cookie: CookieOptions): void {
  try {
    cookieSerializer(name, cookie);
    if (cookie.secure !== false) cookieSerializer(name, { ...cookie, secure: true });
  } catch (error) {
    if (!(error instanceof CookieError)) throw error;
    throw new SessionConfigError(`Invalid session cookie options: ${error.message}`, {
      cause: error,
    });
  }
}

/** Validates `options` and fills in the defaults; throws `SessionConfigError` on a bad one. */
export function resolveOptions(options: SessionOptions): ResolvedOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new SessionConfigError(
        `Unknown session option "${key}"; known: ${[...KNOWN].join(', ')}`,
      );
    }
  }
  const given = options.cookieOptions ?? {};
  for (const key of Object.keys(given)) {
    if (!COOKIE_OPTION_NAMES.has(key)) {
      throw new SessionConfigError(
        `Unknown cookie option "${key}"; known: ${[...COOKIE_OPTION_NAMES].join(', ')}`,
      );
    }
  }
  if (given.expires !== undefined || given.maxAge !== undefined) {
    throw new SessionConfigError(
      'Set the session lifetime with the maxAge option of the Session, not in cookieOptions',
    );
  }
  const hostPrefix = options.hostPrefix ?? false;
  const cookie: CookieOptions = { path: '/', httpOnly: true, sameSite: 'Lax', ...given };
  if (hostPrefix) {
    if (cookie.path !== '/' || cookie.domain !== undefined || cookie.secure === false) {
      throw new SessionConfigError('__Host- cookies must have Path "/", no Domain, and Secure');
    }
    cookie.secure = true;
  }
  const sameSite = cookie.sameSite?.toLowerCase();
  if (sameSite === 'none' && cookie.secure !== true) {
    throw new SessionConfigError('SameSite=None needs Secure: set cookieOptions.secure to true');
  }
  const name = options.cookieName ?? 'session';
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new SessionConfigError(
      `Invalid cookie name "${name}": use letters, digits and !#$%&'*+-.^_\`|~`,
    );
  }
  const cookieName = hostPrefix ? `__Host-${name}` : name;
  checkCookie(cookieName, cookie);
  const maxAge = seconds('maxAge', options.maxAge, 14 * DAY)!;
  const idleTimeout = seconds('idleTimeout', options.idleTimeout, undefined);
  const absoluteTimeout = seconds('absoluteTimeout', options.absoluteTimeout, undefined);
  const clockSkew = options.clockSkew ?? 60;
  if (
    typeof clockSkew !== 'number' ||
    !Number.isFinite(clockSkew) ||
    clockSkew < 0 ||
    clockSkew > 600
  ) {
    throw new SessionConfigError('clockSkew must be between 0 and 600 seconds');
  }
  let renewAfter: number | undefined;
  const rolling = options.rolling ?? idleTimeout !== undefined;
  if (rolling === true) renewAfter = 0.5;
  else if (typeof rolling === 'number') {
    if (!(rolling > 0 && rolling <= 1))
      throw new SessionConfigError('rolling must be true, false, or a share in (0, 1]');
    renewAfter = rolling;
  } else if (rolling !== false) {
    throw new SessionConfigError('rolling must be true, false, or a share in (0, 1]');
  }
  const maxCookieSize = options.maxCookieSize ?? 4096;
  if (!Number.isInteger(maxCookieSize) || maxCookieSize < 64) {
    throw new SessionConfigError('maxCookieSize must be an integer of at least 64 bytes');
  }
  const verifyCache = options.verifyCache ?? 1000;
  if (!Number.isInteger(verifyCache) || verifyCache < 0) {
    throw new SessionConfigError('verifyCache must be a whole number of tokens (0 turns it off)');
  }
  const validate = options.validate;
  if (validate !== undefined && typeof validate?.['~standard']?.validate !== 'function') {
    throw new SessionConfigError('validate must be a Standard Schema (zod, valibot, arktype, …)');
  }
  const store = options.store;
  if (store !== undefined) {
    for (const method of STORE_METHODS) {
      if (typeof store[method] !== 'function') {
        throw new SessionConfigError(`store must implement SessionStore: missing ${method}()`);
      }
    }
  }
  const maxSessionsPerUser = options.maxSessionsPerUser;
  if (maxSessionsPerUser !== undefined) {
    if (!Number.isInteger(maxSessionsPerUser) || maxSessionsPerUser < 1) {
      throw new SessionConfigError(
        `maxSessionsPerUser must be a whole number of sessions >= 1, got ${String(maxSessionsPerUser)}`,
      );
    }
    if (store === undefined) {
      throw new SessionConfigError(
        'maxSessionsPerUser needs a server-side store: cookie sessions cannot be counted or ended',
      );
    }
  }
  return {
    cookieName,
    cookie,
    forceSecure: cookie.secure === true,
    maxAge,
    idleTimeout,
    absoluteTimeout,
    clockSkew,
    renewAfter,
    reissue: options.reissue ?? true,
    encrypt: options.encrypt ?? false,
    maxCookieSize,
    trustProxy: options.trustProxy ?? false,
    autoSave: options.autoSave ?? false,
    validate,
    onInvalid: options.onInvalid,
    store,
    userKey: options.userKey ?? 'userId',
    maxSessionsPerUser,
    verifyCache,
  };
}

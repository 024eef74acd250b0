/**
 * Pure `Set-Cookie` serialising (RFC 6265, with the prefixes, SameSite and Partitioned rules of
 * RFC 6265bis / CHIPS): what may be sent, checked, and the header written. No response types
 * here: `response.ts` and the session cookie build on these functions.
 */
import { sameSiteOf } from '../internal/cookie-syntax.js';

/**
 * Thrown by {@link serializeCookie} when a name, value or option cannot be sent safely.
 *
 * @example
 * try {
 *   serializeCookie('id', 'a;b');
 * } catch (err) {
 *   if (err instanceof CookieError) console.log(err.code); // 'ERR_INVALID_COOKIE'
 * }
 */
export class CookieError extends TypeError {
  readonly code = 'ERR_INVALID_COOKIE' as const;
  override name = 'CookieError';
}

/**
 * Options for {@link serializeCookie}, in the spelling of `Response.setCookie`.
 *
 * @example
 * const options: CookieOptions = { path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 3600 };
 */
export interface CookieOptions {
  path?: string;
  domain?: string;
  /** A `Date`, milliseconds since the epoch, or an HTTP date string (checked, sent as is). */
  expires?: Date | number | string;
  /** Seconds; a finite number is rounded down, a negative one sent as 0 (RFC 6265 §5.2.2). */
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  partitioned?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | 'strict' | 'lax' | 'none';
}

/** The option names of {@link CookieOptions}; anything else is refused. */
export const COOKIE_OPTION_NAMES: ReadonlySet<string> = new Set([
  'path',
  'domain',
  'expires',
  'maxAge',
  'secure',
  'httpOnly',
  'partitioned',
  'sameSite',
]);

// RFC 7230 §3.2.6 token, which RFC 6265 §4.1.1 requires of a cookie-name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 §4.1.1 cookie-octet excludes SP, DQUOTE, ',', '\' too, but browsers store those
// (§5.2 splits only on ';'). We refuse what breaks the header or the parse: ';', CTLs
// (incl. CR, LF, NUL, DEL), non-ASCII, and leading or trailing spaces (trimmed by §5.2).
const VALUE = /^(?:[\x21-\x3A\x3C-\x7E](?:[\x20-\x3A\x3C-\x7E]*[\x21-\x3A\x3C-\x7E])?)?$/;
// RFC 6265 §4.1.1 path-value: any CHAR except CTLs or ';'.
const PATH = /^[\x20-\x3A\x3C-\x7E]+$/;
// Domain: visible ASCII without ';' (a host, optionally with the port Microdot's tests use).
const DOMAIN = /^[\x21-\x3A\x3C-\x7E]+$/;
const VALUE_RULE =
  "the value must be printable ASCII without ';' and without leading or trailing spaces (encode it first)";
const HTTP_DATE_CHARS = /^[\x20-\x3A\x3C-\x7E]+$/;

function fail(name: string, why: string): never {
  throw new CookieError(`Cookie ${JSON.stringify(name)}: ${why}`);
}

function formatExpires(name: string, expires: Date | number | string): string {
  if (typeof expires === 'string') {
    if (!HTTP_DATE_CHARS.test(expires) || Number.isNaN(Date.parse(expires))) {
      fail(name, `expires ${JSON.stringify(expires)} is not an HTTP date`);
    }
    return expires;
  }
  const date = typeof expires === 'number' ? new Date(expires) : expires;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    fail(name, 'expires must be a valid Date, a number of milliseconds or an HTTP date string');
  }
  // RFC 6265 §5.1.1 rejects years before 1601; four digits is all a cookie-date can carry.
  const year = date.getUTCFullYear();
  if (year < 1601 || year > 9999) fail(name, `expires year ${year} is outside 1601-9999`);
  return date.toUTCString(); // IMF-fixdate, RFC 7231 §7.1.1.1
}

/**
 * Builds a `Set-Cookie` header value, attributes in a fixed order:
 * `name=value; Path; Domain; Expires; Max-Age; Secure; HttpOnly; SameSite; Partitioned`.
 *
 * The value is written as given (no percent-encoding, as Microdot). Empty `path` / `domain`
 * are left out.
 *
 * @throws {CookieError} when the name is not a token, the value has `;`, control or non-ASCII
 *   characters or edge spaces, an option is unknown or malformed, or the prefix / SameSite /
 *   Partitioned rules are broken (`__Host-` needs Secure, `Path=/`, no Domain; `__Secure-`,
 *   `SameSite=None` and `Partitioned` need Secure).
 * @example
 * serializeCookie('session', 'abc', { path: '/', httpOnly: true, sameSite: 'lax' });
 * // 'session=abc; Path=/; HttpOnly; SameSite=Lax'
 */
export function serializeCookie(name: string, value: string, options?: CookieOptions): string {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new CookieError(
      `Invalid cookie name ${JSON.stringify(name)}: use letters, digits and !#$%&'*+-.^_\`|~ only`,
    );
  }
  if (typeof value !== 'string' || !VALUE.test(value)) {
    fail(name, VALUE_RULE);
  }
  let header = `${name}=${value}`;
  if (options == null) options = {};
  else if (typeof options !== 'object') fail(name, 'options must be an object');
  for (const key in options) {
    if (!COOKIE_OPTION_NAMES.has(key)) fail(name, `unknown option "${key}"`);
  }
  const { path, domain, expires, maxAge, secure, httpOnly, partitioned, sameSite } = options;
  if (secure !== undefined && typeof secure !== 'boolean') fail(name, 'secure must be a boolean');
  if (httpOnly !== undefined && typeof httpOnly !== 'boolean') {
    fail(name, 'httpOnly must be a boolean');
  }
  if (partitioned !== undefined && typeof partitioned !== 'boolean') {
    fail(name, 'partitioned must be a boolean');
  }

  if (path !== undefined && path !== '') {
    if (typeof path !== 'string' || !PATH.test(path)) {
      fail(name, "path must be printable ASCII without ';'");
    }
    header += `; Path=${path}`;
  }
  if (domain !== undefined && domain !== '') {
    if (typeof domain !== 'string' || !DOMAIN.test(domain)) {
      fail(name, "domain must be visible ASCII without ';' or spaces");
    }
    header += `; Domain=${domain}`;
  }
  if (expires !== undefined) header += `; Expires=${formatExpires(name, expires)}`;
  if (maxAge !== undefined) header += `; Max-Age=${maxAgeSeconds(name, maxAge)}`;
  if (secure) header += '; Secure';
  if (httpOnly) header += '; HttpOnly';
  if (sameSite !== undefined) {
    const canonical = typeof sameSite === 'string' ? sameSiteOf(sameSite) : undefined;
    if (canonical === undefined) fail(name, 'sameSite must be "Strict", "Lax" or "None"');
    // RFC 6265bis §5.6.7: browsers reject SameSite=None without Secure.
    if (canonical === 'None' && !secure) fail(name, 'SameSite=None requires secure: true');
    header += `; SameSite=${canonical}`;
  }
  if (partitioned) {
    // CHIPS (draft-cutler-httpbis-partitioned-cookies §2.1): Partitioned requires Secure.
    if (!secure) fail(name, 'Partitioned requires secure: true');
    header += '; Partitioned';
  }

  // RFC 6265bis §4.1.3 cookie prefixes (matched case-insensitively, as browsers do).
  const lower = name.length > 6 ? name.slice(0, 9).toLowerCase() : '';
  if (lower.startsWith('__secure-') && !secure) {
    fail(name, 'a __Secure- cookie must have secure: true');
  }
  if (lower.startsWith('__host-')) {
    if (!secure) fail(name, 'a __Host- cookie must have secure: true');
    if (path !== '/') fail(name, 'a __Host- cookie must have path: "/"');
    if (domain !== undefined && domain !== '')
      fail(name, 'a __Host- cookie must not have a domain');
  }
  return header;
}

function maxAgeSeconds(name: string, maxAge: unknown): number {
  if (typeof maxAge !== 'number' || !Number.isFinite(maxAge)) {
    fail(name, 'maxAge must be a finite number of seconds');
  }
  const seconds = Math.max(0, Math.floor(maxAge));
  if (seconds > Number.MAX_SAFE_INTEGER) fail(name, 'maxAge is too large');
  return seconds;
}

/**
 * A `Set-Cookie` serialiser for cookie `name` with fixed `options`: the name and options are
 * checked once, here (throwing as {@link serializeCookie} would), so each call checks only the
 * value and `maxAge`. `serialize(value, maxAge)` returns exactly
 * `serializeCookie(name, value, { ...options, maxAge })`.
 *
 * @throws {CookieError} as {@link serializeCookie}, or when `options` holds a `maxAge` (give
 *   it per call).
 * @example
 * const serialize = cookieSerializer('session', { path: '/', httpOnly: true, sameSite: 'Lax' });
 * serialize('abc', 3600); // 'session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax'
 */
export function cookieSerializer(
  name: string,
  options: Omit<CookieOptions, 'maxAge'> = {},
): (value: string, maxAge?: number) => string {
  if (options === null || typeof options !== 'object') fail(name, 'options must be an object');
  if ('maxAge' in options) fail(name, 'give maxAge to each call, not in the options');
  // Max-Age sits between Expires and Secure; no other attribute can hold '; Max-Age=0' (';' is
  // refused in every value), so this splits the constant attributes around it.
  const MARK = '; Max-Age=0';
  const whole = serializeCookie(name, '', { ...options, maxAge: 0 });
  const at = whole.indexOf(MARK);
  const start = `${name}=`;
  const before = whole.slice(start.length, at);
  const after = whole.slice(at + MARK.length);
  const without = before + after;
  return (value, maxAge) => {
    if (typeof value !== 'string' || !VALUE.test(value)) {
      fail(name, VALUE_RULE);
    }
    return maxAge === undefined
      ? start + value + without
      : `${start}${value}${before}; Max-Age=${maxAgeSeconds(name, maxAge)}${after}`;
  };
}

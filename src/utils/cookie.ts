/**
 * Pure cookie parsing and serialising (RFC 6265, with the prefixes, SameSite and Partitioned
 * rules of RFC 6265bis / CHIPS). No request or response types here: `request.ts`,
 * `response.ts` and the test client's cookie jar build on these functions.
 */

/** The most cookies {@link parseCookies} reads from one header. */
const MAX_COOKIES = 1000;

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

/**
 * One cookie as read from a `Set-Cookie` header by {@link parseSetCookie}.
 *
 * @example
 * const c: SetCookie = { name: 'id', value: '1', secure: false, httpOnly: true, partitioned: false };
 */
export interface SetCookie {
  name: string;
  value: string;
  path?: string;
  /** Lower-cased, without a leading dot (RFC 6265 §5.2.3). */
  domain?: string;
  expires?: Date;
  maxAge?: number;
  secure: boolean;
  httpOnly: boolean;
  /** `'Strict'`, `'Lax'` or `'None'`; other values are dropped. */
  sameSite?: string;
  partitioned: boolean;
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

function sameSiteOf(value: string): 'Strict' | 'Lax' | 'None' | undefined {
  switch (value.toLowerCase()) {
    case 'strict':
      return 'Strict';
    case 'lax':
      return 'Lax';
    case 'none':
      return 'None';
    default:
      return undefined;
  }
}

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

/**
 * Parses a `Cookie` request header (RFC 6265 §5.4 / §4.2.1) into a null-prototype object.
 *
 * Pairs are split on `;` and trimmed of spaces and tabs; the first occurrence of a name wins
 * (§5.4 sends cookies with longer paths first); one pair of surrounding double quotes is
 * removed; values are not percent-decoded. Pairs without `=` or with an empty name are
 * skipped, at most 1000 cookies are read. Never throws.
 *
 * @example
 * parseCookies('session=abc; theme="dark"; session=old'); // { session: 'abc', theme: 'dark' }
 * parseCookies(undefined); // {}
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (typeof header !== 'string' || header === '') return out;
  const length = header.length;
  let count = 0;
  let start = 0;
  let eq = -1;
  while (start < length && count < MAX_COOKIES) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    // Reuse the last '=' found while it is still ahead: searching again for every pair would
    // be quadratic on headers such as 'a;a;a;…;b=1'.
    if (eq < start) eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const name = trimOws(header, start, eq);
      if (name !== '' && out[name] === undefined) {
        let value = trimOws(header, eq + 1, end);
        if (value.length >= 2 && value.charCodeAt(0) === 34 && value.endsWith('"')) {
          value = value.slice(1, -1);
        }
        out[name] = value;
        count++;
      }
    } else if (eq === -1) {
      // No '=' anywhere after this point: no further pair can be a cookie.
      break;
    }
    start = end + 1;
  }
  return out;
}

/**
 * The value of cookie `name` in a `Cookie` request header: exactly
 * `parseCookies(header)[name]`, without building the object of every cookie (a null-prototype
 * object is a hash table in V8, costly to fill for one lookup). Never throws.
 *
 * @example
 * cookieValue('theme="dark"; session=abc', 'session'); // 'abc'
 * cookieValue('a=1', 'session'); // undefined
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string' || header === '' || name === '') return undefined;
  const length = header.length;
  let pairs = 0;
  let start = 0;
  let eq = -1;
  while (start < length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    if (eq < start) eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const key = trimOws(header, start, eq);
      if (key !== '') {
        // parseCookies stops after MAX_COOKIES distinct names; past that many pairs, let it decide.
        if (++pairs > MAX_COOKIES) return parseCookies(header)[name];
        if (key === name) {
          const value = trimOws(header, eq + 1, end);
          return value.length >= 2 && value.charCodeAt(0) === 34 && value.endsWith('"')
            ? value.slice(1, -1)
            : value;
        }
      }
    } else if (eq === -1) {
      break;
    }
    start = end + 1;
  }
  return undefined;
}

/** `s.slice(start, end)` without the spaces and tabs (RFC 7230 OWS) at either end. */
function trimOws(s: string, start: number, end: number): string {
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Parses one `Set-Cookie` header value leniently (RFC 6265 §5.2), for the test client's jar.
 *
 * Attribute names are case-insensitive and the last occurrence wins (§5.3 step 7 reads the
 * last one); malformed attributes are ignored. A relative `Path` is ignored (§5.2.4).
 *
 * @returns the cookie, or `undefined` when the name-value pair has no `=` or an empty name
 *   (§5.2 steps 2 and 5). Never throws.
 * @example
 * parseSetCookie('id=1; Path=/; Max-Age=60; HttpOnly');
 * // { name: 'id', value: '1', path: '/', maxAge: 60, secure: false, httpOnly: true, partitioned: false }
 */
export function parseSetCookie(line: string): SetCookie | undefined {
  if (typeof line !== 'string') return undefined;
  let end = line.indexOf(';');
  if (end === -1) end = line.length;
  const eq = line.indexOf('=');
  if (eq === -1 || eq > end) return undefined;
  const name = trimOws(line, 0, eq);
  if (name === '') return undefined;
  const cookie: SetCookie = {
    name,
    value: trimOws(line, eq + 1, end),
    secure: false,
    httpOnly: false,
    partitioned: false,
  };
  while (end < line.length) {
    const start = end + 1;
    end = line.indexOf(';', start);
    if (end === -1) end = line.length;
    const attr = line.slice(start, end);
    const sep = attr.indexOf('=');
    const key = trimOws(attr, 0, sep === -1 ? attr.length : sep).toLowerCase();
    const value = sep === -1 ? '' : trimOws(attr, sep + 1, attr.length);
    switch (key) {
      case 'expires': {
        // §5.2.1: an unparseable date leaves the attribute out.
        const time = Date.parse(value);
        if (!Number.isNaN(time)) cookie.expires = new Date(time);
        break;
      }
      case 'max-age':
        // §5.2.2: '-'? DIGIT+, anything else is ignored.
        if (/^-?\d+$/.test(value)) cookie.maxAge = Number(value);
        break;
      case 'domain':
        // §5.2.3: ignore an empty value, drop one leading dot, compare lower-case.
        if (value !== '') {
          cookie.domain = (value.charCodeAt(0) === 46 ? value.slice(1) : value).toLowerCase();
        }
        break;
      case 'path':
        // §5.2.4: only absolute paths count; otherwise the default path applies.
        if (value.charCodeAt(0) === 47) cookie.path = value;
        else delete cookie.path;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'partitioned':
        cookie.partitioned = true;
        break;
      case 'samesite': {
        const sameSite = sameSiteOf(value);
        if (sameSite === undefined) delete cookie.sameSite;
        else cookie.sameSite = sameSite;
        break;
      }
    }
  }
  return cookie;
}

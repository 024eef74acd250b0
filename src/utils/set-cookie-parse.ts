/**
 * Lenient `Set-Cookie` parsing (RFC 6265 §5.2), as a user agent reads the header: for the test
 * client's cookie jar. Pure.
 */
import { sameSiteOf, trimOws } from '../internal/cookie-syntax.js';

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

/**
 * Pure parsing of the `Cookie` request header (RFC 6265 §5.4 / §4.2.1). No request types here:
 * `request.ts` builds `req.cookies` and `req.cookie(name)` on these functions. Writing a
 * `Set-Cookie` header is set-cookie.ts; reading one (the test client's jar) set-cookie-parse.ts.
 */
import { trimOws } from '../internal/cookie-syntax.js';

/** The most cookies {@link parseCookies} reads from one header. */
const MAX_COOKIES = 1000;

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

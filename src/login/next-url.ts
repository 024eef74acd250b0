/**
 * The `next` parameter of the login redirect: how it is written (Microdot's `urlencode`, with
 * its double-encoding of `+` fixed) and which values `loginUser` will follow. Pure functions.
 */

/** Longest `next` followed; a longer one is replaced by the default. */
export const MAX_NEXT_LENGTH = 2048;

// What a query value may carry as is (RFC 3986 §3.4 query characters, minus the ones that
// separate parameters): so `/?foo=bar` is written `/%3Ffoo%3Dbar`, as Microdot writes it.
const KEEP = /[A-Za-z0-9\-._~!$'()*,;:@/]/;

/**
 * `url` (a request's path and query) as the value of a `next` query parameter: every character
 * but letters, digits and `-._~!$'()*,;:@/` percent-encoded as UTF-8, so the value decodes back
 * to `url` exactly (Microdot encodes `+` as `%2B` and then its `%` again).
 *
 * @example
 * ```ts
 * encodeNext('/?foo=bar'); // '/%3Ffoo%3Dbar'
 * encodeNext('/a+b c');    // '/a%2Bb%20c'
 * ```
 */
export function encodeNext(url: string): string {
  let out = '';
  for (const ch of url) {
    if (KEEP.test(ch)) out += ch;
    // A lone surrogate has no UTF-8 form (encodeURIComponent would throw): U+FFFD instead.
    else out += encodeURIComponent(ch.length === 1 && LONE.test(ch) ? '\ufffd' : ch);
  }
  return out;
}

const LONE = /[\ud800-\udfff]/;
const BASE = 'http://next.invalid';

/**
 * Whether `value` is a path on this site that a login may redirect to. Microdot follows any
 * `next` that starts with `/`, so `next=//evil.example` sends the user off-site (an open
 * redirect). Accepted here: one leading `/` (not `//` or `/\`), printable ASCII only (no
 * control characters, spaces or backslashes, which browsers strip or read as `/`), at most
 * {@link MAX_NEXT_LENGTH} characters, no `.` or `..` path segment (nor `%2e` spellings of
 * them: `/..//evil.example` resolves to the path `//evil.example`, which any later relative
 * redirect would send off-site), and resolving to this origin by the WHATWG URL parser (what
 * browsers use).
 *
 * @example
 * ```ts
 * isSafeNext('/account?tab=security'); // true
 * isSafeNext('//evil.example');        // false
 * isSafeNext('/\\evil.example');        // false
 * isSafeNext('https://evil.example');  // false
 * isSafeNext('/..//evil.example');     // false
 * ```
 */
export function isSafeNext(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_NEXT_LENGTH) return false;
  if (!/^\/[\x21-\x5b\x5d-\x7e]*$/.test(value)) return false; // printable ASCII, no '\'
  if (value.startsWith('//') || hasDotSegment(value)) return false;
  try {
    const url = new URL(value, BASE);
    return url.origin === BASE && !url.pathname.startsWith('//');
  } catch {
    return false;
  }
}

// A `.` or `..` path segment as the WHATWG URL parser counts them: `%2e` is a dot too, in any
// case (URL Standard, "single-dot URL path segment" and "double-dot URL path segment").
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** Whether the path of `value` (before `?` or `#`) has a `.` or `..` segment. */
function hasDotSegment(value: string): boolean {
  const end = value.search(/[?#]/);
  const path = end === -1 ? value : value.slice(0, end);
  return path.split('/').some((segment) => DOT_SEGMENT.test(segment));
}

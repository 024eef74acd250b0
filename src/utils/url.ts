import { MultiDict } from '../multidict.js';

/**
 * The most `key=value` pairs {@link parseQuery} keeps; later pairs are ignored, so a hostile
 * query string or form body cannot make a request build an unbounded map.
 */
export const MAX_QUERY_PAIRS = 1000;

/**
 * Percent-decodes one URL component (RFC 3986 §2.1) as UTF-8.
 *
 * Strings without `%` (and without `+` when `plusAsSpace`) are returned as they are, with no
 * allocation. `plusAsSpace` applies the `application/x-www-form-urlencoded` rule that `+`
 * means a space (a `%2B` stays a `+`).
 *
 * @throws {URIError} on a malformed escape (`%`, `%4`, `%zz`) or bytes that are not UTF-8.
 * @example
 * decodeComponent('caf%C3%A9'); // 'café'
 * decodeComponent('a+b%2B', true); // 'a b+'
 */
export function decodeComponent(s: string, plusAsSpace = false): string {
  if (plusAsSpace && s.includes('+')) s = s.replaceAll('+', ' ');
  // decodeURIComponent is strict: it rejects bad escapes, overlong forms and surrogates.
  return s.includes('%') ? decodeURIComponent(s) : s;
}

/**
 * Parses a query string (`a=1&b=2&a=3`, without the `?`) or an
 * `application/x-www-form-urlencoded` body into a {@link MultiDict}.
 *
 * `+` is a space; a pair without `=` has the value `''`; empty pairs (`a=1&&b=2`) are skipped;
 * at most {@link MAX_QUERY_PAIRS} pairs are kept.
 *
 * @throws {URIError} when a key or value is not valid percent-encoded UTF-8.
 * @example
 * const q = parseQuery('sort=name&sort=email&q=caf%C3%A9+au+lait&flag');
 * q.getAll('sort'); // ['name', 'email']
 * q.get('q'); // 'café au lait'
 * q.get('flag'); // ''
 */
export function parseQuery(qs: string): MultiDict<string> {
  const out = new MultiDict<string>();
  const length = qs.length;
  let start = 0;
  let pairs = 0;
  while (start <= length && pairs < MAX_QUERY_PAIRS) {
    let end = qs.indexOf('&', start);
    if (end === -1) end = length;
    if (end > start) {
      // Search for '=' inside this pair only: scanning the rest of the string for every pair
      // would be quadratic on input such as 'a&a&a&…'.
      const pair = qs.slice(start, end);
      const eq = pair.indexOf('=');
      if (eq === -1) {
        out.add(decodeComponent(pair, true), '');
      } else {
        out.add(
          decodeComponent(pair.slice(0, eq), true),
          decodeComponent(pair.slice(eq + 1), true),
        );
      }
      pairs++;
    }
    start = end + 1;
  }
  return out;
}

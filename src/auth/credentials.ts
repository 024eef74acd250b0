/**
 * Reading credentials out of request headers: pure functions, no framework types.
 *
 * Untrusted input never throws here. Whatever is not exactly what RFC 7617 (Basic) or
 * RFC 6750 (Bearer) describe is "no credentials", which the caller turns into its error
 * response (401 by default): never a 500.
 */

/** Longest header value read for credentials; a longer one counts as none. */
export const MAX_CREDENTIALS_LENGTH = 8192;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// RFC 7617 §2: neither the user-id nor the password may contain control characters.
const CONTROL = /[\u0000-\u001f\u007f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The scheme and the rest of an `Authorization` value (RFC 9110 §11.4), or `undefined`. */
function splitScheme(value: string): [scheme: string, rest: string] | undefined {
  const space = value.indexOf(' ');
  if (space <= 0) return undefined;
  return [value.slice(0, space), value.slice(space + 1).trim()];
}

/**
 * The user name and password of an `Authorization: Basic …` header (RFC 7617), or `undefined`
 * when the header is absent, of another scheme, or malformed: not base64, no colon, not UTF-8,
 * a control character, or longer than {@link MAX_CREDENTIALS_LENGTH}. The scheme is matched
 * case-insensitively; the password may contain colons (the first one separates). Never throws.
 *
 * @example
 * ```ts
 * parseBasicCredentials('Basic Zm9vOmJhcg=='); // ['foo', 'bar']
 * parseBasicCredentials('Basic Zm9vYmFy');     // undefined ('foobar' has no colon)
 * parseBasicCredentials('Bearer Zm9vOmJhcg=='); // undefined (another scheme)
 * ```
 */
export function parseBasicCredentials(
  value: string | undefined,
): [username: string, password: string] | undefined {
  if (typeof value !== 'string' || value.length > MAX_CREDENTIALS_LENGTH) return undefined;
  const parts = splitScheme(value.trim());
  if (parts === undefined || parts[0].toLowerCase() !== 'basic') return undefined;
  const encoded = parts[1];
  if (encoded === '' || !BASE64.test(encoded)) return undefined;
  const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
  // Padded: a whole number of quads. Unpadded: any length but 4n+1 (which carries no byte).
  if (padding > 0 ? encoded.length % 4 !== 0 : encoded.length % 4 === 1) return undefined;
  let text: string;
  try {
    text = utf8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined; // not UTF-8
  }
  const colon = text.indexOf(':');
  if (colon === -1 || CONTROL.test(text)) return undefined;
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/**
 * The token of a request, as Microdot's `TokenAuth` reads it: from `Authorization`, the part
 * after `scheme` (matched case-insensitively, RFC 9110 §11.1) with surrounding spaces removed;
 * from any other header, the header's whole value. `undefined` when absent, empty, of another
 * scheme, or longer than {@link MAX_CREDENTIALS_LENGTH}. Never throws.
 *
 * @example
 * ```ts
 * parseTokenCredentials('Bearer abc', 'Authorization', 'Bearer'); // 'abc'
 * parseTokenCredentials('Basic abc', 'Authorization', 'Bearer');  // undefined
 * parseTokenCredentials('abc', 'X-Auth-Token', 'Bearer');         // 'abc'
 * ```
 */
export function parseTokenCredentials(
  value: string | undefined,
  header: string,
  scheme: string,
): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_CREDENTIALS_LENGTH) return undefined;
  let token: string;
  if (header.toLowerCase() === 'authorization') {
    const parts = splitScheme(value.trim());
    if (parts === undefined || parts[0].toLowerCase() !== scheme.toLowerCase()) return undefined;
    token = parts[1];
  } else {
    token = value;
  }
  return token === '' ? undefined : token;
}

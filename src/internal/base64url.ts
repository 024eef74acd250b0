/**
 * Strict base64url (RFC 4648 §5) without padding, as JOSE requires (RFC 7515 §2).
 *
 * Node's own `Buffer.from(s, 'base64url')` is lenient: it skips characters outside the
 * alphabet, accepts `+`, `/` and `=` and ignores non-zero trailing bits. Tokens must have
 * exactly one spelling, so {@link decodeBase64url} rejects all of those.
 */

const ALPHABET_ONLY = /^[A-Za-z0-9_-]*$/;

/**
 * The 6-bit value of one base64url character (the caller has checked the alphabet).
 */
function sextet(code: number): number {
  if (code >= 97) return code - 71; // a-z → 26..51
  if (code >= 65) return code - 65; // A-Z → 0..25
  if (code >= 48) return code + 4; // 0-9 → 52..61
  return code === 45 ? 62 : 63; // '-' → 62, '_' → 63
}

/**
 * Encodes bytes (or the UTF-8 bytes of a string) as base64url without padding.
 *
 * @example
 * ```ts
 * encodeBase64url('hi?'); // 'aGk_'
 * encodeBase64url(new Uint8Array([255, 254])); // '__4'
 * ```
 */
export function encodeBase64url(data: Uint8Array | string): string {
  if (typeof data === 'string') return Buffer.from(data, 'utf8').toString('base64url');
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64url');
}

/**
 * Decodes canonical, unpadded base64url, or returns `undefined` when `s` is not exactly that:
 * a character outside `[A-Za-z0-9_-]`, padding, a length of 4n+1, or non-zero unused bits in
 * the last character (so every byte string has a single accepted spelling). Never throws.
 *
 * @example
 * ```ts
 * decodeBase64url('aGk_'); // <Buffer 68 69 3f>
 * decodeBase64url('aGk/'); // undefined ('/' is base64, not base64url)
 * decodeBase64url('aR');   // undefined (non-canonical: unused bits set)
 * ```
 */
export function decodeBase64url(s: string): Buffer | undefined {
  if (typeof s !== 'string') return undefined;
  const rest = s.length % 4;
  if (rest === 1 || !ALPHABET_ONLY.test(s)) return undefined;
  if (rest !== 0) {
    // 2 chars carry 1 byte (4 unused bits), 3 chars carry 2 bytes (2 unused bits).
    const unusedMask = rest === 2 ? 0x0f : 0x03;
    if ((sextet(s.charCodeAt(s.length - 1)) & unusedMask) !== 0) return undefined;
  }
  return Buffer.from(s, 'base64url');
}

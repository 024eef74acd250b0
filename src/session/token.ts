import { isUtf8 } from 'node:buffer';
import { decodeBase64url } from '../internal/base64url.js';
import { hmacSha256Base64url } from '../internal/hmac.js';
import { sameText } from '../internal/same-text.js';
import type { KeyRing, SessionKey } from './keyring.js';
import type { VerifiedTokens } from './verified-tokens.js';

/**
 * Signed session tokens: compact JWS (RFC 7515) with HS256, byte-compatible with PyJWT (which
 * Python Microdot uses), on synchronous `node:crypto`.
 */

/**
 * Why a token was refused. Time claims and data checks are the session layer's job.
 *
 * @example
 * ```ts
 * const reason: TokenFailure = 'bad-signature';
 * ```
 */
export type TokenFailure = 'malformed' | 'too-large' | 'bad-signature' | 'unknown-key';

/**
 * The outcome of {@link verifyToken} (and of `decryptToken`): the payload and the key that
 * vouched for it, or the reason of the refusal.
 *
 * @example
 * ```ts
 * const result: VerifyResult = verifyToken(cookie, ring);
 * if (!result.ok) console.debug('session refused:', result.reason);
 * ```
 */
export type VerifyResult =
  | { ok: true; payload: Record<string, unknown>; key: SessionKey }
  | { ok: false; reason: TokenFailure };

/**
 * The longest token accepted by default, in characters (a cookie holds about 4096 bytes); longer
 * input is refused as `too-large` before any decoding.
 *
 * @example
 * ```ts
 * verifyToken(cookie, ring, MAX_TOKEN_LENGTH / 2);
 * ```
 */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * Parses UTF-8 JSON bytes that must hold an object (not an array, null or a primitive), or
 * returns `undefined`. Never throws. Shared with `jwe.ts`; not part of the public API.
 *
 * @internal
 * @example
 * ```ts
 * parseJsonObject(Buffer.from('{"a":1}')); // { a: 1 }
 * parseJsonObject(Buffer.from('[1]'));     // undefined
 * ```
 */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  const text = utf8Text(bytes);
  return text === undefined ? undefined : parseJsonText(text);
}

/**
 * The text of UTF-8 bytes, or `undefined` when they are not UTF-8: PyJWT refuses such bytes, and
 * so do we, rather than decoding them as U+FFFD. Not part of the public API.
 *
 * @internal
 * @example
 * ```ts
 * utf8Text(Buffer.from('{"a":1}')); // '{"a":1}'
 * ```
 */
export function utf8Text(bytes: Buffer): string | undefined {
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

/**
 * Parses JSON text that must hold an object, or returns `undefined`. Never throws. Not part of
 * the public API.
 *
 * @internal
 * @example
 * ```ts
 * parseJsonText('{"a":1}'); // { a: 1 }
 * ```
 */
export function parseJsonText(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // not JSON
  }
  return undefined;
}

const FAIL_MALFORMED: VerifyResult = Object.freeze({ ok: false, reason: 'malformed' });
const FAIL_TOO_LARGE: VerifyResult = Object.freeze({ ok: false, reason: 'too-large' });
const FAIL_SIGNATURE: VerifyResult = Object.freeze({ ok: false, reason: 'bad-signature' });
const FAIL_UNKNOWN_KEY: VerifyResult = Object.freeze({ ok: false, reason: 'unknown-key' });

const headerByKey = new WeakMap<SessionKey, string>();
const keyByHeader = new WeakMap<KeyRing, Map<string, SessionKey>>();

/** The encoded protected header of tokens signed by `key` (cached). */
function encodedHeader(key: SessionKey): string {
  let header = headerByKey.get(key);
  if (header === undefined) {
    // Keys sorted, no spaces: exactly what PyJWT writes for headers={'kid': kid}.
    const json = `{"alg":"HS256","kid":"${key.kid}","typ":"JWT"}`;
    header = Buffer.from(json, 'latin1').toString('base64url');
    headerByKey.set(key, header);
  }
  return header;
}

/** Our own headers of `ring`, so that the usual token skips header parsing. */
function knownHeaders(ring: KeyRing): Map<string, SessionKey> {
  let map = keyByHeader.get(ring);
  if (map === undefined) {
    map = new Map(ring.keys.map((key) => [encodedHeader(key), key]));
    keyByHeader.set(ring, map);
  }
  return map;
}

const HAS_NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII = /[\u007f-\uffff]/g;
// A JSON string (skipped whole) or a number, in well-formed JSON text.
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function pythonNumber(token: string): string {
  if (token.charCodeAt(0) === 34) return token; // a string
  const n = Number(token);
  // Python's float repr switches to exponent form below 1e-4 with a 2-digit minimum exponent
  // (1e-05); JavaScript waits until 1e-6 (1e-7). Other numbers print alike in both.
  if (n === 0 || Number.isInteger(n) || Math.abs(n) >= 1e-4) return token;
  return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * JSON text as Python's `json.dumps(value, separators=(",", ":"))` writes it (ensure_ascii:
 * every character outside printable ASCII as `\uXXXX` in lower-case hex, astral characters as
 * surrogate pairs; Python's float spelling), so our tokens are byte-identical to PyJWT's.
 * The fix-ups are rare, so they only run when needed. Not part of the public API.
 *
 * @internal
 * @example
 * ```ts
 * pythonJson({ name: 'José', x: 0.00001 }); // '{"name":"Jos\\u00e9","x":1e-05}'
 * ```
 */
export function pythonJson(value: unknown): string {
  let json = JSON.stringify(value);
  if (json.includes('e-') || json.includes('0.0000')) json = json.replace(JSON_TOKEN, pythonNumber);
  if (HAS_NON_ASCII.test(json)) json = json.replace(NON_ASCII, escapeChar);
  return json;
}

/**
 * Signs `payload` as a compact JWS, HS256, header `{"alg":"HS256","kid":"<kid>","typ":"JWT"}`.
 * For the same header and payload the token is byte-identical to PyJWT's
 * `jwt.encode(payload, secret, algorithm='HS256', headers={'kid': kid})`. With a `memo`, the token
 * is remembered as verified, so its first return is a hit.
 *
 * @throws {TypeError} when `payload` is not a plain JSON object (an array, a BigInt, a cycle).
 *
 * @example
 * ```ts
 * const ring = new KeyRing(process.env.SESSION_KEY!);
 * const token = signToken({ user: 'alice' }, ring.current);
 * ```
 */
export function signToken(
  payload: Record<string, unknown>,
  key: SessionKey,
  memo?: VerifiedTokens,
): string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError('The token payload must be a JSON object');
  }
  const json = pythonJson(payload);
  const input = `${encodedHeader(key)}.${Buffer.from(json, 'latin1').toString('base64url')}`;
  const mac = hmacSha256Base64url(key.secret, input);
  // The browser will send it back: remembered as verifyToken would remember it.
  memo?.setIssued(input, { key, check: mac, json });
  return `${input}.${mac}`;
}

/**
 * The key named by a foreign (not our cached) header, `null` when the header names no key
 * (try all), or a failure. Pins HS256 (RFC 8725 §3.1) and refuses extensions we don't implement.
 */
function headerKey(segment: string, ring: KeyRing): SessionKey | null | VerifyResult {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) return FAIL_MALFORMED;
  const header = parseJsonObject(bytes);
  if (
    header === undefined ||
    header.alg !== 'HS256' ||
    // RFC 7515 §4.1.11: unknown critical extensions must be refused; we implement none.
    Object.hasOwn(header, 'crit') ||
    // RFC 7797 unencoded payloads, JWE headers and nested tokens are not session tokens.
    (Object.hasOwn(header, 'b64') && header.b64 !== true) ||
    Object.hasOwn(header, 'enc') ||
    Object.hasOwn(header, 'zip') ||
    (typeof header.cty === 'string' && header.cty.toUpperCase() === 'JWT')
  ) {
    return FAIL_MALFORMED;
  }
  if (!Object.hasOwn(header, 'kid')) return null;
  if (typeof header.kid !== 'string') return FAIL_MALFORMED;
  return ring.byKid(header.kid) ?? FAIL_UNKNOWN_KEY;
}

/** The length of an HS256 signature in base64url: 32 bytes, unpadded. */
const SIGNATURE_CHARS = 43;

/**
 * Whether `signature` is the HS256 MAC of `input` under `key`, compared as base64url text in
 * constant time: the only spelling of 32 bytes that strict base64url accepts is the canonical
 * one, which is what the MAC is computed as, so the text matches exactly when the bytes would.
 * No decoding of the signature, no Buffer, on the path every valid token takes.
 */
function signatureMatches(key: SessionKey, input: string, signature: string): boolean {
  return sameText(hmacSha256Base64url(key.secret, input), signature);
}

/** Why a signature that matched no key failed: not base64url at all, or the wrong MAC. */
function signatureFailure(signature: string): VerifyResult {
  return decodeBase64url(signature) === undefined ? FAIL_MALFORMED : FAIL_SIGNATURE;
}

/**
 * Verifies a compact JWS HS256 token against `ring` and returns its payload and the key that
 * signed it, or why it was refused. Never throws, whatever the input.
 *
 * With a `kid` header only that key is tried; without one (tokens from Python Microdot or
 * PyJWT) every key is tried in order. The payload is parsed only after the signature verifies.
 * `exp`/`iat` are not checked here. With a `memo`, a token whose `header.payload` verified before
 * has its signature compared (in constant time) with the HMAC computed then, instead of computing
 * it again; any mismatch is verified in full.
 *
 * @example
 * ```ts
 * const result = verifyToken(req.cookies.session ?? '', ring);
 * const data = result.ok ? result.payload : {};
 * ```
 */
export function verifyToken(
  token: string,
  ring: KeyRing,
  maxLength: number = MAX_TOKEN_LENGTH,
  memo?: VerifiedTokens,
): VerifyResult {
  if (typeof token !== 'string') return FAIL_MALFORMED;
  if (token.length > maxLength) return FAIL_TOO_LARGE;
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) return FAIL_MALFORMED;

  const input = token.slice(0, dot2);
  const signatureSegment = token.slice(dot2 + 1);
  const recalled = memo?.recall(input, signatureSegment, ring);
  if (recalled !== undefined) return recalled;

  const headerSegment = token.slice(0, dot1);
  let key: SessionKey | null | VerifyResult | undefined = knownHeaders(ring).get(headerSegment);
  if (key === undefined) {
    key = headerKey(headerSegment, ring);
    if (key !== null && 'ok' in key) return key;
  }

  const payloadBytes = decodeBase64url(token.slice(dot1 + 1, dot2));
  if (payloadBytes === undefined) return FAIL_MALFORMED;
  // A signature of any other length cannot be a 32-byte MAC: no HMAC is computed for it.
  if (signatureSegment.length !== SIGNATURE_CHARS) return signatureFailure(signatureSegment);

  let signer: SessionKey | undefined;
  if (key !== null) {
    if (signatureMatches(key, input, signatureSegment)) signer = key;
  } else {
    signer = ring.keys.find((k) => signatureMatches(k, input, signatureSegment));
  }
  if (signer === undefined) return signatureFailure(signatureSegment);

  const json = utf8Text(payloadBytes);
  const payload = json === undefined ? undefined : parseJsonText(json);
  if (json === undefined || payload === undefined) return FAIL_MALFORMED;
  memo?.set(input, { key: signer, check: signatureSegment, json });
  return { ok: true, payload, key: signer };
}

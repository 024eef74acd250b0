import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { decodeBase64url } from '../internal/base64url.js';
import type { KeyRing, SessionKey } from './keyring.js';
import {
  MAX_TOKEN_LENGTH,
  parseJsonObject,
  parseJsonText,
  utf8Text,
  type VerifyResult,
} from './token.js';
import type { VerifiedTokens } from './verified-tokens.js';

/**
 * Encrypted session tokens: compact JWE (RFC 7516) with direct encryption (`alg: dir`) and
 * AES-256-GCM (`enc: A256GCM`, RFC 7518 §5.3) under the key's HKDF-derived `encKey`.
 */

const FAIL_MALFORMED: VerifyResult = Object.freeze({ ok: false, reason: 'malformed' });
const FAIL_TOO_LARGE: VerifyResult = Object.freeze({ ok: false, reason: 'too-large' });
const FAIL_DECRYPT: VerifyResult = Object.freeze({ ok: false, reason: 'bad-signature' });
const FAIL_UNKNOWN_KEY: VerifyResult = Object.freeze({ ok: false, reason: 'unknown-key' });

const IV_BYTES = 12;
const TAG_BYTES = 16;

// IVs come from a pool filled by the CSPRNG, 256 at a time: one `randomBytes(12)` call per token
// costs more than the encryption itself. Every pool byte is used once, and the IV is consumed
// synchronously, before the next refill.
const ivPool = Buffer.alloc(IV_BYTES * 256);
let ivOffset = ivPool.length;

function nextIv(): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  ivOffset += IV_BYTES;
  return ivPool.subarray(ivOffset - IV_BYTES, ivOffset);
}

/** A key's encoded protected header, and its bytes: the AAD of every token under the key. */
interface Header {
  encoded: string;
  aad: Buffer;
}

const headerByKey = new WeakMap<SessionKey, Header>();
const keyByHeader = new WeakMap<KeyRing, Map<string, SessionKey>>();

function headerOf(key: SessionKey): Header {
  let header = headerByKey.get(key);
  if (header === undefined) {
    const json = `{"alg":"dir","enc":"A256GCM","kid":"${key.kid}"}`;
    const encoded = Buffer.from(json, 'latin1').toString('base64url');
    // Never written to: shared by every encryption and decryption under this key.
    header = { encoded, aad: Buffer.from(encoded, 'latin1') };
    headerByKey.set(key, header);
  }
  return header;
}

function encodedHeader(key: SessionKey): string {
  return headerOf(key).encoded;
}

function knownHeaders(ring: KeyRing): Map<string, SessionKey> {
  let map = keyByHeader.get(ring);
  if (map === undefined) {
    map = new Map(ring.keys.map((key) => [encodedHeader(key), key]));
    keyByHeader.set(ring, map);
  }
  return map;
}

/**
 * Whether `token` has the shape of a compact JWE (five parts) rather than a JWS (three).
 *
 * @example
 * ```ts
 * const result = isEncryptedToken(cookie) ? decryptToken(cookie, ring) : verifyToken(cookie, ring);
 * ```
 */
export function isEncryptedToken(token: string): boolean {
  if (typeof token !== 'string') return false;
  let dots = 0;
  for (let i = token.indexOf('.'); i >= 0; i = token.indexOf('.', i + 1)) dots++;
  return dots === 4;
}

/**
 * Encrypts `payload` (as UTF-8 JSON) into a compact JWE with protected header
 * `{"alg":"dir","enc":"A256GCM","kid":"<kid>"}`, an empty encrypted-key part, a random 96-bit IV,
 * a 128-bit tag, and the encoded protected header as AAD (RFC 7516 §5.1 step 14).
 *
 * With a `memo`, the token is remembered as opened, so its first return is a hit.
 *
 * @throws {TypeError} when `payload` is not a plain JSON object (an array, a BigInt, a cycle).
 *
 * @example
 * ```ts
 * const token = encryptToken({ user: 'alice' }, ring.current);
 * decryptToken(token, ring); // { ok: true, payload: { user: 'alice' }, key: ring.current }
 * ```
 */
export function encryptToken(
  payload: Record<string, unknown>,
  key: SessionKey,
  memo?: VerifiedTokens,
): string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError('The token payload must be a JSON object');
  }
  const { encoded: header, aad } = headerOf(key);
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key.encKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const json = JSON.stringify(payload);
  const first = cipher.update(json, 'utf8');
  const last = cipher.final();
  const ciphertext = last.length === 0 ? first : Buffer.concat([first, last]);
  const sealed = `${header}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}`;
  const tag = cipher.getAuthTag().toString('base64url');
  // The browser will send it back: remembered as decryptToken would remember it.
  memo?.setIssued(sealed, { key, check: tag, json });
  return `${sealed}.${tag}`;
}

/** The key named by a foreign header, `null` to try them all, or a failure. */
function headerKey(segment: string, ring: KeyRing): SessionKey | null | VerifyResult {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) return FAIL_MALFORMED;
  const header = parseJsonObject(bytes);
  if (
    header === undefined ||
    header.alg !== 'dir' ||
    header.enc !== 'A256GCM' ||
    Object.hasOwn(header, 'crit') || // RFC 7516 §4.1.13: we implement no extension
    Object.hasOwn(header, 'zip') // no compression: it leaks the plaintext's content through its size
  ) {
    return FAIL_MALFORMED;
  }
  if (!Object.hasOwn(header, 'kid')) return null;
  if (typeof header.kid !== 'string') return FAIL_MALFORMED;
  return ring.byKid(header.kid) ?? FAIL_UNKNOWN_KEY;
}

function open(
  key: SessionKey,
  aad: Buffer,
  iv: Buffer,
  ciphertext: Buffer,
  tag: Buffer,
): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.encKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const first = decipher.update(ciphertext);
    const last = decipher.final(); // throws when authentication fails
    return last.length === 0 ? first : Buffer.concat([first, last]);
  } catch {
    return undefined;
  }
}

/**
 * Decrypts a compact JWE made by {@link encryptToken} (or by any `dir` + `A256GCM` implementation
 * with the same derived key) and returns its payload and key, or why it was refused
 * (`bad-signature` when authentication fails). Never throws, whatever the input. With a `memo`, a
 * token whose `header..iv.ciphertext` was opened before has its tag compared (in constant time)
 * with the tag that authenticated it then, and the plaintext of then is used; anything else is
 * decrypted in full.
 *
 * @example
 * ```ts
 * const result = decryptToken(req.cookies.session ?? '', ring);
 * const data = result.ok ? result.payload : {};
 * ```
 */
export function decryptToken(
  token: string,
  ring: KeyRing,
  maxLength: number = MAX_TOKEN_LENGTH,
  memo?: VerifiedTokens,
): VerifyResult {
  if (typeof token !== 'string') return FAIL_MALFORMED;
  if (token.length > maxLength) return FAIL_TOO_LARGE;
  // Five parts, found with indexOf: cheaper than split() and its array.
  const d1 = token.indexOf('.');
  const d2 = token.indexOf('.', d1 + 1);
  const d3 = token.indexOf('.', d2 + 1);
  const d4 = token.indexOf('.', d3 + 1);
  if (d1 < 0 || d2 < 0 || d3 < 0 || d4 < 0 || token.indexOf('.', d4 + 1) >= 0) {
    return FAIL_MALFORMED;
  }
  const headerSegment = token.slice(0, d1);
  const encryptedKey = token.slice(d1 + 1, d2);
  const ivSegment = token.slice(d2 + 1, d3);
  const ciphertextSegment = token.slice(d3 + 1, d4);
  const tagSegment = token.slice(d4 + 1);
  // `dir` has no encrypted key: RFC 7516 §5.2 step 10 requires it to be empty.
  if (encryptedKey !== '') return FAIL_MALFORMED;

  const sealed = token.slice(0, d4);
  const recalled = memo?.recall(sealed, tagSegment, ring);
  if (recalled !== undefined) return recalled;

  let key: SessionKey | null | VerifyResult | undefined = knownHeaders(ring).get(headerSegment);
  // Our own header: its AAD bytes are cached with it.
  let aad = key === undefined ? undefined : headerOf(key).aad;
  if (key === undefined) {
    key = headerKey(headerSegment, ring);
    if (key !== null && 'ok' in key) return key;
  }

  const iv = decodeBase64url(ivSegment);
  const ciphertext = decodeBase64url(ciphertextSegment);
  const tag = decodeBase64url(tagSegment);
  if (iv === undefined || ciphertext === undefined || tag === undefined) return FAIL_MALFORMED;
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return FAIL_MALFORMED;

  aad ??= Buffer.from(headerSegment, 'latin1');
  let plaintext: Buffer | undefined;
  let opener: SessionKey | undefined;
  if (key !== null) {
    // The key the header names: no candidate list to build.
    plaintext = open(key, aad, iv, ciphertext, tag);
    opener = key;
  } else {
    for (const candidate of ring.keys) {
      plaintext = open(candidate, aad, iv, ciphertext, tag);
      if (plaintext !== undefined) {
        opener = candidate;
        break;
      }
    }
  }
  if (plaintext === undefined || opener === undefined) return FAIL_DECRYPT;

  const json = utf8Text(plaintext);
  const payload = json === undefined ? undefined : parseJsonText(json);
  if (json === undefined || payload === undefined) return FAIL_MALFORMED;
  memo?.set(sealed, { key: opener, check: tagSegment, json });
  return { ok: true, payload, key: opener };
}

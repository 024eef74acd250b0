import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { MAKE_A_KEY, SessionConfigError } from './errors.js';

/**
 * A secret key: a string (used as its UTF-8 bytes, as PyJWT does) or raw bytes.
 *
 * @example
 * ```ts
 * const secret: SecretInput = process.env.SESSION_KEY ?? randomBytes(32);
 * ```
 */
export type SecretInput = string | Uint8Array;

/**
 * One secret and the keys derived from it. Immutable.
 *
 * Derivations (reproducible elsewhere, e.g. by a Python service):
 * - `kid` = the first 8 characters of base64url(HMAC-SHA256(key = secret,
 *   message = ASCII `microdot-ts kid`)). It names the key in token headers without revealing it.
 * - `hmacKey` = the raw secret bytes, for HS256 (so PyJWT with the same secret verifies tokens).
 * - `encKey` = HKDF-SHA256 (RFC 5869) with ikm = secret, salt = empty, info = ASCII
 *   `microdot-ts session encryption v1`, length 32 bytes: the A256GCM key of encrypted tokens.
 *
 * In Python: `kid = urlsafe_b64encode(hmac.new(secret, b"microdot-ts kid", sha256).digest())[:8]`
 * and `HKDF(SHA256(), 32, salt=b"", info=b"microdot-ts session encryption v1").derive(secret)`
 * (see test/interop/check_vectors.py).
 *
 * @example
 * ```ts
 * const key: SessionKey = new KeyRing(secret).current;
 * createHmac('sha256', key.hmacKey).update(data).digest();
 * ```
 */
export interface SessionKey {
  /** Key id written in token headers (8 base64url characters). */
  readonly kid: string;
  /** The raw secret bytes. */
  readonly secret: Buffer;
  /** The secret as an HMAC key object (HS256). */
  readonly hmacKey: KeyObject;
  /** The 32-byte HKDF-derived A256GCM key. */
  readonly encKey: KeyObject;
}

/** The shortest secret accepted, in bytes (the HS256 output size, RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32;
const KID_MESSAGE = 'microdot-ts kid';
const ENC_INFO = 'microdot-ts session encryption v1';

function toBytes(input: SecretInput, index: number): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof Uint8Array) return Buffer.from(input); // a copy: later changes can't leak in
  throw new SessionConfigError(
    `Secret key #${index} must be a string or a Uint8Array, not ${typeof input}`,
  );
}

function deriveKey(secret: Buffer): SessionKey {
  const kid = createHmac('sha256', secret).update(KID_MESSAGE).digest('base64url').slice(0, 8);
  const enc = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), ENC_INFO, 32));
  return Object.freeze({
    kid,
    secret,
    hmacKey: createSecretKey(secret),
    encKey: createSecretKey(enc),
  });
}

/**
 * The secret keys of a session system: the first signs and encrypts new tokens, all of them
 * verify (key rotation: put the new key first and keep the old ones until their tokens expire).
 *
 * @throws {SessionConfigError} for an empty list, an empty key, a key under 32 bytes, or the same
 * key twice.
 *
 * @example
 * ```ts
 * const ring = new KeyRing([process.env.SESSION_KEY!, process.env.OLD_SESSION_KEY!]);
 * ring.current.kid; // e.g. 'q3Xw9_aB'
 * ```
 */
export class KeyRing {
  /** Every key, newest first. */
  readonly keys: readonly SessionKey[];
  /** The key that signs and encrypts new tokens (the first one). */
  readonly current: SessionKey;
  readonly #byKid: ReadonlyMap<string, SessionKey>;

  constructor(secrets: SecretInput | readonly SecretInput[]) {
    const list: readonly SecretInput[] = Array.isArray(secrets)
      ? secrets
      : [secrets as SecretInput];
    if (list.length === 0) {
      throw new SessionConfigError(
        `No session secret key given: pass at least one, made for example with ${MAKE_A_KEY}`,
      );
    }
    const byKid = new Map<string, SessionKey>();
    const keys: SessionKey[] = [];
    list.forEach((input, index) => {
      const secret = toBytes(input, index);
      if (secret.length === 0) {
        throw new SessionConfigError(`Secret key #${index} is empty: make one with ${MAKE_A_KEY}`);
      }
      if (secret.length < MIN_SECRET_BYTES) {
        throw new SessionConfigError(
          `Secret key #${index} is ${secret.length} bytes, under the minimum of ` +
            `${MIN_SECRET_BYTES}: use a random key, made for example with ${MAKE_A_KEY}`,
        );
      }
      if (keys.some((k) => k.secret.equals(secret))) {
        throw new SessionConfigError(
          `Secret key #${index} is given twice: each key of the ring must be different`,
        );
      }
      const key = deriveKey(secret);
      if (byKid.has(key.kid)) {
        // 48-bit ids: a collision between different keys is astronomically unlikely, but must
        // not make one key shadow another.
        throw new SessionConfigError(
          `Secret key #${index} has the same key id as an earlier key: make a new key with ${MAKE_A_KEY}`,
        );
      }
      byKid.set(key.kid, key);
      keys.push(key);
    });
    this.keys = Object.freeze(keys);
    this.current = keys[0]!;
    this.#byKid = byKid;
  }

  /**
   * The key with id `kid`, or `undefined`.
   *
   * @example
   * ```ts
   * const key = ring.byKid(header.kid);
   * ```
   */
  byKid(kid: string): SessionKey | undefined {
    return this.#byKid.get(kid);
  }
}

import * as crypto from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104) on Node's one-shot `crypto.hash` (Node ≥ 20.12): two hashes over
 * buffers made of the precomputed padded keys, instead of a `createHmac` object (and its stream
 * machinery) per call, which costs more than the hashing of a session token. Byte-identical to
 * `createHmac('sha256', key)`; falls back to it where `crypto.hash` is missing.
 */

// Digests are asked for as strings: in Node 20 a 'buffer' result costs about twice as much as
// the whole hash ('latin1' and 'base64url' strings come out at a third of it).
type OneShot = (algorithm: string, data: Uint8Array, encoding: 'latin1' | 'base64url') => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

const BLOCK = 64;
const DIGEST = 32;

interface Pads {
  /** key ⊕ ipad, followed by room for the message. */
  inner: Buffer;
  /** key ⊕ opad, followed by the inner digest. */
  outer: Buffer;
}

const padsByKey = new WeakMap<Buffer, Pads>();

function padsOf(key: Buffer): Pads {
  let pads = padsByKey.get(key);
  if (pads === undefined) {
    // RFC 2104 §2: a key longer than the block is hashed first, a shorter one padded with zeros.
    const k = key.length > BLOCK ? crypto.createHash('sha256').update(key).digest() : key;
    const inner = Buffer.alloc(BLOCK + 4096, 0x36);
    const outer = Buffer.alloc(BLOCK + DIGEST, 0x5c);
    for (let i = 0; i < k.length; i++) {
      inner[i]! ^= k[i]!;
      outer[i]! ^= k[i]!;
    }
    pads = { inner, outer };
    padsByKey.set(key, pads);
  }
  return pads;
}

/**
 * HMAC-SHA256 of the latin1 bytes of `message` (every caller passes ASCII) under `key`.
 *
 * @example
 * ```ts
 * hmacSha256(secret, 'header.payload').equals(createHmac('sha256', secret).update('header.payload', 'latin1').digest()); // true
 * ```
 */
export function hmacSha256(key: Buffer, message: string): Buffer {
  if (oneShot === undefined)
    return crypto.createHmac('sha256', key).update(message, 'latin1').digest();
  return Buffer.from(oneShot('sha256', outerBlock(key, message), 'latin1'), 'latin1');
}

/**
 * {@link hmacSha256} as unpadded base64url (a JWS signature), without a Buffer in between.
 *
 * @example
 * ```ts
 * hmacSha256Base64url(secret, 'header.payload') === hmacSha256(secret, 'header.payload').toString('base64url'); // true
 * ```
 */
export function hmacSha256Base64url(key: Buffer, message: string): string {
  if (oneShot === undefined)
    return crypto.createHmac('sha256', key).update(message, 'latin1').digest('base64url');
  return oneShot('sha256', outerBlock(key, message), 'base64url');
}

/** key ⊕ opad followed by the inner digest of `message`: the input of the outer hash. */
function outerBlock(key: Buffer, message: string): Buffer {
  const { inner, outer } = padsOf(key);
  let data: Buffer;
  if (message.length <= inner.length - BLOCK) {
    // Synchronous use of a per-key buffer: nothing else runs between the write and the hash.
    inner.write(message, BLOCK, 'latin1');
    data = inner.subarray(0, BLOCK + message.length);
  } else {
    data = Buffer.allocUnsafe(BLOCK + message.length);
    inner.copy(data, 0, 0, BLOCK);
    data.write(message, BLOCK, 'latin1');
  }
  // The 32 digest bytes as a latin1 string are written back as the same 32 bytes.
  outer.write(oneShot!('sha256', data, 'latin1'), BLOCK, 'latin1');
  return outer;
}

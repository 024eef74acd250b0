import type { SessionKey } from './keyring.js';

/**
 * A bounded memo of tokens that passed verification, so that a cookie sent again (a browser
 * sends the same one on every request until it changes) skips the HMAC or AES-GCM computation.
 *
 * Both are deterministic: for the same key and the same public input (a JWS's `header.payload`,
 * a JWE's `header..iv.ciphertext`), they always give the same MAC or tag. The memo keeps the one
 * computed the first time, under that public input, and the caller compares the token's MAC or
 * tag with it in constant time, as a fresh computation would. On any mismatch the caller verifies
 * in full. Only tokens that verified are remembered, so garbage cannot fill it. Time claims are
 * not covered: they are checked on every request.
 *
 * Memory is bounded: two generations of at most `capacity` entries each, and inputs longer than
 * {@link MAX_MEMO_INPUT} characters are never remembered. Not part of the public API.
 *
 * @internal
 * @example
 * ```ts
 * const memo = new VerifiedTokens(1000);
 * verifyToken(token, ring, MAX_TOKEN_LENGTH, memo); // computes the HMAC, remembers it
 * verifyToken(token, ring, MAX_TOKEN_LENGTH, memo); // compares with the remembered one
 * ```
 */
export class VerifiedTokens {
  /** Entries kept per generation (at most twice as many in all). */
  readonly capacity: number;
  #young = new Map<string, VerifiedEntry>();
  #old = new Map<string, VerifiedEntry>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('VerifiedTokens capacity must be a positive integer');
    }
    this.capacity = capacity;
  }

  /** The entry remembered for `input`, if any (a hit in the old generation moves it back). */
  get(input: string): VerifiedEntry | undefined {
    const entry = this.#young.get(input);
    if (entry !== undefined) return entry;
    const old = this.#old.get(input);
    if (old !== undefined) {
      this.#old.delete(input);
      this.#remember(input, old);
    }
    return old;
  }

  /**
   * Remembers what verified `input` (ignored for inputs longer than {@link MAX_MEMO_INPUT}). Keeps
   * copies of its own: `input` may be a slice that holds a whole Cookie header in memory, and a
   * small Buffer may sit in (and hold) one of Node's shared 8 KiB pool slabs.
   */
  set(input: string, entry: VerifiedEntry): void {
    if (input.length > MAX_MEMO_INPUT) return;
    // A flat string of its own (tokens are ASCII: anything else is simply not remembered).
    const own = Buffer.from(input, 'latin1').toString('latin1');
    if (own !== input) return;
    const { key, check, plaintext } = entry;
    this.#remember(own, {
      key,
      check: unpooled(check),
      ...(plaintext !== undefined && { plaintext: unpooled(plaintext) }),
    });
  }

  /** How many entries are held now (both generations). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  #remember(input: string, entry: VerifiedEntry): void {
    if (this.#young.size >= this.capacity) {
      // The old generation is dropped whole: what was not used since the last turn goes.
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(input, entry);
  }
}

function unpooled(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** What verified one token: the key, the MAC or tag it computed, and (JWE) the plaintext. */
export interface VerifiedEntry {
  readonly key: SessionKey;
  /** The HMAC (JWS) or authentication tag (JWE) that the token carried and that checked out. */
  readonly check: Buffer;
  /** The decrypted payload bytes (JWE only). Never written to. */
  readonly plaintext?: Buffer;
}

/** Inputs longer than this (in characters) are verified every time rather than remembered. */
export const MAX_MEMO_INPUT = 2048;

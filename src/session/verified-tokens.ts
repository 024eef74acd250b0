import type { KeyRing, SessionKey } from './keyring.js';
import { parseJsonText, type VerifyResult } from './token.js';

/**
 * A bounded memo of tokens that passed verification, so that a cookie sent again (a browser
 * sends the same one on every request until it changes) skips the HMAC or AES-GCM computation.
 *
 * Both are deterministic: for the same key and the same public input (a JWS's `header.payload`,
 * a JWE's `header..iv.ciphertext`), they always give the same MAC or tag. The memo keeps the one
 * that checked out the first time (in its canonical base64url spelling), and the payload's JSON
 * text, under that public input; the caller compares the token's MAC or tag with it in constant
 * time. On any mismatch the caller verifies in full. Only tokens that verified and held a JSON
 * object are remembered, so garbage cannot fill it. Time claims are not covered: they are
 * checked on every request.
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

  /**
   * The outcome of a token seen (or made) before: the same public `input`, the same MAC or tag
   * `check` as then (compared in constant time), under a key still in `ring`. `undefined` when
   * the token must be verified in full.
   */
  recall(input: string, check: string, ring: KeyRing): VerifyResult | undefined {
    const seen = this.get(input);
    if (seen === undefined || ring.byKid(seen.key.kid) !== seen.key) return undefined;
    if (!sameText(seen.check, check)) return undefined;
    const payload = parseJsonText(seen.json);
    return payload === undefined ? undefined : { ok: true, payload, key: seen.key };
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
   * Remembers what verified `input` (ignored for inputs longer than {@link MAX_MEMO_INPUT}).
   * Keeps flat copies of `input` and `check`: slices of a token would hold the whole Cookie
   * header in memory.
   */
  set(input: string, entry: VerifiedEntry): void {
    if (input.length > MAX_MEMO_INPUT) return;
    const ownInput = flatLatin1(input);
    const check = flatLatin1(entry.check);
    if (ownInput === undefined || check === undefined) return;
    this.#remember(ownInput, { key: entry.key, check, json: entry.json });
  }

  /**
   * Remembers a token this process has just made: its strings are its own (not slices of a
   * request), so they are kept as they are.
   */
  setIssued(input: string, entry: VerifiedEntry): void {
    if (input.length <= MAX_MEMO_INPUT) this.#remember(input, entry);
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

/**
 * Whether two strings are equal, in time that depends on their length only (not on where they
 * differ). For MACs and tags in their canonical base64url spelling.
 */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** A flat copy of `text`, or `undefined` when latin1 cannot hold it (tokens are ASCII). */
function flatLatin1(text: string): string | undefined {
  const copy = Buffer.from(text, 'latin1').toString('latin1');
  return copy === text ? copy : undefined;
}

/** What verified one token: the key, its MAC or tag, and the JSON text of its payload. */
export interface VerifiedEntry {
  readonly key: SessionKey;
  /** The base64url MAC (JWS) or authentication tag (JWE) that the token carried and that checked out. */
  readonly check: string;
  /** The payload's JSON text (for a JWE, the decrypted plaintext), which held a JSON object. */
  readonly json: string;
}

/** Inputs longer than this (in characters) are verified every time rather than remembered. */
export const MAX_MEMO_INPUT = 2048;

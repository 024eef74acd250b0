import { sameText } from '../internal/same-text.js';
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
 * It tunes itself, so that it never costs where tokens do not come back (many instances without
 * affinity, or more users than it holds): every {@link TUNE_WINDOW} insertions and hits it looks
 * at how many lookups hit per insertion. Under {@link QUIET_BELOW} it goes quiet: it drops what
 * it holds, looks nothing up and keeps no token, only a 30-bit fingerprint of each MAC or tag it
 * issues or sees verify, in a fixed table of small integers (no strings, no allocation). A token
 * that verifies with a fingerprint already there has come back: the hit it would have been. At
 * {@link WAKE_AT} such hits per insertion over a {@link QUIET_WINDOW}, it remembers every token
 * again. The fingerprint is taken only from tokens that verified or were issued here, so forged
 * tokens cannot wake it, and it only ever decides the memo's state: quiet or not, a token gets
 * the same outcome as from a full verification; only the work saved changes.
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
  /** Entries kept per generation (at most twice as many in all) while remembering every token. */
  readonly capacity: number;
  #young = new Map<string, VerifiedEntry>();
  #old = new Map<string, VerifiedEntry>();
  #quiet = false;
  /** While quiet: the fingerprints of recent tokens, each at the slot its low bits name (0: none). */
  #seen: Int32Array | undefined;
  /** Insertions and hits (while quiet: of fingerprints) since the hit rate was last looked at. */
  #inserted = 0;
  #hits = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('VerifiedTokens capacity must be a positive integer');
    }
    this.capacity = capacity;
  }

  /** Whether it has gone quiet (remembering no token, only fingerprints) for lack of hits. */
  get quiet(): boolean {
    return this.#quiet;
  }

  /**
   * The outcome of a token seen (or made) before: the same public `input`, the same MAC or tag
   * `check` as then (compared in constant time), under a key still in `ring`. `undefined` when
   * the token must be verified in full.
   */
  recall(input: string, check: string, ring: KeyRing): VerifyResult | undefined {
    if (this.#quiet) return undefined;
    const seen = this.get(input);
    if (seen === undefined || ring.byKid(seen.key.kid) !== seen.key) return undefined;
    if (!sameText(seen.check, check)) return undefined;
    const payload = parseJsonText(seen.json);
    if (payload === undefined) return undefined;
    if (++this.#hits + this.#inserted >= TUNE_WINDOW) this.#tune();
    return { ok: true, payload, key: seen.key };
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
   * Remembers what verified `input` (ignored for inputs longer than {@link MAX_MEMO_INPUT};
   * while quiet, only its fingerprint is noted). Keeps flat copies of `input` and `check`:
   * slices of a token would hold the whole Cookie header in memory.
   */
  set(input: string, entry: VerifiedEntry): void {
    if (this.#quiet) {
      this.#note(entry.check, true);
      return;
    }
    if (input.length > MAX_MEMO_INPUT) return;
    const ownInput = flatLatin1(input);
    const check = flatLatin1(entry.check);
    if (ownInput === undefined || check === undefined) return;
    this.#insert(ownInput, { key: entry.key, check, json: entry.json });
  }

  /**
   * Remembers a token this process has just made: its strings are its own (not slices of a
   * request), so they are kept as they are.
   */
  setIssued(input: string, entry: VerifiedEntry): void {
    if (this.#quiet) this.#note(entry.check, false);
    else if (input.length <= MAX_MEMO_INPUT) this.#insert(input, entry);
  }

  /** How many entries are held now (both generations). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /**
   * While quiet: notes the fingerprint of a MAC or tag. For a token that `verified`, finding it
   * noted already is a hit (it came back); anything else is an insertion.
   */
  #note(check: string, verified: boolean): void {
    const print = fingerprint(check);
    if (print === 0) return;
    const seen = this.#seen!;
    const slot = print & (seen.length - 1);
    if (verified && seen[slot] === print) this.#hits++;
    else {
      seen[slot] = print;
      this.#inserted++;
    }
    if (this.#hits + this.#inserted >= QUIET_WINDOW) this.#tune();
  }

  #insert(input: string, entry: VerifiedEntry): void {
    this.#remember(input, entry);
    if (this.#hits + ++this.#inserted >= TUNE_WINDOW) this.#tune();
  }

  /** Goes quiet, or wakes up, by the hits per insertion since the last look. */
  #tune(): void {
    const rate = this.#hits / Math.max(1, this.#inserted);
    if (!this.#quiet && rate < QUIET_BELOW) {
      this.#quiet = true;
      // What it held goes: nothing is looked up while quiet.
      this.#young = new Map();
      this.#old = new Map();
      // Room for the fingerprints of about as many tokens as two generations hold (256 KiB at most).
      this.#seen ??= new Int32Array(2 ** Math.min(16, Math.ceil(Math.log2(2 * this.capacity))));
      this.#seen.fill(0);
    } else if (this.#quiet && rate >= WAKE_AT) {
      this.#quiet = false;
    }
    this.#inserted = 0;
    this.#hits = 0;
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

/** The 6-bit value of each base64url character, by character code (255: not base64url). */
const SEXTET = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) {
  SEXTET['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;
}

/**
 * A 30-bit fingerprint of a base64url MAC or tag, from its first five characters, plus one (so
 * that 0 means none); 0 for text that is too short or not base64url there.
 */
function fingerprint(check: string): number {
  if (check.length < 5) return 0;
  let print = 0;
  for (let i = 0; i < 5; i++) {
    const code = check.charCodeAt(i);
    const sextet = code < 128 ? SEXTET[code]! : 255;
    if (sextet > 63) return 0;
    print = (print << 6) | sextet;
  }
  return print + 1;
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

/** Insertions between two looks at the hit rate. */
export const TUNE_WINDOW = 64;

/** Fingerprints noted (and hits) between two looks at the hit rate while quiet. */
export const QUIET_WINDOW = 1024;

/** Hits per insertion under which the memo goes quiet. */
export const QUIET_BELOW = 1 / 8;

/** Hits per insertion (of fingerprints) at which a quiet memo remembers every token again. */
export const WAKE_AT = 1 / 4;

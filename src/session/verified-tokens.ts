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
 * at how many lookups hit per insertion. Under {@link QUIET_BELOW} it goes quiet: it only looks
 * up and remembers the tokens whose MAC or tag starts with one {@link QUIET_SAMPLE}th of the
 * base64url alphabet, in generations that many times smaller (so that a sampled entry lives as
 * many requests as before). The other tokens skip it entirely: hashing the input for a lookup
 * costs about as much as an insertion. MACs are uniformly spread, so that is a fixed share of
 * any traffic, and the choice depends only on what the client sent (or was sent), never on a
 * secret. The sampled share moves on after every quiet window, so a few tokens that repeat get
 * their turn. At {@link WAKE_AT} hits per insertion it remembers every token again. Quiet or not,
 * a token gets the same outcome as from a full verification; only the work saved changes.
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
  /** Entries kept per generation now: `capacity`, or a sample's share of it while quiet. */
  #limit: number;
  #quiet = false;
  /** Which share of the alphabet a quiet memo samples (turns every quiet window). */
  #phase = 0;
  /** Insertions, hits and tokens offered since the hit rate was last looked at. */
  #inserted = 0;
  #hits = 0;
  #offered = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('VerifiedTokens capacity must be a positive integer');
    }
    this.capacity = capacity;
    this.#limit = capacity;
  }

  /** Whether it has gone quiet (remembering one token in {@link QUIET_SAMPLE}) for lack of hits. */
  get quiet(): boolean {
    return this.#quiet;
  }

  /**
   * The outcome of a token seen (or made) before: the same public `input`, the same MAC or tag
   * `check` as then (compared in constant time), under a key still in `ring`. `undefined` when
   * the token must be verified in full.
   */
  recall(input: string, check: string, ring: KeyRing): VerifyResult | undefined {
    if (this.#quiet && !this.#sampled(check)) return undefined;
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
   * Remembers what verified `input` (ignored for inputs longer than {@link MAX_MEMO_INPUT}, and,
   * while quiet, unless sampled). Keeps flat copies of `input` and `check`: slices of a token
   * would hold the whole Cookie header in memory.
   */
  set(input: string, entry: VerifiedEntry): void {
    if (input.length > MAX_MEMO_INPUT || !this.#admit(entry.check)) return;
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
    if (input.length <= MAX_MEMO_INPUT && this.#admit(entry.check)) this.#insert(input, entry);
  }

  /** How many entries are held now (both generations). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /**
   * Whether a token with MAC or tag `check` is remembered: always, or while quiet if sampled.
   * A quiet memo also looks at its hit rate after a window's worth of offers, so that a few
   * tokens that repeat without being sampled get their turn when the sample moves on.
   */
  #admit(check: string): boolean {
    if (!this.#quiet) return true;
    if (++this.#offered >= TUNE_WINDOW * QUIET_SAMPLE) this.#tune();
    return this.#sampled(check);
  }

  /**
   * Whether a quiet memo keeps (and looks up) the token whose MAC or tag is `check`: those whose
   * first character is in this phase's share of the alphabet. It depends only on what the
   * client sent (or was sent), never on a secret, and MACs are uniformly spread: a fixed share
   * of any traffic.
   */
  #sampled(check: string): boolean {
    const code = check.charCodeAt(0);
    if (code >= 128) return false;
    const sextet = SEXTET[code]!;
    return sextet < 64 && (sextet + this.#phase) % QUIET_SAMPLE === 0;
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
      this.#limit = Math.max(1, Math.ceil(this.capacity / QUIET_SAMPLE));
    } else if (this.#quiet && rate >= WAKE_AT) {
      this.#quiet = false;
      this.#limit = this.capacity;
    } else if (this.#quiet) {
      this.#phase = (this.#phase + 1) % QUIET_SAMPLE;
    }
    this.#inserted = 0;
    this.#hits = 0;
    this.#offered = 0;
  }

  #remember(input: string, entry: VerifiedEntry): void {
    if (this.#young.size >= this.#limit) {
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

/**
 * While quiet, one token in this many is remembered and looked up (and generations are this many
 * times smaller). A divisor of 64: the share of the base64url alphabet that is sampled.
 */
export const QUIET_SAMPLE = 32;

/** Hits per insertion under which the memo goes quiet. */
export const QUIET_BELOW = 1 / 8;

/** Hits per insertion (of the sampled tokens) at which a quiet memo remembers every token again. */
export const WAKE_AT = 1 / 4;

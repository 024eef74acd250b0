/**
 * How a remember-me token's server-side records are laid out in the store (see remember.ts).
 *
 * - The remember record (id `rid`, one per remembered device): `_remember: { user, days }`, and one
 *   key per generation, `g0`, `g1`, …, each `{ exp, at }` (when that generation's token expires,
 *   and when it was written). The current generation is the highest key. A store applies patches
 *   per key, last write wins, so two renewals writing one number (`g4` and `g4`) agree, and a
 *   renewal written late (`g4` beside `g5`) changes nothing: a renewal sets the next key and
 *   removes only the keys it read, all below the one it sets, so the highest never goes down.
 * - A holder record (id `hid`, one per token handed out): `_holds: rid`. The session that gets the
 *   token links it (`Session.linkRecord`), so ending that session ends this holder only, and the
 *   token with it: not a newer token of the same device, held by a newer session.
 *
 * Anything else found under these keys (a hostile or damaged record, days that `loginUser` would
 * refuse) reads as no record.
 *
 * @internal
 */
import { isUserId, type UserId } from './login-session.js';

/** The data key of a remember record: whose it is, and for how many days each renewal lasts. */
export const RECORD_KEY = '_remember';
/** The data key of a holder record: the id of the remember record it holds a token of. */
export const HOLDS_KEY = '_holds';

/** One generation of a remember record. Times are epoch seconds. */
export interface Generation {
  /** When the token of this generation expires. */
  exp: number;
  /** When this generation was written (issued, or renewed by a restore). */
  at: number;
}

/** A remember record as read from the store. */
export interface RememberRecord {
  user: UserId;
  days: number;
  /** The current generation: the highest one stored. */
  gen: number;
  current: Generation;
  /** Every generation key stored (the current one included). */
  keys: string[];
}

/** The data key of generation `gen`. */
export function genKey(gen: number): string {
  return `g${gen}`;
}

/** The stored data of a remember record as a {@link RememberRecord}, or `undefined`. */
export function readRecord(
  stored: Record<string, unknown> | undefined,
): RememberRecord | undefined {
  const head = stored?.[RECORD_KEY] as Record<string, unknown> | null | undefined;
  if (head === null || typeof head !== 'object') return undefined;
  const days = validDays(head.days);
  if (!isUserId(head.user) || days === undefined) return undefined;
  let gen = -1;
  const keys: string[] = [];
  for (const key of Object.keys(stored!)) {
    if (!/^g\d+$/.test(key)) continue;
    const n = Number(key.slice(1));
    // One spelling per number (no `g01`), and a number that counts exactly: else fail closed.
    if (!Number.isSafeInteger(n) || genKey(n) !== key) return undefined;
    keys.push(key);
    if (n > gen) gen = n;
  }
  const current = gen < 0 ? undefined : (stored![genKey(gen)] as Record<string, unknown> | null);
  if (current === null || typeof current !== 'object') return undefined;
  const { exp, at } = current;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  if (typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  return { user: head.user, days, gen, current: { exp, at }, keys };
}

/** A number of days as `remember` or the token may give it: a positive finite number, or `undefined`. */
export function validDays(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 3650
    ? value
    : undefined;
}

/** Whether the stored data of a holder record hold a token of remember record `rid`. */
export function holds(stored: Record<string, unknown> | undefined, rid: string): boolean {
  return stored?.[HOLDS_KEY] === rid;
}

/** Where a token points in the store: its record, generation and holder. */
export interface Ref {
  rid: string;
  gen: number;
  hid: string;
}

/** Where the claims of a token with a store point, or `undefined` when they are not all there. */
export function refOf(claims: Record<string, unknown>): Ref | undefined {
  const { rid, hid } = claims;
  const gen = claims.gen === undefined ? 0 : claims.gen;
  if (typeof rid !== 'string' || rid === '' || typeof hid !== 'string' || hid === '')
    return undefined;
  if (typeof gen !== 'number' || !Number.isSafeInteger(gen) || gen < 0) return undefined;
  return { rid, gen, hid };
}

/**
 * Whether generation `gen`, shown at `now` to a record whose current generation `current` was
 * written at `at`, is a parallel request of the browser that renewed it: the generation just
 * before, within `grace` seconds of the renewal. (Any other older generation is theft.)
 */
export function isParallel(
  gen: number,
  current: number,
  at: number,
  now: number,
  grace: number,
): boolean {
  return gen === current - 1 && now - at <= grace;
}

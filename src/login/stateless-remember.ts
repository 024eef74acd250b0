/**
 * Remember tokens without a record (no `rid`) in store mode: Python Microdot's (a service with
 * the same key), or ours issued in cookie mode, before the app had a store. Python interop wants
 * them honoured (`statelessRemember: 'accept'`, the default); nothing in them can be revoked, so
 * the store keeps, per user and per token, what makes them behave as ours do:
 * - single-use: a token restored once leaves a "used" record (its id a digest of the token) until
 *   it expires; shown again past the grace period for a browser's parallel requests, it is theft;
 * - revocable: a per-user "not before" time refuses every one issued at or before it (issued:
 *   `exp − days·86400`, from Microdot's own claims). `logoutOthers` and `logoutUser` move it to
 *   now. `session.destroyAll` and `destroyOthers`, which know nothing of the login, end the
 *   record that holds it (it is indexed by the user, as the sessions are); an unindexed witness,
 *   written with it, tells that it was ended rather than never written, and the time becomes
 *   the moment that is noticed (fail closed: one issued between the two is refused too).
 * With `'refuse'`, none is honoured in store mode (cookie mode has no other kind).
 *
 * @internal
 */
import { createHash } from 'node:crypto';
import type { SessionStore } from '../stores/store.js';
import type { UserId } from './login-session.js';

/** Whether a Login honours remember tokens without a record in store mode. */
export type StatelessRemember = 'accept' | 'refuse';

const DAY = 24 * 60 * 60;
/** The longest a remember token lives (`validDays`): the records below live as long. */
const LONGEST = 3650 * DAY + DAY;
/** The data key of the not-before record (indexed by the user) and of its witness (not indexed). */
const SINCE_KEY = '_stateless_since';
const WITNESS_KEY = '_stateless_seen';
/** The data key of a used token's record: when it was restored. */
const USED_KEY = '_stateless_used';

/** What a stateless token is worth: log in, nothing, or theft. */
export type StatelessWorth = 'ok' | 'none' | 'theft';

const now = (): number => Date.now() / 1000;
/** A store id for `parts`: a digest, base64url, apart from the session layer's random ids. */
const idOf = (...parts: string[]) =>
  createHash('sha256')
    .update(`microdot-ts stateless remember\0${parts.join('\0')}`)
    .digest('base64url');

/** When a token of Microdot's claims was issued; `undefined` for claims that cannot tell. */
export function issuedAt(claims: Record<string, unknown>): number | undefined {
  const { exp, days } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  // Microdot writes `days` (ours too); without it, the earliest a token living at most 3650 days
  // could have been issued.
  const valid = typeof days === 'number' && Number.isFinite(days) && days > 0 && days <= 3650;
  if (!valid && exp > now() + 3650 * DAY) return undefined;
  return exp - (valid ? days : 3650) * DAY;
}

/** The user's not-before time (0: never moved), writing its records when they are missing. */
async function since(store: SessionStore, userId: UserId): Promise<number> {
  const user = String(userId);
  const [record, witness] = await Promise.all([
    store.get(idOf('since', user)),
    store.get(idOf('witness', user)),
  ]);
  const value = record?.[SINCE_KEY];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // Never written: nothing was revoked. Written once and gone: destroyAll or destroyOthers.
  const t = witness?.[WITNESS_KEY] === true ? now() : 0;
  await moveSince(store, userId, t);
  return t;
}

/** Sets the user's not-before time to `t` (and its witness). */
async function moveSince(store: SessionStore, userId: UserId, t: number): Promise<void> {
  const user = String(userId);
  await store.set(
    idOf('witness', user),
    { set: { [WITNESS_KEY]: true }, unset: [], replace: true },
    { ttl: LONGEST },
  );
  await store.set(
    idOf('since', user),
    { set: { [SINCE_KEY]: t }, unset: [], replace: true },
    { ttl: LONGEST, userId: user },
  );
}

/** The stateless remember tokens of a Login, in store mode. */
export class StatelessTokens {
  readonly policy: StatelessRemember;
  /** Seconds during which a used token still restores (a browser's parallel requests). */
  readonly #grace: number;

  constructor(policy: StatelessRemember, grace: number) {
    this.policy = policy;
    this.#grace = grace;
  }

  /**
   * What the stateless `token` (its `claims`, verified, of `userId`) is worth; when it logs in,
   * it is marked used.
   */
  async restore(
    store: SessionStore,
    token: string,
    claims: Record<string, unknown>,
    userId: UserId,
  ): Promise<StatelessWorth> {
    if (this.policy === 'refuse') return 'none';
    const issued = issuedAt(claims);
    if (issued === undefined || issued <= (await since(store, userId))) return 'none';
    const id = idOf('used', token);
    const used = (await store.get(id))?.[USED_KEY];
    // Restored before: by a parallel request of the same browser, or by another party.
    if (used !== undefined)
      return typeof used === 'number' && now() - used <= this.#grace ? 'ok' : 'theft';
    const ttl = Math.ceil((claims.exp as number) - now());
    if (ttl < 1) return 'none';
    await store.set(id, { set: { [USED_KEY]: now() }, unset: [], replace: true }, { ttl });
    return 'ok';
  }

  /** Refuses every stateless token of `userId` issued until now (logout, logoutOthers). */
  async revokeAll(store: SessionStore, userId: UserId): Promise<void> {
    if (this.policy === 'accept') await moveSince(store, userId, now());
  }

  /** Makes a later `destroyAll` of `userId` visible to the check (at a login). */
  async watch(store: SessionStore, userId: UserId): Promise<void> {
    if (this.policy === 'accept') await since(store, userId);
  }
}

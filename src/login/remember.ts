/**
 * The remember-me cookie `_remember` of `microdot-ts/login`.
 *
 * Its token carries Microdot's claims `user_id`, `days` and `exp` (so a Python Microdot service
 * with the same key honours ours, and we honour its), signed with the session's key ring (or
 * encrypted, when the session encrypts). With a store it also names a server-side record (`rid`,
 * one per remembered device), its generation (`gen`) and its holder (`hid`): the record laid out
 * in remember-record.ts, which makes it:
 * - revocable: logout, `destroyAll(userId)` and `destroyOthers` (from any device, this device's
 *   record included) end the record (it is indexed by the user, as the user's sessions are), and
 *   every token of it is then worth nothing. `Login.logoutOthers` then gives this device a new
 *   token (a new record), so that no copy of the old one works;
 * - tied to the session that holds it: each token handed out gets a holder record of its own,
 *   which the session it logs in links (`Session.linkRecord`), written after that session, at
 *   the end of the request (remember-holder.ts): a request that fails leaves none. Ending that
 *   session ("log out this one", `delete()`, an eviction) ends the holder, and the token is worth
 *   nothing. Ending a stale session of the device (one whose cookie the browser lost before
 *   restoring from the token, or before logging in again without "remember me") ends only its
 *   own, older holder: never the token a newer session of the device holds. Ending is one
 *   `destroy` of a record nobody else links, so it needs no check-then-destroy that a renewal
 *   could slip between;
 * - single-use: a restore renews the record in place, to its next generation, and issues a token
 *   of that generation (with a new holder); the older token is worth nothing from then on.
 *   Restores racing with one token (a browser opening tabs at once) all write the same next
 *   generation: one chain, whose older links are theft when shown again; each gets a token and a
 *   holder of its own (several live tokens, each held by a session of its own). A renewal ends
 *   the renewed token's holder (so the user's index lists no holder longer than it lives); in the
 *   grace period the generation alone lets the older token restore. Each generation is a
 *   key of its own, so a renewal written late (one that read generation 3 and stalled while the
 *   record went to 5) adds `g4` beside `g5` and moves nothing back. A renewal is a patch, which a
 *   store writes only to a live record: a request that stalls between reading the record and
 *   renewing it, while the login is revoked (logout, destroyAll), writes nothing and logs nobody
 *   in. One revoked after the renewal, before the new session is written, is seen once that
 *   session is: the record is read again after its write, and the session ended if it is gone
 *   (remember-holder.ts). A login revoked by ending its record cannot come back through a
 *   restore (tokens without a record: stateless-remember.ts). One that ends a session while a
 *   restore of its token is in flight lets the restore finish as if it came first: its session
 *   is a new one (listed), with a holder of its own;
 * - a theft detector: an older generation presented again (after a short grace period for a
 *   browser's parallel requests) means two parties hold the token, so every session and
 *   remember token of the user ends. A generation newer than the record's was never issued by it
 *   (the generation never goes back): it restores nothing, and is not taken for theft.
 * With `userVersion`, the token also carries the user's version digest (`user_v`), kept through
 * every renewal, so a token made for another version of the user is refused.
 */
import { randomBytes } from 'node:crypto';
import type { Request } from '../request.js';
import type { Response } from '../response.js';
import type { Session } from '../session/index.js';
import { isUserId, type UserId } from './login-session.js';
import { type HandedOut, writeHolder } from './remember-holder.js';
import {
  type Generation,
  genKey,
  holds,
  isParallel,
  RECORD_KEY,
  readRecord,
  refOf,
  validDays,
} from './remember-record.js';
import { replacedTheft } from './remember-replaced.js';
import { tokenOf, versionOf } from './remember-token.js';
import { type StatelessRemember, StatelessTokens } from './stateless-remember.js';

/** The cookie's name, as Microdot's. */
export const REMEMBER_COOKIE = '_remember';
/** Seconds during which a rotated token still restores (parallel requests of one browser). */
export const REUSE_GRACE = 10;
const DAY = 24 * 60 * 60;
/** The name under which a session links the holder of its device's token (Session.linkRecord). */
const LINK_NAME = 'remember';

/** The outcome of presenting a remember cookie. */
export type Restored =
  | { kind: 'user'; userId: UserId; token: string; days: number }
  | { kind: 'none' }
  | { kind: 'theft'; userId: UserId };

const now = (): number => Math.floor(Date.now() / 1000);
const newId = (): string => randomBytes(18).toString('base64url');

/** Issues, restores and revokes remember tokens for one {@link Session}. */
export class RememberMe {
  /** The remember cookie each request will set (or remove: `undefined`). */
  readonly #pending = new WeakMap<Request, { out: HandedOut; days: number } | undefined>();
  /** Tokens without a record, in store mode (stateless-remember.ts). */
  readonly stateless: StatelessTokens;

  constructor(stateless: StatelessRemember = 'accept') {
    this.stateless = new StatelessTokens(stateless, REUSE_GRACE);
  }

  /**
   * A new remember token for `userId`, valid `days` days (and, with a store, its record and
   * holder), carrying the user's version digest when there is one.
   */
  async issue(session: Session, userId: UserId, days: number, version?: string): Promise<string> {
    const t = now();
    const exp = t + Math.round(days * DAY);
    const store = session.store;
    if (store === undefined) return tokenOf(session, userId, days, exp, version);
    const rid = newId();
    const options = { ttl: Math.max(1, exp - t), userId: String(userId) };
    const generation: Generation = { exp, at: t };
    await store.set(
      rid,
      {
        set: { [RECORD_KEY]: { user: userId, days }, [genKey(0)]: generation },
        unset: [],
        replace: true,
      },
      options,
    );
    return tokenOf(session, userId, days, exp, version, { rid, gen: 0, hid: newId() });
  }

  /** What the remember cookie `token` is worth now; single-use with a store. */
  async restore(session: Session, token: string): Promise<Restored> {
    const claims = session.verifyToken(token);
    if (claims === undefined || !isUserId(claims.user_id)) return { kind: 'none' };
    const userId = claims.user_id;
    // Microdot reads `_days` where it writes `days`, so its cookie always renews for 30 days.
    const days = validDays(claims.days) ?? 30;
    const version = versionOf(claims);
    const store = session.store;
    if (store === undefined || claims.rid === undefined) {
      // Stateless (cookie mode, or a Python Microdot token): renewed as it was issued. In store
      // mode, once, and not if issued before its user's logins were revoked.
      const worth = store && (await this.stateless.restore(store, token, claims, userId));
      if (worth === 'theft') return { kind: 'theft', userId };
      if (worth === 'none') return { kind: 'none' };
      return {
        kind: 'user',
        userId,
        days,
        token: await this.issue(session, userId, days, version),
      };
    }
    const ref = refOf(claims);
    if (ref === undefined) return { kind: 'none' };
    const { rid, gen, hid } = ref;
    const [stored, holder] = await Promise.all([store.get(rid), store.get(hid)]);
    const record = readRecord(stored);
    if (record === undefined || String(record.user) !== String(userId))
      // A record `logoutOthers` replaced (remember-replaced.ts): its older generations are theft.
      return replacedTheft(stored, userId, gen, REUSE_GRACE)
        ? { kind: 'theft', userId }
        : { kind: 'none' };
    const t = now();
    const current = record.gen;
    // A parallel request of the browser that renewed it gets the current generation.
    const parallel = isParallel(gen, current, record.current.at, t, REUSE_GRACE);
    // An older generation: two parties held the token. A newer one: never one of this record's.
    if (gen !== current && !parallel)
      return gen < current ? { kind: 'theft', userId } : { kind: 'none' };
    // The session that held this token was ended ("log out this one"): so is the token. (A
    // renewed token's holder is ended by its renewal: in the grace period, the generation speaks.)
    if (!parallel && !holds(holder, rid)) return { kind: 'none' };
    const next = parallel ? current : current + 1;
    const generation: Generation = parallel
      ? record.current
      : { exp: t + Math.round(record.days * DAY), at: t };
    const options = { ttl: Math.max(1, generation.exp - t), userId: String(userId) };
    // The record, as a patch: written only while the record lives, so a restore that read it
    // before a logout (or any revocation) and writes after it brings nothing back. Racing
    // restores write the same key; one written late (a lower one than the record has) moves
    // nothing back. The session this request makes holds the new token: a holder of its own,
    // written after that session (remember-holder.ts), which checks the record again then.
    const written = await store.set(
      rid,
      { set: { [genKey(next)]: generation }, unset: record.keys.filter((k) => k !== genKey(next)) },
      options,
    );
    if (!written) return { kind: 'none' };
    // The renewed token's holder ends (and leaves the user's index): from now on its token
    // restores only as a parallel request, in the grace period, and is theft after it.
    if (!parallel) await store.destroy(hid);
    return {
      kind: 'user',
      userId,
      days: record.days,
      token: tokenOf(session, userId, record.days, generation.exp, version, {
        rid,
        gen: next,
        hid: newId(),
      }),
    };
  }

  /**
   * Whether the remember cookie `token` is valid and was issued to `userId` (and, when `version`
   * is given, to that version of the user).
   */
  belongsTo(session: Session, token: string, userId: UserId, version?: string): boolean {
    const claims = session.verifyToken(token);
    return (
      claims !== undefined &&
      isUserId(claims.user_id) &&
      String(claims.user_id) === String(userId) &&
      (version === undefined || versionOf(claims) === version)
    );
  }

  /**
   * How many days the remember cookie `token` was issued for, when it is valid, issued to
   * `userId` (and `version`, when given) and, with a store, its record and holder still live;
   * else `undefined`. A token whose record or holder ended (a revoked login) is worth no renewal.
   * The token this request hands out has no holder yet (written at the end), and a token renewed
   * since has none any more: for them, the record counts.
   */
  async liveDays(
    session: Session,
    req: Request,
    token: string,
    userId: UserId,
    version?: string,
  ): Promise<number | undefined> {
    if (!this.belongsTo(session, token, userId, version)) return undefined;
    const claims = session.verifyToken(token)!;
    const store = session.store;
    if (store !== undefined && claims.rid !== undefined) {
      const ref = refOf(claims);
      if (ref === undefined) return undefined;
      const [stored, holder] = await Promise.all([store.get(ref.rid), store.get(ref.hid)]);
      const record = readRecord(stored);
      if (record === undefined || String(record.user) !== String(userId)) return undefined;
      // A token renewed since (its holder ended with the renewal) still says this device.
      const held = ref.gen < record.gen || token === this.pending(req) || holds(holder, ref.rid);
      if (!held) return undefined;
    }
    return validDays(claims.days) ?? 30;
  }

  /**
   * The remember cookie `token` (issued to `userId`, `version`) with a holder of its own, for a
   * new session of the device that keeps it (a login without `remember`); its older holder ends,
   * so that the stale session linking it no longer holds this device's token. Same record,
   * generation and expiry; the same token when it has no record (cookie mode). `undefined` when
   * the token is worth nothing.
   */
  async rehold(
    session: Session,
    req: Request,
    token: string,
    userId: UserId,
    version?: string,
  ): Promise<{ token: string; days: number } | undefined> {
    const days = await this.liveDays(session, req, token, userId, version);
    if (days === undefined) return undefined;
    const claims = session.verifyToken(token)!;
    const ref = refOf(claims);
    // A token without a record (cookie mode) has no holder: kept as it is.
    if (session.store === undefined || claims.rid === undefined) return { token, days };
    if (ref === undefined) return undefined;
    if (token !== this.pending(req)) await session.store!.destroy(ref.hid);
    const exp = claims.exp as number;
    const renewed = tokenOf(session, userId, days, exp, version, { ...ref, hid: newId() });
    return { token: renewed, days };
  }

  /** The remember token this request has set so far (a restore's renewal), if any. */
  pending(req: Request): string | undefined {
    return this.#pending.get(req)?.out.token;
  }

  /** Links the holder of `token` (none: `undefined`) to the request's session (with a store). */
  async link(session: Session, req: Request, token: string | undefined): Promise<void> {
    if (!session.usesStore) return;
    const claims = token === undefined ? undefined : session.verifyToken(token);
    await session.linkRecord(req, LINK_NAME, claims === undefined ? undefined : refOf(claims)?.hid);
  }

  /** Ends the record (and holder) the remember cookie `token` names (with a store; a no-op without). */
  async revoke(session: Session, token: string): Promise<void> {
    const store = session.store;
    if (store === undefined) return;
    const claims = session.verifyToken(token);
    if (typeof claims?.rid === 'string' && claims.rid !== '') await store.destroy(claims.rid);
    if (typeof claims?.hid === 'string' && claims.hid !== '') await store.destroy(claims.hid);
  }

  /**
   * Sets (`token`) or removes (`undefined`) the remember cookie on this request's response, with
   * the session cookie's attributes. The last call of a request wins; one Set-Cookie is sent.
   * With a store, the request's session links the token's holder (or no longer links one), so
   * that ending the session ("log out this one") ends this device's remember token too; the
   * holder is written after the session (remember-holder.ts). `restored`: the request's login
   * was restored from the remember cookie, and `token` is its renewal.
   */
  async cookie(
    session: Session,
    req: Request,
    token: string | undefined,
    days = 0,
    restored = false,
  ): Promise<void> {
    await this.link(session, req, token);
    const first = !this.#pending.has(req);
    this.#pending.set(req, token === undefined ? undefined : { out: { token, restored }, days });
    if (!first) return;
    // Registered after the session's own step (the session was read first): runs after its write.
    req.afterRequest((r, res) => {
      const pending = this.#pending.get(r);
      const attributes = session.cookieAttributes(r);
      const remove = (out: Response) => out.deleteCookie(REMEMBER_COOKIE, attributes);
      if (pending === undefined) return remove(res);
      const set = () =>
        res.setCookie(REMEMBER_COOKIE, pending.out.token, {
          ...attributes,
          maxAge: Math.round(pending.days * DAY),
        });
      if (session.store === undefined) return set();
      return writeHolder(session, r, pending.out, remove).then((revoked) => revoked ?? set());
    });
  }
}

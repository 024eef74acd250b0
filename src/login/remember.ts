/**
 * The remember-me cookie `_remember` of `microdot-ts/login`.
 *
 * Its token carries Microdot's claims `user_id`, `days` and `exp` (so a Python Microdot service
 * with the same key honours ours, and we honour its), signed with the session's key ring (or
 * encrypted, when the session encrypts). With a store it also names a server-side record (`rid`), which makes it:
 * - revocable: logout, `destroyAll(userId)` and `destroyOthers` (from any device, this device's
 *   record included) end the record (it is indexed by the user, as the user's sessions are), and
 *   the token is then worth nothing. The session it logged in links it (`Session.linkRecord`),
 *   so ending that session ("log out this one") ends it too. `Login.logoutOthers` then gives
 *   this device a new token (a new record), so that no copy of the old one works;
 * - single-use: a restore renews the record in place, to its next generation (`gen`, in the
 *   token too), and issues a token of that generation; the older token is worth nothing from
 *   then on. Restores racing with one token (a browser opening tabs at once) all write the same
 *   next generation: one live token, not one each. A renewal is a patch, which a store writes
 *   only to a live record: a request that stalls between reading the record and renewing it,
 *   while the login is revoked (logout, "log out this one", destroyAll), writes nothing and
 *   logs nobody in. A revoked login cannot come back;
 * - a theft detector: an older generation presented again (after a short grace period for a
 *   browser's parallel requests) means two parties hold the token, so every session and
 *   remember token of the user ends.
 * With `userVersion`, the token also carries the user's version digest (`user_v`), kept through
 * every renewal, so a token made for another version of the user is refused.
 */
import { randomBytes } from 'node:crypto';
import type { Request } from '../request.js';
import type { Session } from '../session/index.js';
import { isUserId, type UserId } from './login-session.js';
import { VERSION_CLAIM } from './user-version.js';

/** The cookie's name, as Microdot's. */
export const REMEMBER_COOKIE = '_remember';
/** The data key of a remember record in the store. */
const RECORD_KEY = '_remember';
/** Seconds during which a rotated token still restores (parallel requests of one browser). */
export const REUSE_GRACE = 10;
const DAY = 24 * 60 * 60;
/** The name under which a session links its device's remember record (Session.linkRecord). */
const LINK_NAME = 'remember';

/** What a remember record holds. */
interface RecordValue {
  user: UserId;
  days: number;
  /** When the token of the current generation expires (epoch seconds). */
  exp: number;
  /** The generation: how many restores renewed the record (0: as issued at login). */
  gen?: number;
  /** When the last restore renewed it. */
  rotatedAt?: number;
}

/** The outcome of presenting a remember cookie. */
export type Restored =
  | { kind: 'user'; userId: UserId; token: string; days: number }
  | { kind: 'none' }
  | { kind: 'theft'; userId: UserId };

const now = (): number => Math.floor(Date.now() / 1000);

function isRecord(value: unknown): value is RecordValue {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    isUserId(r.user) &&
    typeof r.days === 'number' &&
    typeof r.exp === 'number' &&
    (r.gen === undefined || (Number.isSafeInteger(r.gen) && (r.gen as number) >= 0))
  );
}

/** Issues, restores and revokes remember tokens for one {@link Session}. */
export class RememberMe {
  /** The remember cookie each request will set (or remove: `undefined`). */
  readonly #pending = new WeakMap<Request, { token: string; days: number } | undefined>();

  /**
   * A new remember token for `userId`, valid `days` days (and, with a store, its record),
   * carrying the user's version digest when there is one.
   */
  async issue(session: Session, userId: UserId, days: number, version?: string): Promise<string> {
    const exp = now() + Math.round(days * DAY);
    const store = session.store;
    if (store === undefined) return tokenOf(session, userId, days, exp, version);
    const rid = randomBytes(18).toString('base64url');
    const record: RecordValue = { user: userId, days, exp, gen: 0 };
    await store.set(
      rid,
      { set: { [RECORD_KEY]: record }, unset: [], replace: true },
      { ttl: Math.max(1, exp - now()), userId: String(userId) },
    );
    return tokenOf(session, userId, days, exp, version, rid, 0);
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
    const rid = claims.rid;
    if (store === undefined || rid === undefined) {
      // Stateless (cookie mode, or a Python Microdot token): renewed as it was issued.
      return {
        kind: 'user',
        userId,
        days,
        token: await this.issue(session, userId, days, version),
      };
    }
    const gen = claims.gen === undefined ? 0 : claims.gen;
    if (typeof rid !== 'string' || !Number.isSafeInteger(gen) || (gen as number) < 0)
      return { kind: 'none' };
    const stored = await store.get(rid);
    const record = stored?.[RECORD_KEY];
    if (!isRecord(record) || String(record.user) !== String(userId)) return { kind: 'none' };
    const current = record.gen ?? 0;
    const ok = (r: RecordValue, g: number): Restored => ({
      kind: 'user',
      userId,
      days: r.days,
      token: tokenOf(session, userId, r.days, r.exp, version, rid, g),
    });
    if (gen === current) {
      // Renewed in place, as a patch: written only while the record lives, so a restore that
      // read it before a logout (or any revocation) and writes after it brings nothing back.
      // Restores racing with this one all write this same next generation: one live token.
      const exp = now() + Math.round(record.days * DAY);
      const renewed: RecordValue = { ...record, exp, gen: current + 1, rotatedAt: now() };
      const written = await store.set(
        rid,
        { set: { [RECORD_KEY]: renewed }, unset: [] },
        { ttl: Math.max(1, exp - now()), userId: String(userId) },
      );
      return written ? ok(renewed, current + 1) : { kind: 'none' };
    }
    if (gen === current - 1 && now() - (record.rotatedAt ?? 0) <= REUSE_GRACE) {
      // A parallel request of the browser that renewed it: give it the current generation.
      return ok(record, current);
    }
    // An older generation: two parties held the token. A newer one: not a token of this record.
    return (gen as number) < current ? { kind: 'theft', userId } : { kind: 'none' };
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
   * `userId` (and `version`, when given) and, with a store, its record still lives; else
   * `undefined`. A token whose record ended (a revoked login) is worth no renewal.
   */
  async liveDays(
    session: Session,
    token: string,
    userId: UserId,
    version?: string,
  ): Promise<number | undefined> {
    if (!this.belongsTo(session, token, userId, version)) return undefined;
    const claims = session.verifyToken(token)!;
    const store = session.store;
    if (store !== undefined && claims.rid !== undefined) {
      const record =
        typeof claims.rid === 'string' ? (await store.get(claims.rid))?.[RECORD_KEY] : undefined;
      if (!isRecord(record) || String(record.user) !== String(userId)) return undefined;
    }
    return validDays(claims.days) ?? 30;
  }

  /** The remember token this request has set so far (a restore's renewal), if any. */
  pending(req: Request): string | undefined {
    return this.#pending.get(req)?.token;
  }

  /** Links the record of `token` (none: `undefined`) to the request's session (with a store). */
  async link(session: Session, req: Request, token: string | undefined): Promise<void> {
    if (!session.usesStore) return;
    const rid = token === undefined ? undefined : session.verifyToken(token)?.rid;
    await session.linkRecord(
      req,
      LINK_NAME,
      typeof rid === 'string' && rid !== '' ? rid : undefined,
    );
  }

  /** Ends the record the remember cookie `token` names (with a store; a no-op without). */
  async revoke(session: Session, token: string): Promise<void> {
    const store = session.store;
    if (store === undefined) return;
    const rid = session.verifyToken(token)?.rid;
    if (typeof rid === 'string') await store.destroy(rid);
  }

  /**
   * Sets (`token`) or removes (`undefined`) the remember cookie on this request's response, with
   * the session cookie's attributes. The last call of a request wins; one Set-Cookie is sent.
   * With a store, the request's session links the token's record (or no longer links one), so
   * that ending the session ("log out this one") ends this device's remember token too.
   */
  async cookie(session: Session, req: Request, token: string | undefined, days = 0): Promise<void> {
    await this.link(session, req, token);
    const first = !this.#pending.has(req);
    this.#pending.set(req, token === undefined ? undefined : { token, days });
    if (!first) return;
    req.afterRequest((r, res) => {
      const pending = this.#pending.get(r);
      const attributes = session.cookieAttributes(r);
      if (pending === undefined) res.deleteCookie(REMEMBER_COOKIE, attributes);
      else
        res.setCookie(REMEMBER_COOKIE, pending.token, {
          ...attributes,
          maxAge: Math.round(pending.days * DAY),
        });
    });
  }
}

/** A remember token: Microdot's claims, the version digest, and (with a store) its record and generation. */
function tokenOf(
  session: Session,
  userId: UserId,
  days: number,
  exp: number,
  version: string | undefined,
  rid?: string,
  gen?: number,
): string {
  const claims: Record<string, unknown> = { user_id: userId, days, exp };
  if (version !== undefined) claims[VERSION_CLAIM] = version;
  if (rid !== undefined) {
    claims.rid = rid;
    claims.gen = gen;
  }
  return session.issueToken(claims);
}

/** The version digest a token carries, if any. */
export function versionOf(claims: Record<string, unknown>): string | undefined {
  const version = claims[VERSION_CLAIM];
  return typeof version === 'string' ? version : undefined;
}

/** A number of days as `remember` or the token may give it: a positive finite number, or `undefined`. */
export function validDays(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 3650
    ? value
    : undefined;
}

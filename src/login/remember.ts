/**
 * The remember-me cookie `_remember` of `microdot-ts/login`.
 *
 * Its token carries Microdot's claims `user_id`, `days` and `exp` (so a Python Microdot service
 * with the same key honours ours, and we honour its), signed with the session's key ring (or
 * encrypted, when the session encrypts). With a store it also names a server-side record (`rid`), which makes it:
 * - revocable: logout, `destroyAll(userId)` and another device's `destroyOthers` end the record
 *   (it is indexed by the user, as the user's sessions are), and the token is then worth
 *   nothing. The session it logged in links it (`Session.linkRecord`), so ending that session
 *   ("log out this one") ends it too, and `destroyOthers` keeps this device's;
 * - single-use: a restore replaces it with a new token and record; the old record stays as a
 *   tombstone that points to its successor until the old token would have expired. The
 *   successor's id is derived from the old one, so restores racing with one token (a browser
 *   opening tabs at once) all write and name the same successor: one, not one each;
 * - a theft detector: an old token presented again (after a short grace period for a browser's
 *   parallel requests) means two parties hold it, so every session and remember token of the
 *   user ends.
 * With `userVersion`, the token also carries the user's version digest (`user_v`), kept through
 * every renewal, so a token made for another version of the user is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
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
  /** When the token that names this record expires (epoch seconds). */
  exp: number;
  /** Set when a restore replaced this record: its successor, and when. */
  next?: string;
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
  return isUserId(r.user) && typeof r.days === 'number' && typeof r.exp === 'number';
}

/** Issues, restores and revokes remember tokens for one {@link Session}. */
export class RememberMe {
  /** The remember cookie each request will set (or remove: `undefined`). */
  readonly #pending = new WeakMap<Request, { token: string; days: number } | undefined>();

  /**
   * A new remember token for `userId`, valid `days` days (and, with a store, its record),
   * carrying the user's version digest when there is one.
   */
  async issue(
    session: Session,
    userId: UserId,
    days: number,
    version?: string,
    rid = randomBytes(18).toString('base64url'),
  ): Promise<string> {
    const exp = now() + Math.round(days * DAY);
    const claims: Record<string, unknown> = { user_id: userId, days, exp };
    if (version !== undefined) claims[VERSION_CLAIM] = version;
    const store = session.store;
    if (store !== undefined) {
      const record: RecordValue = { user: userId, days, exp };
      await store.set(
        rid,
        { set: { [RECORD_KEY]: record }, unset: [], replace: true },
        { ttl: Math.max(1, exp - now()), userId: String(userId) },
      );
      claims.rid = rid;
    }
    return session.issueToken(claims);
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
    if (typeof rid !== 'string') return { kind: 'none' };
    const stored = await store.get(rid);
    const record = stored?.[RECORD_KEY];
    if (!isRecord(record) || String(record.user) !== String(userId)) return { kind: 'none' };
    if (record.next !== undefined) {
      if (now() - (record.rotatedAt ?? 0) <= REUSE_GRACE) {
        // A parallel request of the browser that rotated it: give it the successor's token.
        const successor = await store.get(record.next);
        if (!isRecord(successor?.[RECORD_KEY])) return { kind: 'none' };
        const next = successor[RECORD_KEY] as RecordValue;
        const renewed: Record<string, unknown> = {
          user_id: userId,
          days: next.days,
          exp: next.exp,
          rid: record.next,
        };
        if (version !== undefined) renewed[VERSION_CLAIM] = version;
        return {
          kind: 'user',
          userId,
          days: next.days,
          token: session.issueToken(renewed),
        };
      }
      return { kind: 'theft', userId };
    }
    // Every restore racing with this one (all read the record before any marked it rotated)
    // names the same successor, and writes the same record: one successor, not one each. (A
    // racer held up past the successor's own rotation would write it afresh: a window of one
    // store round trip, where before every racer left a live token of its own.)
    const successor = successorOf(rid);
    const fresh = await this.issue(session, userId, record.days, version, successor);
    const tombstone: RecordValue = { ...record, next: successor, rotatedAt: now() };
    await store.set(
      rid,
      { set: { [RECORD_KEY]: tombstone }, unset: [] },
      { ttl: Math.max(1, record.exp - now()), userId: String(userId) },
    );
    return { kind: 'user', userId, days: record.days, token: fresh };
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

  /** The remember token this request has set so far (a restore's successor), if any. */
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

/**
 * The id of the record that replaces record `rid` at its rotation: 144 bits of SHA-256 of it.
 * Knowing it gives nothing: a token naming it must still be signed with the key ring.
 */
function successorOf(rid: string): string {
  return createHash('sha256')
    .update(`microdot-ts remember successor\u0000${rid}`)
    .digest('base64url')
    .slice(0, 24);
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

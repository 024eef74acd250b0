import { randomBytes } from 'node:crypto';
import type { Response } from '../response.js';
import { META_KEY, type SessionPatch, type SessionStore } from '../stores/store.js';
import { type Claims, lifetimeOf, nowSeconds, withoutClaims } from './claims.js';
import type { SessionContext } from './context.js';
import { checkLink, endLinked, LINKS_KEY, linkedIds, linksOf } from './links.js';
import type { Pending, SessionMode } from './mode.js';
import type { RequestSession } from './request-session.js';
import {
  asMeta,
  freshMeta,
  handleOf,
  LOGIN_USER_KEY,
  SEEN_EVERY,
  userIdOf,
} from './session-info.js';
import { storeCall } from './store-call.js';
import { UserSessions } from './user-sessions.js';

/**
 * Store mode: the data live in a {@link SessionStore}; the cookie carries only a signed (or
 * encrypted) token of the session id and its time claims. Everything that happens to a store
 * session in a request is here: loading its record, writing it at the end of the request as a
 * per-key patch (or destroying it) and setting (or removing) the cookie. A user's sessions as a
 * whole (list, end, limit) are {@link UserSessions}.
 *
 * @internal
 */
export class StoreMode implements SessionMode {
  readonly #ctx: SessionContext;
  /** The user's sessions: listed, ended; the per-user limit. */
  readonly users: UserSessions;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
    this.users = new UserSessions(ctx);
  }

  get #store(): SessionStore {
    return this.#ctx.options.store!;
  }

  async load(rs: RequestSession, token: string): Promise<Record<string, unknown> | undefined> {
    const ctx = this.#ctx;
    const verified = ctx.verify(rs.req, token);
    if (verified === undefined) return undefined;
    const sid = verified.claims.sid;
    if (typeof sid !== 'string' || sid.length < 16) return ctx.invalid(rs.req, 'malformed');
    const stored = await storeCall(() => this.#store.get(sid));
    if (stored === undefined) return ctx.invalid(rs.req, 'expired');
    // Without a schema, no await: each one is a promise and a turn of the microtask queue.
    const plain = withoutClaims(stored);
    const data = ctx.options.validate === undefined ? plain : await ctx.validated(rs.req, plain);
    if (data === undefined) return undefined;
    rs.accept(verified, stored._flash);
    rs.links = linksOf(stored);
    const seen = this.#seen(sid, verified.claims, stored);
    if (seen !== undefined) await seen;
    return data;
  }

  save(_rs: RequestSession, data: Record<string, unknown>): Pending {
    // A user value the store cannot index is refused here, in the handler, not after it.
    userIdOf(data, this.#ctx.options.userKey);
    return { kind: 'save', data, token: undefined };
  }

  /** The end of a request: the record is patched (or destroyed), then the cookie set (or removed). */
  async finish(
    rs: RequestSession,
    res: Response,
    pending: Pending,
    restamp: boolean,
  ): Promise<void> {
    const ctx = this.#ctx;
    if (pending.kind === 'delete') {
      const sid = this.#sidOf(rs);
      if (sid !== undefined) {
        const store = this.#store;
        // The session ends, and the records it links with it (its own are known once loaded).
        await storeCall(async () => {
          const linked =
            rs.dict !== undefined ? Object.values(rs.links) : await linkedIds(store, sid);
          await endLinked(store, linked);
          await store.destroy(sid);
        });
      }
      res.deleteCookie(ctx.options.cookieName, ctx.cookieAttributes(rs.req));
      return;
    }
    await this.#write(rs, res, pending.data, restamp);
  }

  /** The id of the request's session: from its claims, or, if it was never read, its cookie. */
  #sidOf(rs: RequestSession): string | undefined {
    if (rs.dict !== undefined) return rs.claims.sid;
    const token = rs.req.cookie(this.#ctx.options.cookieName);
    if (token === undefined || token === '') return undefined;
    return this.#ctx.verify(rs.req, token)?.claims.sid;
  }

  async #write(
    rs: RequestSession,
    res: Response,
    data: Record<string, unknown>,
    restamp: boolean,
  ): Promise<void> {
    const ctx = this.#ctx;
    const o = ctx.options;
    const store = this.#store;
    const userId = userIdOf(data, o.userKey);
    // A save without a read replaces the session the cookie names: a new id, the old one ended.
    const oldSid = this.#sidOf(rs);
    const fresh = rs.regenerating || rs.dict === undefined || oldSid === undefined;
    const sid = fresh ? randomBytes(18).toString('base64url') : oldSid;
    if (fresh || restamp || rs.claims.exp === undefined) rs.stamp(fresh);
    const now = nowSeconds();
    const patch: SessionPatch = fresh
      ? {
          set: { ...data, [META_KEY]: freshMeta(rs.req, now, o.trustProxy) },
          unset: [],
          replace: true,
        }
      : diff(rs.loaded ?? new Map(), data);
    if (rs.flashChanged || fresh) {
      if (Object.keys(rs.flashes).length > 0) patch.set._flash = rs.flashes;
      else if (!fresh) (patch.unset as string[]).push('_flash');
    }
    if (rs.linksChanged || fresh) {
      if (Object.keys(rs.links).length > 0) patch.set[LINKS_KEY] = { ...rs.links };
      else if (!fresh) (patch.unset as string[]).push(LINKS_KEY);
    }
    const ttl = Math.max(1, rs.claims.exp! - now);
    const options = userId === undefined ? { ttl } : { ttl, userId };
    const written = await storeCall(() => store.set(sid, patch, options));
    if (written === false) {
      // The record is gone (logged out, or ended everywhere, while this request ran): answer as
      // a logged-out session. Nothing was written, and the cookie goes.
      res.deleteCookie(o.cookieName, ctx.cookieAttributes(rs.req));
      return;
    }
    if (fresh && oldSid !== undefined) await storeCall(() => store.destroy(oldSid));
    const userChanged =
      Object.hasOwn(patch.set, o.userKey) || Object.hasOwn(patch.set, LOGIN_USER_KEY);
    if (userId !== undefined && (fresh || userChanged)) await this.users.limit(userId, sid);
    const claims = {
      sid,
      iat: rs.claims.iat,
      exp: rs.claims.exp,
      auth_time: rs.claims.auth_time,
    };
    // From here on the request's session is the one written (`currentHandle` in a later hook).
    rs.claims = claims;
    const token = ctx.encode(claims, ctx.requireRing().current);
    res.cookies.push(ctx.serializer(rs.req)(token, rs.maxAge()));
  }

  /**
   * Writes `lastSeenAt` when the one stored is a minute old or more (so reads stay reads); the
   * write, or `undefined` when there is none.
   */
  #seen(
    sid: string,
    claims: Claims,
    stored: Record<string, unknown>,
  ): Promise<unknown> | undefined {
    const meta = asMeta(stored[META_KEY]);
    const now = nowSeconds();
    if (meta === undefined || now - meta.lastSeenAt < SEEN_EVERY) return undefined;
    const ttl = Math.max(1, (claims.exp ?? now + lifetimeOf(this.#ctx.options)) - now);
    const patch = { set: { [META_KEY]: { ...meta, lastSeenAt: now } }, unset: [] };
    // With its user named, a store writes the user index along with the session (RedisStore:
    // in the same round trip) instead of looking the owner up first.
    const userId = this.#storedUserId(stored);
    const options = userId === undefined ? { ttl } : { ttl, userId };
    return storeCall(() => this.#store.set(sid, patch, options));
  }

  /** The user id a stored record names, or `undefined` (also when it is not one a store takes). */
  #storedUserId(stored: Record<string, unknown>): string | undefined {
    try {
      return userIdOf(stored, this.#ctx.options.userKey);
    } catch {
      return undefined;
    }
  }

  /** Links record `id` (or unlinks, `undefined`) to the request's session under `name`. */
  async linkRecord(rs: RequestSession, name: string, id: string | undefined): Promise<void> {
    checkLink(name, id);
    await rs.load();
    rs.link(name, id);
  }

  /** The handle of the request's session, if it has a live one. */
  async currentHandle(rs: RequestSession): Promise<string | undefined> {
    await rs.load();
    const sid = rs.claims.sid;
    return sid === undefined ? undefined : handleOf(sid);
  }
}

/** Per-key changes from the data as loaded to `data` (last write wins per key in the store). */
function diff(loaded: Map<string, string>, data: Record<string, unknown>): SessionPatch {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (loaded.get(key) !== JSON.stringify(value)) set[key] = value;
  }
  for (const key of loaded.keys()) if (!Object.hasOwn(data, key)) unset.push(key);
  return { set, unset };
}

import { randomBytes } from 'node:crypto';
import { HTTPException } from '../http-exception.js';
import type { Response } from '../response.js';
import { type SessionPatch, type SessionStore, StoreUnavailableError } from '../stores/store.js';
import { nowSeconds, withoutClaims } from './claims.js';
import type { SessionContext } from './context.js';
import type { Pending, SessionMode } from './mode.js';
import type { RequestSession } from './request-session.js';

/**
 * Store mode: the data live in a {@link SessionStore}; the cookie carries only a signed (or
 * encrypted) token of the session id and its time claims. Everything that happens to a store
 * session is here: loading its record, and, at the end of a request, writing it as a per-key
 * patch (or destroying it) and setting (or removing) the cookie.
 *
 * @internal
 */
export class StoreMode implements SessionMode {
  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
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
    const data = await ctx.validated(rs.req, withoutClaims(stored));
    if (data === undefined) return undefined;
    rs.accept(verified, stored._flash);
    return data;
  }

  save(_rs: RequestSession, data: Record<string, unknown>): Pending {
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
      const sid = rs.claims.sid;
      if (sid !== undefined) await storeCall(() => this.#store.destroy(sid));
      res.deleteCookie(ctx.options.cookieName, ctx.cookieAttributes(rs.req));
      return;
    }
    await this.#write(rs, res, pending.data, restamp);
  }

  /** Ends every session of `userId`; resolves to how many. */
  destroyAll(userId: string): Promise<number> {
    return storeCall(() => this.#store.destroyAll(userId));
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
    const oldSid = rs.claims.sid;
    const fresh = rs.regenerating || oldSid === undefined;
    const sid = fresh ? randomBytes(18).toString('base64url') : oldSid;
    if (fresh || restamp || rs.claims.exp === undefined) rs.stamp(fresh);
    const patch: SessionPatch = fresh
      ? { set: { ...data }, unset: [], replace: true }
      : diff(rs.loaded ?? new Map(), data);
    if (rs.flashChanged || fresh) {
      if (Object.keys(rs.flashes).length > 0) patch.set._flash = rs.flashes;
      else if (!fresh) (patch.unset as string[]).push('_flash');
    }
    const userValue = data[o.userKey];
    const userId =
      typeof userValue === 'string' || typeof userValue === 'number'
        ? String(userValue)
        : undefined;
    const ttl = Math.max(1, rs.claims.exp! - nowSeconds());
    await storeCall(() => store.set(sid, patch, userId === undefined ? { ttl } : { ttl, userId }));
    if (rs.regenerating && oldSid !== undefined) await storeCall(() => store.destroy(oldSid));
    const claims = {
      sid,
      iat: rs.claims.iat,
      exp: rs.claims.exp,
      auth_time: rs.claims.auth_time,
    };
    const token = ctx.encode(claims, ctx.requireRing().current);
    res.setCookie(o.cookieName, token, { ...ctx.cookieAttributes(rs.req), maxAge: rs.maxAge() });
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

/** Runs a store call; an unreachable store becomes a 503 for this request. */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new HTTPException(503, { message: 'Session store unavailable', cause: err });
    }
    throw err;
  }
}

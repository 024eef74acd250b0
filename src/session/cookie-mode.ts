import type { Response } from '../response.js';
import { withoutClaims } from './claims.js';
import type { SessionContext, Verified } from './context.js';
import { SessionTooLargeError } from './errors.js';
import type { SessionKey } from './keyring.js';
import type { Pending, SessionMode } from './mode.js';
import type { RequestSession } from './request-session.js';

/** A cookie-mode token with its Set-Cookie header value, as checked against the size budget. */
interface Encoded {
  token: string;
  header: string;
  maxAge: number;
}

/**
 * Cookie mode: the data travel in the cookie, as a signed (or encrypted) token. Loading is
 * synchronous unless a `validate` schema must run; `save()` encodes at once, so a session too
 * large for a cookie throws in the handler, not after it.
 *
 * @internal
 */
export class CookieMode implements SessionMode {
  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  load(
    rs: RequestSession,
    token: string,
  ): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined> {
    const verified = this.#ctx.verify(rs.req, token);
    if (verified === undefined) return undefined;
    if (this.#ctx.options.validate !== undefined) return this.#validated(rs, verified);
    const payload = verified.payload;
    rs.accept(verified, payload._flash);
    // The payload as is: createSessionDict leaves out the claims (and `__proto__`).
    return payload;
  }

  save(rs: RequestSession, data: Record<string, unknown>): Pending {
    const key = this.#ctx.requireRing().current;
    const { token, header, maxAge } = this.#encodeChecked(rs, key, data, true);
    return { kind: 'save', data, token, header, maxAge };
  }

  finish(rs: RequestSession, res: Response, pending: Pending, restamp: boolean): void {
    const ctx = this.#ctx;
    if (pending.kind === 'delete') {
      res.deleteCookie(ctx.options.cookieName, ctx.cookieAttributes(rs.req));
      return;
    }
    // Flash messages or a rotation may have changed after save(): encode again if so.
    if (pending.token !== undefined && !rs.flashChanged) {
      const maxAge = rs.maxAge();
      // The header built by save() for the size check, unless a second has passed since.
      res.cookies.push(
        pending.header !== undefined && pending.maxAge === maxAge
          ? pending.header
          : ctx.serializer(rs.req)(pending.token, maxAge),
      );
      return;
    }
    const restampNow = pending.token === undefined && restamp;
    const key = ctx.requireRing().current;
    res.cookies.push(this.#encodeChecked(rs, key, pending.data, restampNow).header);
  }

  async #validated(
    rs: RequestSession,
    verified: Verified,
  ): Promise<Record<string, unknown> | undefined> {
    const payload = verified.payload;
    const data = await this.#ctx.validated(rs.req, withoutClaims(payload));
    if (data === undefined) return undefined;
    rs.accept(verified, payload._flash);
    return data;
  }

  /** Encodes a token for `data` and checks the Set-Cookie fits the size budget. */
  #encodeChecked(
    rs: RequestSession,
    key: SessionKey,
    data: Record<string, unknown>,
    restamp: boolean,
  ): Encoded {
    const ctx = this.#ctx;
    if (restamp || rs.claims.exp === undefined) rs.stamp(rs.regenerating);
    const payload: Record<string, unknown> = {};
    for (const name of Object.keys(data)) payload[name] = data[name];
    if (hasKeys(rs.flashes)) payload._flash = rs.flashes;
    payload.iat = rs.claims.iat;
    payload.exp = rs.claims.exp;
    payload.auth_time = rs.claims.auth_time;
    const token = ctx.encode(payload, key);
    const maxAge = rs.maxAge();
    const header = ctx.serializer(rs.req)(token, maxAge);
    if (header.length > ctx.options.maxCookieSize) {
      throw new SessionTooLargeError(header.length, ctx.options.maxCookieSize);
    }
    return { token, header, maxAge };
  }
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

import type { Request } from '../request.js';
import type { Response } from '../response.js';
import { type Claims, maxAgeOf, nowSeconds, renewalDue, stampClaims } from './claims.js';
import type { SessionContext, Verified } from './context.js';
import type { Pending } from './mode.js';
import {
  createSessionDict,
  type SessionController,
  type SessionDict,
  sessionData,
} from './session-dict.js';

/**
 * One request's session: its state (data as loaded, claims, flash messages, what to write) and
 * the flow that is the same in both modes: load, `save()`, `delete()`, `regenerate()`, and the
 * end of the request. Also the controller its session dictionary calls: one object per request,
 * with methods on its prototype. What differs by mode is asked of `ctx.mode`.
 *
 * @internal
 */
export class RequestSession implements SessionController {
  readonly ctx: SessionContext;
  readonly req: Request;
  dict: SessionDict | undefined = undefined;
  loading: Promise<SessionDict> | undefined = undefined;
  /** JSON of each data key as loaded: the base of dirty tracking and store patches (made only for those). */
  loaded: Map<string, string> | undefined = undefined;
  claims: Claims = {};
  flashes: Record<string, unknown> = {};
  flashChanged = false;
  /** The store records linked to the session (links.ts), as loaded or changed by this request. */
  links: Record<string, string> = {};
  linksChanged = false;
  /** Re-sign the cookie at the end with the newest key, keeping its claims. */
  rotate = false;
  /** Re-issue the cookie at the end with a new lifetime (rolling renewal due). */
  renew = false;
  /** `regenerate()` was called: a new identity (and, with a store, a new id) at the end. */
  regenerating = false;
  pending: Pending | undefined = undefined;
  hooked = false;

  constructor(ctx: SessionContext, req: Request) {
    this.ctx = ctx;
    this.req = req;
  }

  /** The session dictionary, at once when the mode can give it, else as a promise. */
  load(): SessionDict | Promise<SessionDict> {
    if (this.dict !== undefined) return this.dict;
    if (this.loading !== undefined) return this.loading;
    const token = this.req.cookie(this.ctx.options.cookieName);
    if (token === undefined || token === '') return this.#ready({});
    const data = this.ctx.mode.load(this, token);
    if (data instanceof Promise) {
      this.loading = data.then((loaded) => this.#ready(loaded ?? {}));
      return this.loading;
    }
    return this.#ready(data ?? {});
  }

  /** Keeps the claims and flash messages of an accepted token; notes rotation and renewal. */
  accept(verified: Verified, flash: unknown): void {
    const o = this.ctx.options;
    const claims = verified.claims;
    this.claims = claims;
    if (flash !== null && typeof flash === 'object' && !Array.isArray(flash)) {
      this.flashes = { ...(flash as Record<string, unknown>) };
    }
    if (o.reissue && verified.key !== this.ctx.ring!.current) this.rotate = true;
    if (o.renewAfter !== undefined && renewalDue(claims.iat, o, o.renewAfter, nowSeconds()))
      this.renew = true;
  }

  /** `save()` of `data`: checked and prepared now (cookie mode encodes it), written at the end. */
  update(data: object): void {
    this.ctx.requireRing();
    this.pending = this.ctx.mode.save(this, sessionData(data));
    this.#hook();
  }

  save(dict: object): void {
    this.update(dict);
  }

  delete(): void {
    this.pending = { kind: 'delete' };
    this.#hook();
  }

  regenerate(): void {
    this.ctx.requireRing();
    this.regenerating = true;
    // Without a save() the data are kept as they are, under the new identity.
    if (this.pending === undefined && this.dict !== undefined) this.update(this.dict);
  }

  flash(key: string, value: unknown): void {
    this.flashes[key] = value;
    this.flashChanged = true;
    this.#hook();
  }

  consumeFlash(key: string): unknown {
    if (!Object.hasOwn(this.flashes, key)) return undefined;
    const value = this.flashes[key];
    delete this.flashes[key];
    this.flashChanged = true;
    this.#hook();
    return value;
  }

  /** Links (or, with `undefined`, unlinks) record `id` under `name`; written at the end. */
  link(name: string, id: string | undefined): void {
    if (this.links[name] === id) return;
    if (id === undefined) delete this.links[name];
    else this.links[name] = id;
    this.linksChanged = true;
    this.#hook();
  }

  /** Gives the claims a new lifetime from now; `fresh` starts `auth_time` again. */
  stamp(fresh: boolean): void {
    this.claims = stampClaims(this.claims, this.ctx.options, nowSeconds(), fresh);
  }

  /** The cookie's Max-Age for the current claims. */
  maxAge(): number {
    return maxAgeOf(this.claims, nowSeconds());
  }

  /** The end of the request: what to write, if anything, handed to the mode. */
  finish(res: Response): void | Promise<void> {
    const o = this.ctx.options;
    if (this.dict !== undefined) {
      // The response depends on who asked (RFC 9110 §12.5.5); shared caches must not keep it.
      const vary = res.headers.vary;
      if (vary === undefined) res.headers.vary = 'Cookie';
      else if (!/(^|,)\s*cookie\s*(,|$)/i.test(vary) && vary.trim() !== '*')
        res.headers.vary = `${vary}, Cookie`;
      res.headers['cache-control'] ??= 'private';
    }
    let pending = this.pending;
    // A key rotation alone re-signs the same claims: it must not extend the session.
    let restamp = true;
    if (pending === undefined && this.dict !== undefined) {
      const changed =
        (o.autoSave && this.#dirty()) ||
        this.flashChanged ||
        this.linksChanged ||
        this.regenerating;
      if (changed || this.renew || this.rotate) {
        pending = { kind: 'save', data: sessionData(this.dict), token: undefined };
        restamp = changed || this.renew;
      }
    }
    if (pending === undefined) return;
    this.ctx.requireRing();
    return this.ctx.mode.finish(this, res, pending, restamp);
  }

  /** Makes the request's session dictionary over the loaded `data`. */
  #ready(data: Record<string, unknown>): SessionDict {
    const o = this.ctx.options;
    // `data` may be a token's whole payload: the dictionary keeps only its data keys (no claims).
    const dict = createSessionDict(data, this);
    // The JSON as loaded is only needed to find changes (autoSave) and store patches.
    if (o.autoSave || o.store !== undefined) {
      const loaded = new Map<string, string>();
      for (const key of Object.keys(dict)) {
        loaded.set(key, JSON.stringify((dict as Record<string, unknown>)[key]));
      }
      this.loaded = loaded;
    }
    this.dict = dict;
    this.#hook();
    return dict;
  }

  /** Registers (once per request) the after-request step that writes the session. */
  #hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    this.req.afterRequest(this.ctx.afterRequest);
  }

  #dirty(): boolean {
    const dict = this.dict!;
    const loaded = this.loaded ?? new Map<string, string>();
    const keys = Object.keys(dict);
    if (keys.length !== loaded.size) return true;
    for (const key of keys) {
      if (loaded.get(key) !== JSON.stringify((dict as Record<string, unknown>)[key])) return true;
    }
    return false;
  }
}

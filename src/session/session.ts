import { randomBytes } from 'node:crypto';
import type { MicrodotBase } from '../app.js';
import { HTTPException } from '../http-exception.js';
import type { Request } from '../request.js';
import type { Response } from '../response.js';
import { type SessionPatch, StoreUnavailableError } from '../stores/store.js';
import { type CookieOptions, cookieSerializer } from '../utils/cookie.js';
import { SecretKeyNotConfiguredError, SessionTooLargeError } from './errors.js';
import { decryptToken, encryptToken, isEncryptedToken } from './jwe.js';
import { KeyRing, type SecretInput, type SessionKey } from './keyring.js';
import {
  type InvalidReason,
  type ResolvedOptions,
  resolveOptions,
  type SessionOptions,
} from './options.js';
import {
  createSessionDict,
  type SessionController,
  type SessionDict,
  sessionData,
} from './session-dict.js';
import { MAX_TOKEN_LENGTH, signToken, type VerifyResult, verifyToken } from './token.js';
import { VerifiedTokens } from './verified-tokens.js';

/** The token claims the session layer keeps beside the data. */
interface Claims {
  iat?: number;
  exp?: number;
  auth_time?: number;
  sid?: string;
}

type Pending =
  | {
      kind: 'save';
      data: Record<string, unknown>;
      token: string | undefined;
      /** Cookie mode: the Set-Cookie of `token`, as built for the size check, and its Max-Age. */
      header?: string;
      maxAge?: number;
    }
  | { kind: 'delete' };

/** A cookie-mode token with its Set-Cookie header value, as checked against the size budget. */
interface Encoded {
  token: string;
  header: string;
  maxAge: number;
}

/** Serialises the session cookie, with or without Secure; built once per options. */
interface Serializers {
  options: ResolvedOptions;
  plain: ((value: string, maxAge?: number) => string) | undefined;
  secure: ((value: string, maxAge?: number) => string) | undefined;
}

/** What {@link Session.#verify} accepted: the payload, the key that vouched for it, the claims. */
interface Verified {
  payload: Record<string, unknown>;
  key: SessionKey;
  claims: Claims;
}

/**
 * The session of a request, as a value when it can be had at once (cookie mode, no async
 * validation) and as a promise otherwise. Internal: `withSession` uses it to keep handlers of
 * signed-cookie sessions off the promise path. Never exported from the package.
 *
 * @internal
 */
export const kLoad = Symbol('microdot-ts.session.load');

/** Everything one request knows about its session. */
interface RequestState {
  dict: SessionDict | undefined;
  loading: Promise<SessionDict> | undefined;
  /** JSON of each data key as loaded: the base of dirty tracking and store patches (made only for those). */
  loaded: Map<string, string> | undefined;
  claims: Claims;
  flash: Record<string, unknown>;
  flashChanged: boolean;
  /** Re-sign the cookie at the end with the newest key, keeping its claims. */
  rotate: boolean;
  /** Re-issue the cookie at the end with a new lifetime (rolling renewal due). */
  renew: boolean;
  regenerate: boolean;
  pending: Pending | undefined;
  hooked: boolean;
}

const sessions = new WeakMap<MicrodotBase, Session>();

type StateStep = (session: Session, req: Request, state: RequestState) => void;
// Set by Session's static block: the steps of a Controller that need Session's private members.
let regenerateOf: StateStep;
let hookOf: StateStep;

/**
 * What a request's session dictionary calls: one object per request with methods on its
 * prototype (cheaper than an object of five closures).
 */
class Controller implements SessionController {
  readonly #session: Session;
  readonly #req: Request;
  readonly #state: RequestState;

  constructor(session: Session, req: Request, state: RequestState) {
    this.#session = session;
    this.#req = req;
    this.#state = state;
  }

  save(dict: object): void {
    this.#session.update(this.#req, dict);
  }

  delete(): void {
    this.#session.delete(this.#req);
  }

  regenerate(): void {
    regenerateOf(this.#session, this.#req, this.#state);
  }

  flash(key: string, value: unknown): void {
    const state = this.#state;
    state.flash[key] = value;
    state.flashChanged = true;
    hookOf(this.#session, this.#req, state);
  }

  consumeFlash(key: string): unknown {
    const state = this.#state;
    if (!Object.hasOwn(state.flash, key)) return undefined;
    const value = state.flash[key];
    delete state.flash[key];
    state.flashChanged = true;
    hookOf(this.#session, this.#req, state);
    return value;
  }
}

/** The Session attached to `app` (by `new Session(app)` or `initialize`), if any. */
export function sessionOf(app: MicrodotBase): Session | undefined {
  return sessions.get(app);
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * User sessions, as Microdot's `microdot.session.Session`: the data live in a cookie named
 * `session`, as a JWT signed with HS256 (readable by a Python Microdot service with the same
 * key), or, with a `store`, server-side behind a signed session id.
 *
 * @example
 * ```ts
 * import { Microdot } from 'microdot-ts';
 * import { Session, withSession } from 'microdot-ts/session';
 *
 * const app = new Microdot();
 * new Session(app, { secretKey: process.env.SECRET_KEY });
 * app.get('/', withSession((req, session) => `Hello, ${session.user ?? 'stranger'}`));
 * ```
 */
export class Session {
  #ring: KeyRing | undefined;
  #options: ResolvedOptions;
  /** Where a request keeps its state of this session: a key of its own, never in `req.g`. */
  readonly #states = Symbol('microdot-ts.session.state');
  #serializers: Serializers | undefined;
  /** Tokens that verified under the current ring (see `verifyCache`); replaced with the ring. */
  #verified: VerifiedTokens | undefined;

  /**
   * @param app The application; may be given later with {@link Session.initialize}.
   * @param options The secret key, cookie options and the rest of {@link SessionOptions}.
   */
  constructor(app?: MicrodotBase | null, options: SessionOptions = {}) {
    this.#options = resolveOptions(options);
    this.#ring = options.secretKey === undefined ? undefined : new KeyRing(options.secretKey);
    this.#verified = this.#newMemo();
    if (app) sessions.set(app, this);
  }

  /**
   * Attaches the session to `app` (application-factory style), optionally setting the secret
   * key and other options.
   */
  initialize(app: MicrodotBase, options: SessionOptions = {}): this {
    if (Object.keys(options).length > 0) {
      const { secretKey, ...rest } = options;
      if (Object.keys(rest).length > 0)
        this.#options = resolveOptions({ ...this.#optionsInput(), ...rest });
      if (secretKey !== undefined) this.#ring = new KeyRing(secretKey);
      // What verified under the old ring (or options) is forgotten.
      this.#verified = this.#newMemo();
    }
    sessions.set(app, this);
    return this;
  }

  /** Whether the data live server-side in a store. */
  get usesStore(): boolean {
    return this.#options.store !== undefined;
  }

  /**
   * The session of `req`: the data of a valid cookie, or an empty session when there is no
   * cookie or it fails verification for any reason. Cached for the request: two calls give the
   * same object. Rejects only when no secret key is configured, or (503) when the store is down.
   */
  get<T extends object = Record<string, unknown>>(req: Request): Promise<SessionDict<T>> {
    try {
      return Promise.resolve(this[kLoad]<T>(req));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * {@link Session.get}, but the dictionary itself when it is ready at once (signed or encrypted
   * cookie, no store, no `validate`). Throws when no secret key is configured.
   *
   * @internal
   */
  [kLoad]<T extends object = Record<string, unknown>>(
    req: Request,
  ): SessionDict<T> | Promise<SessionDict<T>> {
    const ring = this.#ring;
    if (ring === undefined) throw new SecretKeyNotConfiguredError();
    const state = this.#state(req);
    if (state.dict !== undefined) return state.dict as SessionDict<T>;
    if (state.loading !== undefined) return state.loading as Promise<SessionDict<T>>;
    const o = this.#options;
    const token = req.cookie(o.cookieName);
    if (token === undefined || token === '') return this.#ready(req, state, {}) as SessionDict<T>;
    if (o.store === undefined && o.validate === undefined) {
      const data = this.#acceptCookie(req, state, ring, token);
      return this.#ready(req, state, data ?? {}) as SessionDict<T>;
    }
    state.loading = this.#accept(req, state, ring, token).then((data) =>
      this.#ready(req, state, data ?? {}),
    );
    return state.loading as Promise<SessionDict<T>>;
  }

  /**
   * Encodes `data` now and arranges for this request's response to carry it in the session
   * cookie (Microdot's `update`; normally called through `session.save()`). Only runs if the
   * handler succeeds; the last `save()`/`delete()` of a request wins.
   *
   * @throws SecretKeyNotConfiguredError when no secret key is set.
   * @throws SessionTooLargeError when the cookie would pass `maxCookieSize` (4096 bytes).
   * @throws SessionError when a data key is reserved (`save`, `delete`, `exp`, …).
   */
  update(req: Request, data: object): void {
    const ring = this.#ring;
    if (ring === undefined) throw new SecretKeyNotConfiguredError();
    const state = this.#state(req);
    const plain = sessionData(data);
    if (this.usesStore) {
      state.pending = { kind: 'save', data: plain, token: undefined };
    } else {
      const { token, header, maxAge } = this.#encodeChecked(req, state, ring.current, plain, true);
      state.pending = { kind: 'save', data: plain, token, header, maxAge };
    }
    this.#hook(req, state);
  }

  /**
   * Arranges for this request's response to remove the session cookie (and, with a store, to
   * destroy the session's record at once, so a copied cookie is dead).
   */
  delete(req: Request): void {
    const state = this.#state(req);
    state.pending = { kind: 'delete' };
    this.#hook(req, state);
  }

  /** Ends every session of `userId` in the store ("log out everywhere"); resolves to how many. */
  async destroyAll(userId: string): Promise<number> {
    const store = this.#options.store;
    if (store === undefined) {
      throw new TypeError('destroyAll needs a server-side store: signed cookies cannot be revoked');
    }
    return storeCall(() => store.destroyAll(userId));
  }

  #optionsInput(): SessionOptions {
    const o = this.#options;
    return {
      cookieOptions: o.cookie,
      maxAge: o.maxAge,
      idleTimeout: o.idleTimeout,
      absoluteTimeout: o.absoluteTimeout,
      clockSkew: o.clockSkew,
      rolling: o.renewAfter ?? false,
      reissue: o.reissue,
      encrypt: o.encrypt,
      maxCookieSize: o.maxCookieSize,
      trustProxy: o.trustProxy,
      autoSave: o.autoSave,
      validate: o.validate,
      onInvalid: o.onInvalid,
      store: o.store,
      userKey: o.userKey,
      verifyCache: o.verifyCache,
      cookieName: o.cookieName.replace(/^__Host-/, ''),
      hostPrefix: o.cookieName.startsWith('__Host-'),
    };
  }

  #state(req: Request): RequestState {
    const holder = req as unknown as Record<symbol, RequestState | undefined>;
    let state = holder[this.#states];
    if (state === undefined) {
      state = {
        dict: undefined,
        loading: undefined,
        loaded: undefined,
        claims: {},
        flash: {},
        flashChanged: false,
        rotate: false,
        renew: false,
        regenerate: false,
        pending: undefined,
        hooked: false,
      };
      holder[this.#states] = state;
    }
    return state;
  }

  /** Makes the request's session dictionary over the loaded `data`. */
  #ready(req: Request, state: RequestState, data: Record<string, unknown>): SessionDict {
    const o = this.#options;
    // `data` may be a token's whole payload: the dictionary keeps only its data keys (no claims).
    const dict = createSessionDict(data, new Controller(this, req, state));
    // The JSON as loaded is only needed to find changes (autoSave) and store patches.
    if (o.autoSave || o.store !== undefined) {
      const loaded = new Map<string, string>();
      for (const key of Object.keys(dict)) {
        loaded.set(key, JSON.stringify((dict as Record<string, unknown>)[key]));
      }
      state.loaded = loaded;
    }
    state.dict = dict;
    this.#hook(req, state);
    return dict;
  }

  #newMemo(): VerifiedTokens | undefined {
    const capacity = this.#options.verifyCache;
    return capacity > 0 ? new VerifiedTokens(capacity) : undefined;
  }

  /** The payload, key and time claims of a valid token, or `undefined` (after `onInvalid`). */
  #verify(req: Request, ring: KeyRing, token: string): Verified | undefined {
    const memo = this.#verified;
    const result: VerifyResult = isEncryptedToken(token)
      ? decryptToken(token, ring, MAX_TOKEN_LENGTH, memo)
      : verifyToken(token, ring, MAX_TOKEN_LENGTH, memo);
    if (!result.ok) return this.#invalid(req, result.reason);
    const claims = checkClaims(result.payload, this.#options, nowSeconds());
    if (typeof claims === 'string') return this.#invalid(req, claims);
    return { payload: result.payload, key: result.key, claims };
  }

  /** Cookie mode without `validate`: {@link Session.#accept}, synchronously. */
  #acceptCookie(
    req: Request,
    state: RequestState,
    ring: KeyRing,
    token: string,
  ): Record<string, unknown> | undefined {
    const verified = this.#verify(req, ring, token);
    if (verified === undefined) return undefined;
    const payload = verified.payload;
    this.#adopt(state, ring, verified, payload._flash);
    // The payload as is: createSessionDict leaves out the claims (and `__proto__`).
    return payload;
  }

  /** Keeps the claims and flash messages of an accepted token; notes rotation and renewal. */
  #adopt(state: RequestState, ring: KeyRing, verified: Verified, flash: unknown): void {
    const o = this.#options;
    const claims = verified.claims;
    state.claims = claims;
    if (flash !== null && typeof flash === 'object' && !Array.isArray(flash)) {
      state.flash = { ...(flash as Record<string, unknown>) };
    }
    if (o.reissue && verified.key !== ring.current) state.rotate = true;
    if (o.renewAfter !== undefined) {
      const lifetime = lifetimeOf(o);
      if (claims.iat === undefined || nowSeconds() - claims.iat >= o.renewAfter * lifetime)
        state.renew = true;
    }
  }

  /** The data of a valid token, or `undefined` (after telling `onInvalid` why). */
  async #accept(
    req: Request,
    state: RequestState,
    ring: KeyRing,
    token: string,
  ): Promise<Record<string, unknown> | undefined> {
    const o = this.#options;
    const verified = this.#verify(req, ring, token);
    if (verified === undefined) return undefined;
    const { payload, claims } = verified;
    let data: Record<string, unknown>;
    if (o.store !== undefined) {
      if (typeof claims.sid !== 'string' || claims.sid.length < 16)
        return this.#invalid(req, 'malformed');
      const sid = claims.sid;
      const stored = await storeCall(() => o.store!.get(sid));
      if (stored === undefined) return this.#invalid(req, 'expired');
      data = { ...stored };
    } else {
      data = payload;
    }
    const flash = data._flash;
    const clean = withoutClaims(data);
    if (o.validate !== undefined) {
      const outcome = await o.validate['~standard'].validate(clean);
      if (outcome.issues !== undefined) return this.#invalid(req, 'invalid-data');
      const value = outcome.value;
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        return this.#invalid(req, 'invalid-data');
      data = value as Record<string, unknown>;
    } else {
      data = clean;
    }
    this.#adopt(state, ring, verified, flash);
    return data;
  }

  #invalid(req: Request, reason: InvalidReason): undefined {
    const hook = this.#options.onInvalid;
    if (hook !== undefined) {
      try {
        hook(reason, req);
      } catch {
        // A diagnostics hook must never turn a bad cookie into a failed request.
      }
    }
    return undefined;
  }

  /** Registers (once per request) the after-request step that writes the session. */
  #hook(req: Request, state: RequestState): void {
    if (state.hooked) return;
    state.hooked = true;
    req.afterRequest(this.#afterRequest);
  }

  /** The after-request step of every request of this session: one function, no closure each. */
  readonly #afterRequest = (req: Request, res: Response): void | Promise<void> =>
    this.#finish(req, res, this.#state(req));

  static {
    regenerateOf = (session, req, state) => {
      if (session.#ring === undefined) throw new SecretKeyNotConfiguredError();
      state.regenerate = true;
      // Without a save() the data are kept as they are, under the new identity.
      if (state.pending === undefined && state.dict !== undefined) session.update(req, state.dict);
    };
    hookOf = (session, req, state) => session.#hook(req, state);
  }

  #finish(req: Request, res: Response, state: RequestState): void | Promise<void> {
    const o = this.#options;
    if (state.dict !== undefined) {
      // The response depends on who asked (RFC 9110 §12.5.5); shared caches must not keep it.
      const vary = res.headers.vary;
      if (vary === undefined) res.headers.vary = 'Cookie';
      else if (!/(^|,)\s*cookie\s*(,|$)/i.test(vary) && vary.trim() !== '*')
        res.headers.vary = `${vary}, Cookie`;
      res.headers['cache-control'] ??= 'private';
    }
    let pending = state.pending;
    // A key rotation alone re-signs the same claims: it must not extend the session.
    let restamp = true;
    if (pending === undefined && state.dict !== undefined) {
      const changed = (o.autoSave && this.#dirty(state)) || state.flashChanged || state.regenerate;
      if (changed || state.renew || state.rotate) {
        pending = { kind: 'save', data: sessionData(state.dict), token: undefined };
        restamp = changed || state.renew;
      }
    }
    if (pending === undefined) return;
    const ring = this.#ring;
    if (ring === undefined) throw new SecretKeyNotConfiguredError();
    if (o.store !== undefined) return this.#finishStore(req, res, state, ring, pending, restamp);
    if (pending.kind === 'delete') {
      res.deleteCookie(o.cookieName, this.#cookieAttributes(req));
      return;
    }
    // Flash messages or a rotation may have changed after save(): encode again if so.
    if (pending.token !== undefined && !state.flashChanged) {
      const maxAge = this.#maxAge(state);
      // The header built by save() for the size check, unless a second has passed since.
      res.cookies.push(
        pending.header !== undefined && pending.maxAge === maxAge
          ? pending.header
          : this.#serializer(req)(pending.token, maxAge),
      );
      return;
    }
    const restampNow = pending.token === undefined && restamp;
    res.cookies.push(
      this.#encodeChecked(req, state, ring.current, pending.data, restampNow).header,
    );
  }

  /** Store mode: writes or destroys the session's record, then sets or removes the cookie. */
  async #finishStore(
    req: Request,
    res: Response,
    state: RequestState,
    ring: KeyRing,
    pending: Pending,
    restamp: boolean,
  ): Promise<void> {
    const o = this.#options;
    if (pending.kind === 'delete') {
      const sid = state.claims.sid;
      if (sid !== undefined) await storeCall(() => o.store!.destroy(sid));
      res.deleteCookie(o.cookieName, this.#cookieAttributes(req));
      return;
    }
    await this.#writeStore(req, res, state, ring.current, pending.data, restamp);
  }

  async #writeStore(
    req: Request,
    res: Response,
    state: RequestState,
    key: SessionKey,
    data: Record<string, unknown>,
    restamp: boolean,
  ): Promise<void> {
    const o = this.#options;
    const store = o.store!;
    const oldSid = state.claims.sid;
    const fresh = state.regenerate || oldSid === undefined;
    const sid = fresh ? randomBytes(18).toString('base64url') : oldSid;
    if (fresh || restamp || state.claims.exp === undefined) this.#stamp(state, fresh);
    const patch: SessionPatch = fresh
      ? { set: { ...data }, unset: [], replace: true }
      : diff(state.loaded ?? new Map(), data);
    if (state.flashChanged || fresh) {
      if (Object.keys(state.flash).length > 0) patch.set._flash = state.flash;
      else if (!fresh) (patch.unset as string[]).push('_flash');
    }
    const userValue = data[o.userKey];
    const userId =
      typeof userValue === 'string' || typeof userValue === 'number'
        ? String(userValue)
        : undefined;
    const ttl = Math.max(1, state.claims.exp! - nowSeconds());
    await storeCall(() => store.set(sid, patch, userId === undefined ? { ttl } : { ttl, userId }));
    if (state.regenerate && oldSid !== undefined) await storeCall(() => store.destroy(oldSid));
    const claims = {
      sid,
      iat: state.claims.iat,
      exp: state.claims.exp,
      auth_time: state.claims.auth_time,
    };
    const memo = this.#verified;
    const token = o.encrypt ? encryptToken(claims, key, memo) : signToken(claims, key, memo);
    res.setCookie(o.cookieName, token, {
      ...this.#cookieAttributes(req),
      maxAge: this.#maxAge(state),
    });
  }

  /** Sets `iat`, `exp` and `auth_time` for a token issued now. */
  #stamp(state: RequestState, fresh: boolean): void {
    const o = this.#options;
    const now = nowSeconds();
    const authTime = fresh || state.claims.auth_time === undefined ? now : state.claims.auth_time;
    let exp = now + lifetimeOf(o);
    if (o.absoluteTimeout !== undefined) exp = Math.min(exp, authTime + o.absoluteTimeout);
    // Built field by field: a spread clone that then gains properties costs microseconds in V8.
    const claims: Claims = { iat: now, exp, auth_time: authTime };
    if (state.claims.sid !== undefined) claims.sid = state.claims.sid;
    state.claims = claims;
  }

  /** Encodes a cookie-mode token for `data` and checks the Set-Cookie fits the size budget. */
  #encodeChecked(
    req: Request,
    state: RequestState,
    key: SessionKey,
    data: Record<string, unknown>,
    restamp: boolean,
  ): Encoded {
    const o = this.#options;
    if (restamp || state.claims.exp === undefined) this.#stamp(state, state.regenerate);
    const payload: Record<string, unknown> = {};
    for (const name of Object.keys(data)) payload[name] = data[name];
    if (hasKeys(state.flash)) payload._flash = state.flash;
    payload.iat = state.claims.iat;
    payload.exp = state.claims.exp;
    payload.auth_time = state.claims.auth_time;
    const memo = this.#verified;
    const token = o.encrypt ? encryptToken(payload, key, memo) : signToken(payload, key, memo);
    const maxAge = this.#maxAge(state);
    const header = this.#serializer(req)(token, maxAge);
    if (header.length > o.maxCookieSize) {
      throw new SessionTooLargeError(header.length, o.maxCookieSize);
    }
    return { token, header, maxAge };
  }

  /** The session cookie's serialiser for `req` (with Secure over https), made once per options. */
  #serializer(req: Request): (value: string, maxAge?: number) => string {
    const o = this.#options;
    let cache = this.#serializers;
    if (cache === undefined || cache.options !== o) {
      cache = { options: o, plain: undefined, secure: undefined };
      this.#serializers = cache;
    }
    if (o.forceSecure || o.cookie.secure === false || !isHttps(req, o.trustProxy)) {
      cache.plain ??= cookieSerializer(o.cookieName, o.cookie);
      return cache.plain;
    }
    cache.secure ??= cookieSerializer(o.cookieName, { ...o.cookie, secure: true });
    return cache.secure;
  }

  #maxAge(state: RequestState): number {
    const now = nowSeconds();
    return Math.max(0, (state.claims.exp ?? now) - now);
  }

  #cookieAttributes(req: Request): CookieOptions {
    const o = this.#options;
    if (o.forceSecure || o.cookie.secure === false) return o.cookie;
    return isHttps(req, o.trustProxy) ? { ...o.cookie, secure: true } : o.cookie;
  }

  #dirty(state: RequestState): boolean {
    const dict = state.dict!;
    const loaded = state.loaded ?? new Map<string, string>();
    const keys = Object.keys(dict);
    if (keys.length !== loaded.size) return true;
    for (const key of keys) {
      if (loaded.get(key) !== JSON.stringify((dict as Record<string, unknown>)[key])) return true;
    }
    return false;
  }
}

/** Claims the token carries that are not data. */
const CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'sid', '_flash']);

/** The data of a verified payload: its keys but the claims (and `__proto__`). */
function withoutClaims(data: Record<string, unknown>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    if (key === '__proto__' || CLAIMS.has(key)) continue;
    clean[key] = data[key];
  }
  return clean;
}

/** An absent time claim, or a finite number. */
function isTime(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

function lifetimeOf(o: ResolvedOptions): number {
  return o.idleTimeout === undefined ? o.maxAge : Math.min(o.maxAge, o.idleTimeout);
}

/**
 * Checks the time claims of a verified payload (RFC 7519 §4.1.4, §4.1.6, with a clock-skew
 * allowance); a token without them (as Python Microdot issues) is accepted.
 */
function checkClaims(
  payload: Record<string, unknown>,
  o: ResolvedOptions,
  now: number,
): Claims | InvalidReason {
  const { iat, exp, auth_time: authTime, nbf, sid } = payload;
  if (!isTime(iat) || !isTime(exp) || !isTime(authTime) || !isTime(nbf)) return 'malformed';
  if (sid !== undefined && typeof sid !== 'string') return 'malformed';
  const skew = o.clockSkew;
  if (typeof iat === 'number' && iat > now + skew) return 'malformed';
  if (typeof nbf === 'number' && nbf > now + skew) return 'malformed';
  if (typeof exp === 'number' && exp <= now - skew) return 'expired';
  // A lifetime shortened since the token was issued applies at once.
  if (typeof iat === 'number' && now - iat > lifetimeOf(o) + skew) return 'expired';
  if (
    o.absoluteTimeout !== undefined &&
    typeof authTime === 'number' &&
    now - authTime > o.absoluteTimeout + skew
  ) {
    return 'expired';
  }
  const claims: Claims = {};
  if (typeof iat === 'number') claims.iat = iat;
  if (typeof exp === 'number') claims.exp = exp;
  if (typeof authTime === 'number') claims.auth_time = authTime;
  if (typeof sid === 'string') claims.sid = sid;
  return claims;
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

function isHttps(req: Request, trustProxy: boolean): boolean {
  if (req.scheme === 'https') return true;
  if (!trustProxy) return false;
  const proto = req.header('x-forwarded-proto');
  return proto !== undefined && proto.split(',', 1)[0]!.trim().toLowerCase() === 'https';
}

/** Runs a store call; an unreachable store becomes a 503 for this request. */
async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new HTTPException(503, { message: 'Session store unavailable', cause: err });
    }
    throw err;
  }
}

export type { SecretInput };

import type { Request } from '../request.js';
import type { Response } from '../response.js';
import { type CookieOptions, cookieSerializer } from '../utils/set-cookie.js';
import { type Claims, checkClaims, nowSeconds } from './claims.js';
import { CookieMode } from './cookie-mode.js';
import { SecretKeyNotConfiguredError } from './errors.js';
import { decryptToken, encryptToken, isEncryptedToken } from './jwe.js';
import { KeyRing, type SessionKey } from './keyring.js';
import type { SessionMode } from './mode.js';
import {
  type InvalidReason,
  type ResolvedOptions,
  resolveOptions,
  type SessionOptions,
} from './options.js';
import { RequestSession } from './request-session.js';
import { StoreMode } from './store-mode.js';
import { MAX_TOKEN_LENGTH, signToken, type VerifyResult, verifyToken } from './token.js';
import { VerifiedTokens } from './verified-tokens.js';

/** What {@link SessionContext.verify} accepted: the payload, the key that vouched for it, the claims. */
export interface Verified {
  payload: Record<string, unknown>;
  key: SessionKey;
  claims: Claims;
}

/** Serialises the session cookie, with or without Secure; built once per options. */
interface Serializers {
  options: ResolvedOptions;
  plain: ((value: string, maxAge?: number) => string) | undefined;
  secure: ((value: string, maxAge?: number) => string) | undefined;
}

/**
 * Everything a Session is configured with (options, key ring, verified-token memo, mode), and the
 * steps both modes share: verifying a token, validating data, cookie attributes. One object, given
 * to the public {@link Session}, to each request's {@link RequestSession} and to the mode.
 *
 * @internal
 */
export class SessionContext {
  ring: KeyRing | undefined;
  options: ResolvedOptions;
  /** Tokens that verified under the current ring (see `verifyCache`); replaced with the ring. */
  verified: VerifiedTokens | undefined;
  /** Where the data live: cookie or store, as the options say. */
  mode: SessionMode;
  /** Where a request keeps its state of this session: a key of its own, never in `req.g`. */
  readonly #states = Symbol('microdot-ts.session.state');
  #serializers: Serializers | undefined;

  constructor(options: SessionOptions) {
    this.options = resolveOptions(options);
    this.ring = options.secretKey === undefined ? undefined : new KeyRing(options.secretKey);
    this.verified = this.#newMemo();
    this.mode = this.#newMode();
  }

  /** Applies the options given to `initialize` over the current ones. */
  reconfigure(options: SessionOptions): void {
    const { secretKey, ...rest } = options;
    if (Object.keys(rest).length > 0) {
      this.options = resolveOptions({ ...inputOf(this.options), ...rest });
      this.mode = this.#newMode();
    }
    if (secretKey !== undefined) this.ring = new KeyRing(secretKey);
    // What verified under the old ring (or options) is forgotten.
    this.verified = this.#newMemo();
  }

  /** The key ring; throws when no secret key is configured. */
  requireRing(): KeyRing {
    const ring = this.ring;
    if (ring === undefined) throw new SecretKeyNotConfiguredError();
    return ring;
  }

  /** The session state of `req`, made on first use. */
  stateOf(req: Request): RequestSession {
    const holder = req as unknown as Record<symbol, RequestSession | undefined>;
    let state = holder[this.#states];
    if (state === undefined) {
      state = new RequestSession(this, req);
      holder[this.#states] = state;
    }
    return state;
  }

  /** The after-request step of every request of this session: one function, no closure each. */
  readonly afterRequest = (req: Request, res: Response): void | Promise<void> =>
    this.stateOf(req).finish(res);

  /** The payload, key and time claims of a valid token, or `undefined` (after `onInvalid`). */
  verify(req: Request, token: string): Verified | undefined {
    const result = this.check(token);
    if (!result.ok) return this.invalid(req, result.reason);
    const claims = checkClaims(result.payload, this.options, nowSeconds());
    if (typeof claims === 'string') return this.invalid(req, claims);
    return { payload: result.payload, key: result.key, claims };
  }

  /** Checks the signature (or decrypts) of a signed or encrypted `token` with the key ring. */
  check(token: string): VerifyResult {
    const ring = this.requireRing();
    const memo = this.verified;
    return isEncryptedToken(token)
      ? decryptToken(token, ring, MAX_TOKEN_LENGTH, memo)
      : verifyToken(token, ring, MAX_TOKEN_LENGTH, memo);
  }

  /** `data` as the `validate` schema gives it back (or as is without one), or `undefined`. */
  async validated(
    req: Request,
    data: Record<string, unknown>,
  ): Promise<Record<string, unknown> | undefined> {
    const schema = this.options.validate;
    if (schema === undefined) return data;
    const outcome = await schema['~standard'].validate(data);
    if (outcome.issues !== undefined) return this.invalid(req, 'invalid-data');
    const value = outcome.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return this.invalid(req, 'invalid-data');
    return value as Record<string, unknown>;
  }

  /** Tells `onInvalid` why a cookie was not accepted; always `undefined`. */
  invalid(req: Request, reason: InvalidReason): undefined {
    const hook = this.options.onInvalid;
    if (hook !== undefined) {
      try {
        hook(reason, req);
      } catch {
        // A diagnostics hook must never turn a bad cookie into a failed request.
      }
    }
    return undefined;
  }

  /** `payload` as a token under `key`: encrypted when the session encrypts, signed otherwise. */
  encode(payload: Record<string, unknown>, key: SessionKey): string {
    const memo = this.verified;
    return this.options.encrypt ? encryptToken(payload, key, memo) : signToken(payload, key, memo);
  }

  /** The session cookie's serialiser for `req` (with Secure over https), made once per options. */
  serializer(req: Request): (value: string, maxAge?: number) => string {
    const o = this.options;
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

  /** The session cookie's attributes for `req`: Secure added over https unless turned off. */
  cookieAttributes(req: Request): CookieOptions {
    const o = this.options;
    if (o.forceSecure || o.cookie.secure === false) return o.cookie;
    return isHttps(req, o.trustProxy) ? { ...o.cookie, secure: true } : o.cookie;
  }

  #newMemo(): VerifiedTokens | undefined {
    const capacity = this.options.verifyCache;
    return capacity > 0 ? new VerifiedTokens(capacity) : undefined;
  }

  #newMode(): SessionMode {
    return this.options.store === undefined ? new CookieMode(this) : new StoreMode(this);
  }
}

function isHttps(req: Request, trustProxy: boolean): boolean {
  if (req.scheme === 'https') return true;
  if (!trustProxy) return false;
  const proto = req.header('x-forwarded-proto');
  return proto !== undefined && proto.split(',', 1)[0]!.trim().toLowerCase() === 'https';
}

/** The options that resolve to `o` (for `initialize` to apply new ones over). */
function inputOf(o: ResolvedOptions): SessionOptions {
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
    maxSessionsPerUser: o.maxSessionsPerUser,
    verifyCache: o.verifyCache,
    cookieName: o.cookieName.replace(/^__Host-/, ''),
    hostPrefix: o.cookieName.startsWith('__Host-'),
  };
}

// The CSRF extension (Microdot's csrf.py): glue between the pure rules in verdict.ts and an app.
import type { MicrodotBase } from '../app.js';
import type { CORS } from '../cors/cors.js';
import { HTTPException } from '../http-exception.js';
import type { Request } from '../request.js';
import { type Origin, parseOrigin, requestOrigin } from '../utils/origin.js';
import { unwrap, wraps } from '../wraps.js';
import { forbiddenResponse, wantsHtml } from './forbidden-page.js';
import { type CsrfVerdict, csrfVerdict } from './verdict.js';

/** Options of {@link CSRF}. */
export interface CSRFOptions {
  /**
   * The app's {@link CORS} instance: its listed `allowedOrigins` are trusted to send requests
   * (a `'*'` list trusts no one).
   */
  cors?: CORS;
  /**
   * Check every request whose method changes state (all but GET, HEAD, OPTIONS) and every
   * WebSocket handshake, except {@link CSRF.exempt} routes. `false`: only {@link CSRF.protect}
   * routes. Default `true`.
   */
  protectAll?: boolean;
  /** Trust `Sec-Fetch-Site: same-site` and subdomains of the trusted origins. Default `false`. */
  allowSubdomains?: boolean;
  /**
   * Read the request's own origin from `X-Forwarded-Proto` and `X-Forwarded-Host` (first
   * value) when set: only behind a proxy that sets them. Default `false`.
   */
  trustProxy?: boolean;
}

const KNOWN = new Set(['cors', 'protectAll', 'allowSubdomains', 'trustProxy']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Protection against cross-site request forgery (Microdot's `CSRF`), without tokens: a
 * before-request hook refuses (403) state-changing requests that a browser says came from
 * another site (`Sec-Fetch-Site`), or, from browsers that do not send that header, whose
 * `Origin` is neither the app's own nor trusted by its {@link CORS} list.
 *
 * @example
 * ```ts
 * import { Microdot } from 'microdot-ts';
 * import { CSRF } from 'microdot-ts/csrf';
 *
 * const app = new Microdot();
 * const csrf = new CSRF(app);
 * app.post('/transfer', () => 'done');                        // checked
 * app.post('/webhook', csrf.exempt(() => 'received'));       // not checked
 * app.get('/export', csrf.protect(() => 'exported'));        // checked, although a GET
 * ```
 */
export class CSRF {
  /** Whether every state-changing route is checked (see {@link CSRFOptions.protectAll}). */
  protectAll: boolean;
  /** See {@link CSRFOptions.allowSubdomains}. */
  allowSubdomains: boolean;
  /** See {@link CSRFOptions.trustProxy}. */
  trustProxy: boolean;
  #cors: CORS | undefined;
  #trustedCache: { list: readonly string[]; parsed: (Origin | 'null')[] } | undefined;
  readonly #exempt = new WeakSet<Function>();
  readonly #protected = new WeakSet<Function>();
  /** Whether any handler was marked: until then no route needs looking at. */
  #marked = false;

  /** Checks the options (an unknown one throws) and, given an app, initializes it. */
  constructor(app?: MicrodotBase, options: CSRFOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) {
        throw new TypeError(`CSRF: unknown option '${key}'; known: ${[...KNOWN].join(', ')}`);
      }
    }
    this.protectAll = options.protectAll ?? true;
    this.allowSubdomains = options.allowSubdomains ?? false;
    this.trustProxy = options.trustProxy ?? false;
    this.#cors = options.cors;
    if (app !== undefined) this.initialize(app, options.cors);
  }

  /** Attaches the check to an app as a before-request hook (Microdot's `initialize`). */
  initialize(app: MicrodotBase, cors?: CORS): this {
    if (cors !== undefined) this.#cors = cors;
    app.beforeRequest((req) => {
      if (!this.#mustCheck(req)) return undefined;
      const verdict = this.check(req);
      if (verdict.allowed) return undefined;
      const html = wantsHtml(
        req.header('content-type'),
        req.header('sec-fetch-dest'),
        req.header('accept'),
      );
      throw new HTTPException(403, {
        message: `Forbidden (CSRF: ${verdict.reason})`,
        res: forbiddenResponse(html),
      });
    });
    return this;
  }

  /**
   * Wraps a handler so its route is never checked (Microdot's `@csrf.exempt`), for callers
   * that are not browsers, such as webhooks. Works in any order with `withSession` and other
   * wrappers that record themselves with `wraps`.
   */
  exempt<A extends unknown[], R>(handler: (...args: A) => R): (...args: A) => R {
    const wrapper = (...args: A): R => handler(...args);
    this.#exempt.add(wrapper);
    this.#marked = true;
    return wraps(wrapper, handler);
  }

  /**
   * Wraps a handler so its route is checked whatever its method (Microdot's `@csrf.protect`):
   * for a GET that changes state, or every route you choose when `protectAll` is `false`.
   * Wins over {@link CSRF.exempt} when both are given.
   */
  protect<A extends unknown[], R>(handler: (...args: A) => R): (...args: A) => R {
    const wrapper = (...args: A): R => handler(...args);
    this.#protected.add(wrapper);
    this.#marked = true;
    return wraps(wrapper, handler);
  }

  /** The verdict for a request, whether or not its route is checked. */
  check(req: Request): CsrfVerdict {
    return csrfVerdict(
      { trusted: this.#trusted(), allowSubdomains: this.allowSubdomains },
      {
        secFetchSite: req.header('sec-fetch-site'),
        origin: req.header('origin'),
        target: this.#target(req),
      },
    );
  }

  #mustCheck(req: Request): boolean {
    // A WebSocket handshake is a GET that opens a connection: checked like a state change.
    const unsafe = !SAFE_METHODS.has(req.method) || isHandshake(req);
    if (!this.#marked) return this.protectAll && unsafe;
    let exempt = false;
    if (req.route !== undefined) {
      for (const fn of unwrap(req.route)) {
        if (this.#protected.has(fn)) return true;
        if (this.#exempt.has(fn)) exempt = true;
      }
    }
    return this.protectAll && !exempt && unsafe;
  }

  #trusted(): (Origin | 'null')[] {
    const list = this.#cors?.allowedOrigins;
    if (list === undefined || list === '*') return [];
    if (this.#trustedCache?.list !== list) {
      // CORS checked every entry when it was built: each parses.
      this.#trustedCache = { list, parsed: list.map((o) => (o === 'null' ? o : parseOrigin(o)!)) };
    }
    return this.#trustedCache.parsed;
  }

  #target(req: Request): Origin | undefined {
    let scheme: string = req.scheme;
    let host = req.header('host');
    if (this.trustProxy) {
      scheme = req.header('x-forwarded-proto') ?? scheme;
      host = req.header('x-forwarded-host') ?? host;
    }
    return requestOrigin(scheme, host);
  }
}

/**
 * A WebSocket opening handshake: a GET, but one that opens a connection carrying the user's
 * cookies both ways, so it is checked like a state-changing request (Cross-Site WebSocket
 * Hijacking, which SameSite cookies do not fully stop).
 */
function isHandshake(req: Request): boolean {
  return req.method === 'GET' && req.header('upgrade')?.trim().toLowerCase() === 'websocket';
}

// The CORS extension (Microdot's cors.py): glue between the pure rules in headers.ts and an app.
import type { MicrodotBase, OptionsHandler } from '../app.js';
import type { Request } from '../request.js';
import type { HeaderRecord, Response } from '../response.js';
import { canonicalOrigin } from '../utils/origin.js';
import { type CorsPolicy, corsHeaders, isToken, mergeVary } from './headers.js';

/** Options of {@link CORS} (Microdot's names, in camelCase). */
export interface CORSOptions {
  /**
   * The origins that may make cross-origin requests and read the answers, as browsers write
   * them (`https://app.example`, `http://localhost:5173`), or `'*'` for any origin without
   * credentials. `'null'` matches `Origin: null` only when listed. Default: none.
   */
  allowedOrigins?: '*' | readonly string[];
  /**
   * Send `Access-Control-Allow-Credentials: true` to listed origins, so their scripts may send
   * cookies and read the answers. Refused with `'*'`. Default `false`.
   */
  allowCredentials?: boolean;
  /** Methods a preflight may ask for (default: any). */
  allowedMethods?: readonly string[];
  /** Request headers a preflight may ask for, any case (default: any). */
  allowedHeaders?: readonly string[];
  /** Response headers scripts may read (`Access-Control-Expose-Headers`). */
  exposeHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight answer (`Access-Control-Max-Age`). */
  maxAge?: number;
  /** `false`: compute headers ({@link CORS.getCorsHeaders}) but add none to responses. */
  handleCors?: boolean;
}

const KNOWN = new Set([
  'allowedOrigins',
  'allowCredentials',
  'allowedMethods',
  'allowedHeaders',
  'exposeHeaders',
  'maxAge',
  'handleCors',
]);

const WILDCARD_WITH_CREDENTIALS =
  "CORS: allowedOrigins '*' with allowCredentials would let every site read your users' " +
  "answers: list the origins that may send credentials, e.g. allowedOrigins: ['https://app.example']";

/**
 * Cross-Origin Resource Sharing for an app (Microdot's `CORS`): adds the
 * `Access-Control-*` headers to normal and error responses, and to the automatic `OPTIONS`
 * answer (preflight) through `app.optionsHandler`.
 *
 * @example
 * ```ts
 * import { Microdot } from 'microdot-ts';
 * import { CORS } from 'microdot-ts/cors';
 *
 * const app = new Microdot();
 * const cors = new CORS(app, { allowedOrigins: ['https://app.example'], allowCredentials: true });
 * ```
 */
export class CORS {
  readonly #origins: '*' | readonly string[] | undefined;
  #credentials = false;
  readonly #policy: Omit<CorsPolicy, 'credentials'>;
  readonly #handleCors: boolean;

  /**
   * Checks the options (an unknown option, a malformed origin, or `'*'` with credentials
   * throws a `TypeError` that says what to write) and, given an app, initializes it.
   */
  constructor(app?: MicrodotBase, options: CORSOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) {
        throw new TypeError(`CORS: unknown option '${key}'; known: ${[...KNOWN].join(', ')}`);
      }
    }
    this.#origins = checkOrigins(options.allowedOrigins);
    const maxAge = options.maxAge;
    if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0)) {
      throw new TypeError('CORS: maxAge must be a whole number of seconds, 0 or more (e.g. 600)');
    }
    const expose = checkNames('exposeHeaders', options.exposeHeaders);
    this.#policy = {
      origins:
        this.#origins === '*'
          ? '*'
          : new Set((this.#origins ?? []).map((o) => (o === 'null' ? o : canonicalOrigin(o)!))),
      methods: setOf(checkNames('allowedMethods', options.allowedMethods), (m) => m.toUpperCase()),
      headers: setOf(checkNames('allowedHeaders', options.allowedHeaders), (h) => h.toLowerCase()),
      expose: expose === undefined || expose.length === 0 ? undefined : expose.join(', '),
      maxAge,
    };
    this.allowCredentials = options.allowCredentials ?? false;
    this.#handleCors = options.handleCors ?? true;
    if (app !== undefined) this.initialize(app);
  }

  /** The allowed origins as given (`'*'`, a list, or `undefined` for none). */
  get allowedOrigins(): '*' | readonly string[] | undefined {
    return this.#origins;
  }

  /** Whether listed origins get `Access-Control-Allow-Credentials: true`. */
  get allowCredentials(): boolean {
    return this.#credentials;
  }

  /** Changes {@link CORS.allowCredentials}; `true` with `allowedOrigins: '*'` throws. */
  set allowCredentials(value: boolean) {
    if (typeof value !== 'boolean') throw new TypeError('CORS: allowCredentials must be a boolean');
    if (value && this.#origins === '*') throw new TypeError(WILDCARD_WITH_CREDENTIALS);
    this.#credentials = value;
  }

  /**
   * Attaches to an app (Microdot's `initialize`): unless `handleCors` is `false`, wraps
   * `app.optionsHandler` and adds after-request and after-error hooks that set the headers.
   */
  initialize(app: MicrodotBase, options: { handleCors?: boolean } = {}): this {
    if (!(options.handleCors ?? this.#handleCors)) return this;
    const previous = app.optionsHandler;
    if (previous !== undefined) {
      const handler: OptionsHandler = async (req, allow) =>
        withCorsHeaders(await previous(req, allow), this.getCorsHeaders(req));
      app.optionsHandler = handler;
    }
    const hook = (req: Request, res: Response) => this.#apply(req, res);
    app.afterRequest(hook);
    app.afterErrorRequest(hook);
    return this;
  }

  /** The CORS headers for a request (Microdot's `get_cors_headers`). */
  getCorsHeaders(req: Request): Record<string, string> {
    return corsHeaders(
      { ...this.#policy, credentials: this.#credentials },
      {
        method: req.method,
        origin: req.header('origin'),
        requestMethod: req.header('access-control-request-method'),
        requestHeaders: req.header('access-control-request-headers'),
      },
    );
  }

  #apply(req: Request, res: Response): undefined {
    for (const [name, value] of Object.entries(this.getCorsHeaders(req))) {
      if (name === 'Vary') res.setHeader('Vary', mergeVary(res.getHeader('vary'), value));
      else res.setHeader(name, value);
    }
    return undefined;
  }
}

/** `headers` with `cors` added; a `Vary` of `headers` (any case) keeps its names. */
function withCorsHeaders(headers: HeaderRecord, cors: Record<string, string>): HeaderRecord {
  const out: Record<string, HeaderRecord[string]> = { ...headers };
  for (const [name, value] of Object.entries(cors)) {
    if (name !== 'Vary') {
      out[name] = value;
      continue;
    }
    const key = Object.keys(out).find((k) => k.toLowerCase() === 'vary');
    const existing = key === undefined ? undefined : out[key];
    if (key !== undefined) delete out[key];
    const text = typeof existing === 'object' ? existing.join(', ') : existing?.toString();
    out.Vary = mergeVary(text, value);
  }
  return out;
}

function checkOrigins(value: unknown): '*' | readonly string[] | undefined {
  if (value === undefined || value === '*') return value;
  if (!Array.isArray(value)) {
    throw new TypeError(
      "CORS: allowedOrigins must be '*' or a list of origins, e.g. ['https://app.example']",
    );
  }
  for (const origin of value) {
    if (origin === 'null') continue;
    if (typeof origin !== 'string' || canonicalOrigin(origin) === undefined) {
      throw new TypeError(
        `CORS: ${JSON.stringify(origin)} is not an origin: write scheme://host[:port] with no ` +
          "path or trailing slash, e.g. 'https://app.example' or 'http://localhost:5173'",
      );
    }
  }
  return Object.freeze([...value]);
}

function checkNames(option: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && isToken(v))) {
    throw new TypeError(`CORS: ${option} must be a list of names, e.g. ['X-Token']`);
  }
  return value;
}

function setOf(list: string[] | undefined, f: (s: string) => string): Set<string> | undefined {
  return list === undefined ? undefined : new Set(list.map(f));
}

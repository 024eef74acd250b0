// The CORS headers for one request, as Microdot's cors.py computes them, from plain values.
// Pure: no Request or Response here, so the rules are tested alone (and with fast-check).
import { canonicalOrigin } from '../utils/origin.js';

/** A checked CORS configuration (see `CORSOptions` for what each field means). */
export interface CorsPolicy {
  /** `'*'`, or the canonical allowed origins (and `null` when listed verbatim). */
  readonly origins: '*' | ReadonlySet<string>;
  readonly credentials: boolean;
  /** Upper case; `undefined` allows any method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** Lower case; `undefined` allows any header. */
  readonly headers: ReadonlySet<string> | undefined;
  /** `Access-Control-Expose-Headers`, ready to send, or `undefined`. */
  readonly expose: string | undefined;
  readonly maxAge: number | undefined;
}

/** What the CORS rules read from a request. */
export interface CorsRequest {
  readonly method: string;
  readonly origin: string | undefined;
  /** `Access-Control-Request-Method`. */
  readonly requestMethod?: string | undefined;
  /** `Access-Control-Request-Headers`. */
  readonly requestHeaders?: string | undefined;
}

/** Most header names read from `Access-Control-Request-Headers`; the rest are ignored. */
export const MAX_REQUEST_HEADERS = 64;

const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** Whether `text` is an RFC 9110 token (a method or header name), at most 128 characters. */
export function isToken(text: string): boolean {
  return TOKEN_RE.test(text);
}

/**
 * Whether a request's `Origin` is in the policy's list: compared in canonical form, except
 * `null`, which matches only a listed `null`. Always false for a `'*'` policy.
 */
export function originAllowed(policy: CorsPolicy, origin: string | undefined): boolean {
  if (origin === undefined || policy.origins === '*') return false;
  if (origin === 'null') return policy.origins.has('null');
  const canonical = canonicalOrigin(origin);
  return canonical !== undefined && policy.origins.has(canonical);
}

/**
 * Whether the CORS headers of a response depend on the request's `Origin`: true unless the
 * policy is `'*'` (the same literal `*` for everyone) or lists no origin (nothing for anyone).
 */
export function variesByOrigin(policy: CorsPolicy): boolean {
  return policy.origins !== '*' && policy.origins.size > 0;
}

/**
 * The CORS headers for a request (header names in their usual spelling).
 * - `'*'` gives a literal `*` (a credentialed policy cannot be `'*'`: CORS refuses to build);
 * - a listed origin is echoed, with `Access-Control-Allow-Credentials` when the policy allows
 *   credentials;
 * - `Vary: Origin` goes on every answer of a policy that lists origins, the allowed, the
 *   refused and the ones without `Origin` alike: a shared cache must never hand the answer made
 *   for one origin (or for none) to another (Fetch standard, "CORS protocol and HTTP caches");
 * - an `OPTIONS` request also gets `Max-Age`, the requested method when allowed, and the
 *   requested headers that are allowed (only well-formed names, at most 64).
 */
export function corsHeaders(policy: CorsPolicy, req: CorsRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (policy.origins === '*') {
    out['Access-Control-Allow-Origin'] = '*';
  } else if (req.origin !== undefined && originAllowed(policy, req.origin)) {
    // Echo exactly what the browser sent: it compares the header with its own serialisation.
    out['Access-Control-Allow-Origin'] = req.origin;
    if (policy.credentials) out['Access-Control-Allow-Credentials'] = 'true';
  }
  if (variesByOrigin(policy)) out.Vary = 'Origin';
  if (policy.expose !== undefined) out['Access-Control-Expose-Headers'] = policy.expose;
  if (req.method !== 'OPTIONS') return out;

  if (policy.maxAge !== undefined) out['Access-Control-Max-Age'] = String(policy.maxAge);
  const method = req.requestMethod?.trim().toUpperCase();
  if (method && isToken(method) && (policy.methods === undefined || policy.methods.has(method))) {
    out['Access-Control-Allow-Methods'] = method;
  }
  if (req.requestHeaders !== undefined) {
    const names = requestedHeaders(req.requestHeaders).filter(
      (name) => policy.headers === undefined || policy.headers.has(name.toLowerCase()),
    );
    if (names.length > 0) out['Access-Control-Allow-Headers'] = names.join(', ');
  }
  return out;
}

/** The well-formed names in an `Access-Control-Request-Headers` value (at most 64). */
export function requestedHeaders(value: string): string[] {
  const names: string[] = [];
  for (const part of value.split(',', MAX_REQUEST_HEADERS)) {
    const name = part.trim();
    if (isToken(name)) names.push(name);
  }
  return names;
}

/**
 * Adds the names in `added` to a `Vary` value, each once (case-insensitive), keeping the
 * existing order first, as Microdot joins them (`X-Foo, X-Bar, Origin`). `Vary: *` stays `*`.
 */
export function mergeVary(existing: string | undefined, added: string): string {
  if (existing === undefined || existing.trim() === '') return added;
  const names = existing
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.includes('*')) return '*';
  const seen = new Set(names.map((n) => n.toLowerCase()));
  for (const name of added.split(',')) {
    const n = name.trim();
    if (n !== '' && !seen.has(n.toLowerCase())) {
      seen.add(n.toLowerCase());
      names.push(n);
    }
  }
  return names.join(', ');
}

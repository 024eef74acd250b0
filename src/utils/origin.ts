// Web origins (RFC 6454): parsing, comparison and subdomain matching, for CORS and CSRF.
//
// Browsers send `Origin` as `scheme://host[:port]` in lower case, without the default port, or
// as `null` (sandboxed frames, some redirects, `file:` pages). Anything else did not come from a
// browser, so it is refused rather than guessed at: a parser that splits on `://` and compares
// suffixes (as Microdot's does) accepts `https://evil.example/.bar.com`, and fails with an
// exception on `null`.

/** An origin taken apart: lower-case scheme and host, and the port ('' for the default). */
export interface Origin {
  /** The scheme, lower case (`https`). */
  readonly scheme: string;
  /** The host, lower case: a DNS name, an IPv4 address, or an IPv6 address in brackets. */
  readonly host: string;
  /** The port, without leading zeros; '' when absent or the scheme's default. */
  readonly port: string;
}

/** Longest `Origin` value looked at; longer ones are refused (no browser sends them). */
export const MAX_ORIGIN_LENGTH = 1024;

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ws: '80', wss: '443' };

// A label may hold `_` (browsers accept it in host names); a name has no empty label and no
// trailing dot. IPv6 is kept as written inside its brackets.
const ORIGIN_RE =
  /^([a-z][a-z0-9+.-]{0,31}):\/\/(\[[0-9a-f:.]{2,45}\]|[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*)(?::([0-9]{1,5}))?$/;
const IPV4_RE = /^[0-9]+(?:\.[0-9]+){3}$/;

/**
 * Parses an origin as browsers serialise it. Case is ignored and a default port is dropped,
 * so `HTTPS://Example.com:443` and `https://example.com` parse the same. Never throws.
 *
 * @returns the parts, or `undefined` for `null`, a URL with a path, query, user info or
 *   trailing slash, an empty label, a port outside 1-65535, or anything over
 *   {@link MAX_ORIGIN_LENGTH} characters.
 * @example
 * ```ts
 * parseOrigin('https://app.example:8443'); // { scheme: 'https', host: 'app.example', port: '8443' }
 * parseOrigin('null');                     // undefined
 * parseOrigin('https://app.example/');     // undefined: not an origin
 * ```
 */
export function parseOrigin(text: string): Origin | undefined {
  if (typeof text !== 'string' || text.length > MAX_ORIGIN_LENGTH) return undefined;
  const m = ORIGIN_RE.exec(text.toLowerCase());
  if (m === null) return undefined;
  const scheme = m[1]!;
  const host = m[2]!;
  if (host.length > 253) return undefined;
  let port = '';
  if (m[3] !== undefined) {
    const n = Number(m[3]);
    if (n < 1 || n > 65535) return undefined;
    port = String(n);
    if (DEFAULT_PORTS[scheme] === port) port = '';
  }
  return { scheme, host, port };
}

/** The canonical text of an origin: `scheme://host[:port]`. */
export function serializeOrigin(origin: Origin): string {
  return `${origin.scheme}://${origin.host}${origin.port === '' ? '' : `:${origin.port}`}`;
}

/** The canonical form of an origin's text, or `undefined` when it is not one ({@link parseOrigin}). */
export function canonicalOrigin(text: string): string | undefined {
  const origin = parseOrigin(text);
  return origin === undefined ? undefined : serializeOrigin(origin);
}

/** Whether two origins are the same: scheme, host and port. */
export function sameOrigin(a: Origin, b: Origin): boolean {
  return a.scheme === b.scheme && a.host === b.host && a.port === b.port;
}

/**
 * Whether `origin` is a subdomain of `base` on the same scheme and port (`https://x.y.bar.com`
 * under `https://bar.com`). An IP address has no subdomains, and an origin is not its own
 * subdomain.
 */
export function isSubdomainOf(origin: Origin, base: Origin): boolean {
  if (origin.scheme !== base.scheme || origin.port !== base.port) return false;
  if (base.host.startsWith('[') || IPV4_RE.test(base.host)) return false;
  return origin.host.length > base.host.length + 1 && origin.host.endsWith(`.${base.host}`);
}

/**
 * The origin a request was made to, from its scheme and `Host` header, or `undefined` when the
 * host is missing or malformed. Behind a proxy, pass `X-Forwarded-Proto` / `X-Forwarded-Host`
 * only when the proxy is trusted to set them (the first value of a list is used).
 *
 * @example
 * ```ts
 * requestOrigin('http', '127.0.0.1:5000'); // { scheme: 'http', host: '127.0.0.1', port: '5000' }
 * ```
 */
export function requestOrigin(scheme: string, host: string | undefined): Origin | undefined {
  if (host === undefined) return undefined;
  const first = host.split(',', 1)[0]!.trim();
  const proto = scheme.split(',', 1)[0]!.trim();
  if (first === '' || proto === '') return undefined;
  return parseOrigin(`${proto}://${first}`);
}

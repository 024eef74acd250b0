// Cross-Site WebSocket Hijacking: a browser opens a WebSocket to any site and sends that site's
// cookies, and SameSite=Lax does not stop a same-site attacker; the handshake must check where
// the page came from. The rules follow the CSRF check (Sec-Fetch-Site first, Origin as the
// fallback for browsers that do not send it).

/** What the check reads from the handshake. */
export interface OriginFacts {
  /** `Sec-Fetch-Site`, as sent. */
  secFetchSite: string | undefined;
  /** `Origin`, as sent. */
  origin: string | undefined;
  /** `Host`, as sent. */
  host: string | undefined;
}

/**
 * Whether a handshake may go ahead: an `Origin` in `allowed` (or `allowed` is `'*'`) is let in;
 * then `Sec-Fetch-Site: same-origin` (or `none`) is, and `same-site`/`cross-site` is not;
 * without that header, a handshake without `Origin` (not a browser) is let in, and otherwise the
 * `Origin` must be an http(s) origin whose host and port are the `Host` the request was sent to. `Origin: null` is let in
 * only when listed.
 */
export function originAllowed(facts: OriginFacts, allowed: readonly string[] | '*'): boolean {
  if (allowed === '*') return true;
  const origin = facts.origin?.trim();
  if (origin !== undefined && origin !== '') {
    const normal = normalOrigin(origin);
    if (normal !== undefined && allowed.some((a) => normalOrigin(a) === normal)) return true;
  }
  const site = facts.secFetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== '') return site === 'same-origin' || site === 'none';
  if (origin === undefined || origin === '') return true;
  if (origin === 'null') return false;
  let host: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    host = url.host;
  } catch {
    return false;
  }
  const own = facts.host
    ?.trim()
    .toLowerCase()
    .replace(/:(80|443)$/, '');
  return own !== undefined && own !== '' && host === own.replace(/:(80|443)$/, '');
}

/** `scheme://host[:port]` in lower case without a default port, or the literal `null`. */
function normalOrigin(text: string): string | undefined {
  if (text === 'null') return 'null';
  try {
    const url = new URL(text);
    if (url.origin === 'null') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

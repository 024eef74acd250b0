// Whether a state-changing request may go ahead: the rules of Microdot's csrf.py (and of Go's
// CrossOriginProtection), from plain header values. Pure: tested alone and with fast-check.
import { isSubdomainOf, type Origin, parseOrigin, sameOrigin } from '../utils/origin.js';

/** What the CSRF rules read from a request. */
export interface CsrfRequest {
  /** `Sec-Fetch-Site`, as sent (modern browsers send it on every request). */
  readonly secFetchSite: string | undefined;
  /** `Origin`, as sent. */
  readonly origin: string | undefined;
  /** The origin the request was made to (scheme and `Host`), when known. */
  readonly target: Origin | undefined;
}

/** The trust settings. */
export interface CsrfPolicy {
  /** Origins trusted to send requests (the CORS list), parsed; `null` when listed verbatim. */
  readonly trusted: readonly (Origin | 'null')[];
  /** Trust `Sec-Fetch-Site: same-site`, and subdomains of the trusted and own origins. */
  readonly allowSubdomains: boolean;
}

/** Why a request was allowed or refused (stable codes, for logs and tests). */
export type CsrfReason =
  | 'same-origin' // Sec-Fetch-Site: same-origin, or Origin equal to the request's own
  | 'user-initiated' // Sec-Fetch-Site: none (typed URL, bookmark)
  | 'same-site' // Sec-Fetch-Site: same-site, with allowSubdomains
  | 'trusted-origin' // Origin listed (or a subdomain of one, with allowSubdomains)
  | 'not-a-browser' // neither Sec-Fetch-Site nor Origin
  | 'cross-site' // Sec-Fetch-Site: cross-site, or same-site without allowSubdomains
  | 'null-origin' // Origin: null, not listed
  | 'bad-origin' // an Origin that is not one
  | 'untrusted-origin'; // an Origin that is neither our own nor trusted

/** The outcome: allowed or not, and why. */
export interface CsrfVerdict {
  readonly allowed: boolean;
  readonly reason: CsrfReason;
}

const verdict = (allowed: boolean, reason: CsrfReason): CsrfVerdict => ({ allowed, reason });

/**
 * Decides a request. In order:
 * 1. an `Origin` the policy trusts is allowed, whatever `Sec-Fetch-Site` says (as Go's
 *    `AddTrustedOrigin`; Microdot consulted its list only for browsers without the header);
 * 2. `Sec-Fetch-Site`: `same-origin` and `none` are allowed, `same-site` only with
 *    `allowSubdomains`, anything else is refused;
 * 3. without it (older browsers, non-browser clients): no `Origin` is allowed (not a browser);
 *    `null` and malformed values are refused; an `Origin` equal to the request's own (or, with
 *    `allowSubdomains`, a subdomain of it) is allowed; anything else is refused.
 */
export function csrfVerdict(policy: CsrfPolicy, req: CsrfRequest): CsrfVerdict {
  const originText = req.origin?.trim();
  const origin =
    originText === undefined || originText === 'null' ? undefined : parseOrigin(originText);
  if (originText === 'null' && policy.trusted.includes('null')) {
    return verdict(true, 'trusted-origin');
  }
  if (origin !== undefined && isTrusted(policy, origin)) return verdict(true, 'trusted-origin');

  const site = req.secFetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== '') {
    if (site === 'same-origin') return verdict(true, 'same-origin');
    if (site === 'none') return verdict(true, 'user-initiated');
    if (site === 'same-site' && policy.allowSubdomains) return verdict(true, 'same-site');
    return verdict(false, 'cross-site');
  }

  if (originText === undefined || originText === '') return verdict(true, 'not-a-browser');
  if (originText === 'null') return verdict(false, 'null-origin');
  if (origin === undefined) return verdict(false, 'bad-origin');
  if (req.target !== undefined) {
    if (sameOrigin(origin, req.target)) return verdict(true, 'same-origin');
    if (policy.allowSubdomains && isSubdomainOf(origin, req.target)) {
      return verdict(true, 'same-site');
    }
  }
  return verdict(false, 'untrusted-origin');
}

function isTrusted(policy: CsrfPolicy, origin: Origin): boolean {
  for (const trusted of policy.trusted) {
    if (trusted === 'null') continue;
    if (sameOrigin(origin, trusted)) return true;
    if (policy.allowSubdomains && isSubdomainOf(origin, trusted)) return true;
  }
  return false;
}

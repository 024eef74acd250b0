// The test client's cookie jar (RFC 6265 §5.3 and §5.4, as far as one origin needs): cookies from
// `Set-Cookie` are kept by name and path, sent back to paths under their `Path`, and forgotten on
// `Max-Age=0` or an `Expires` in the past.
import { parseSetCookie } from '../utils/set-cookie-parse.js';
import type { RawHeaders } from './header-map.js';

interface JarCookie {
  name: string;
  value: string;
  path: string;
  expires: number | undefined;
}

/** One client's cookies, by name and path. */
export class CookieJar {
  readonly #cookies = new Map<string, JarCookie>();

  /** Keeps `value` as cookie `name` for every path, with no expiry (a client's start cookies). */
  set(name: string, value: string): void {
    this.#cookies.set(`${name};/`, { name, value, path: '/', expires: undefined });
  }

  /** The cookies the jar would send to `path`, by name. */
  cookies(path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const cookie of this.#matching(path)) out[cookie.name] ??= cookie.value;
    return out;
  }

  /** Adds the cookies for `url`'s path to the `cookie` header of `headers`, after its own. */
  addTo(url: string, headers: RawHeaders): void {
    const path = url.split('?', 1)[0]!;
    const jarCookies = this.#matching(path).map((c) => `${c.name}=${c.value}`);
    if (jarCookies.length > 0) {
      headers.cookie =
        headers.cookie === undefined
          ? jarCookies.join('; ')
          : `${headers.cookie}; ${jarCookies.join('; ')}`;
    }
  }

  /** Takes in a response's `set-cookie` header (one line or a list; none: `undefined`). */
  store(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    const now = Date.now();
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
      const parsed = parseSetCookie(line);
      if (parsed === undefined) continue;
      const path = parsed.path?.startsWith('/') ? parsed.path : '/';
      const key = `${parsed.name};${path}`;
      let expires: number | undefined;
      if (parsed.maxAge !== undefined) expires = now + parsed.maxAge * 1000;
      else if (parsed.expires !== undefined) expires = parsed.expires.getTime();
      if (expires !== undefined && expires <= now) this.#cookies.delete(key);
      else this.#cookies.set(key, { name: parsed.name, value: parsed.value, path, expires });
    }
  }

  #matching(path: string): JarCookie[] {
    const now = Date.now();
    const out: JarCookie[] = [];
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expires !== undefined && cookie.expires <= now) {
        this.#cookies.delete(key);
      } else if (pathMatches(path, cookie.path)) {
        out.push(cookie);
      }
    }
    // RFC 6265 §5.4: cookies with longer paths are listed first.
    return out.sort((a, b) => b.path.length - a.path.length);
  }
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

// Minimal HTTP client and cookie jar for the correctness checks made before any timing.
import { createHmac } from 'node:crypto';
import { request } from 'node:http';

/**
 * GET http://127.0.0.1:<port>/ with an optional Cookie header, bounded by `timeoutMs`, on a new
 * connection or through `agent`.
 * @returns {Promise<{ status: number, body: string, setCookies: string[] }>}
 */
export function get(port, cookie, timeoutMs = 5000, agent = false) {
  return new Promise((resolve, reject) => {
    const headers = cookie ? { cookie } : {};
    const req = request({ host: '127.0.0.1', port, path: '/', headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode, body, setCookies: res.headers['set-cookie'] ?? [] }),
      );
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The Cookie header a browser would send next: `previous` updated by each Set-Cookie in order
 * (a later cookie of the same name wins; an empty value or Max-Age=0 deletes it).
 */
export function nextCookieHeader(previous, setCookies) {
  const jar = new Map();
  for (const pair of (previous ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  for (const line of setCookies) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
    if (!value || expired) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * The same Cookie header with one character of the `session` cookie's value changed, near its
 * end: where every format here keeps its MAC or tag, so the forgery must be rejected.
 */
export function tamper(cookieHeader, name = 'session') {
  return cookieHeader
    .split('; ')
    .map((pair) => {
      if (!pair.startsWith(`${name}=`)) return pair;
      const value = pair.slice(name.length + 1);
      let i = value.length - 5;
      while (i > 0 && !/[A-Za-z0-9]/.test(value[i])) i--;
      if (i <= 0) return `${name}=x${value}`;
      const swapped = value[i] === 'A' ? 'B' : 'A';
      return `${name}=${value.slice(0, i)}${swapped}${value.slice(i + 1)}`;
    })
    .join('; ');
}

/** A compact HS256 JWT for `payload`, as the raw-* servers expect it in the `session` cookie. */
export function craftHs256(payload, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

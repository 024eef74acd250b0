// The small pieces of cookie syntax that reading a `Cookie` header, reading a `Set-Cookie` header
// and writing one share: trimming optional white space, and the spelling of SameSite values.

/** `s.slice(start, end)` without the spaces and tabs (RFC 7230 OWS) at either end. */
export function trimOws(s: string, start: number, end: number): string {
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** A SameSite value in its canonical spelling (matched case-insensitively), else `undefined`. */
export function sameSiteOf(value: string): 'Strict' | 'Lax' | 'None' | undefined {
  switch (value.toLowerCase()) {
    case 'strict':
      return 'Strict';
    case 'lax':
      return 'Lax';
    case 'none':
      return 'None';
    default:
      return undefined;
  }
}

/**
 * Whether two strings are equal, in time that depends on their length only (not on where they
 * differ): for MACs and tags in their canonical base64url spelling, where an early exit would
 * tell an attacker how much of a forged MAC is right.
 *
 * @example
 * ```ts
 * sameText(expectedMac, signatureSegment); // true only for the very same characters
 * ```
 */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// Session data as PostgreSQL's jsonb can hold them. jsonb refuses two things JSON allows: the
// character U+0000 and lone UTF-16 surrogates (a string such as JSON.parse('"\ud800"') makes). A
// value holding either is kept as its JSON text inside a one-key wrapper object, and unwrapped
// when read, so any session data round-trip as they do in the other stores.

/** The one key of a wrapped value. */
const WRAPPED = '$microdot.json';

/** The JSON text of a wrapper object starts so (a one-key object starts with its only key). */
const WRAPPER_START = `{${JSON.stringify(WRAPPED)}:`;

/**
 * An escape jsonb refuses, in text from JSON.stringify: `\u0000`, or `\udXXX` (JSON.stringify
 * escapes only lone surrogates; a pair is written as is), after an even number of backslashes.
 */
const REFUSED = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/;

/** What {@link encodeSet} gives: the jsonb text to merge in, and the keys to remove. */
export interface EncodedSet {
  json: string;
  unset: string[];
}

/**
 * The keys of `set` as the JSON text of one jsonb object, plus `unset` and the keys set to
 * `undefined` (removed, as JSON would drop them). Throws `TypeError` for a value JSON cannot hold
 * (a BigInt) and for a key jsonb cannot hold (with U+0000 or a lone surrogate).
 *
 * @example
 * ```ts
 * encodeSet({ a: 1, b: undefined, c: 'x\u0000' }, ['d']);
 * // { json: '{"a":1,"c":{"$microdot.json":"\\"x\\\\u0000\\""}}', unset: ['d', 'b'] }
 * ```
 */
export function encodeSet(set: Record<string, unknown>, unset: readonly string[]): EncodedSet {
  const keys = [...unset];
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(set)) {
    let json: string | undefined = JSON.stringify(value);
    if (json === undefined) {
      keys.push(key);
      continue;
    }
    const keyJson = JSON.stringify(key);
    if (REFUSED.test(keyJson)) {
      throw new TypeError(
        `PostgresStore: the session key ${keyJson} holds U+0000 or a lone surrogate, which PostgreSQL cannot store; use another key`,
      );
    }
    if (REFUSED.test(json) || json.startsWith(WRAPPER_START)) {
      json = `{${JSON.stringify(WRAPPED)}:${JSON.stringify(json)}}`;
    }
    pairs.push(`${keyJson}:${json}`);
  }
  // A key jsonb cannot hold was never stored, and PostgreSQL text cannot carry it either.
  return {
    json: `{${pairs.join(',')}}`,
    unset: keys.filter((k) => !REFUSED.test(JSON.stringify(k))),
  };
}

/** A value as it was before {@link encodeSet} wrapped it (others are returned as they are). */
export function decodeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const text = (value as Record<string, unknown>)[WRAPPED];
  if (typeof text !== 'string' || Object.keys(value).length !== 1) return value;
  return JSON.parse(text);
}

/** The session data read from jsonb, with wrapped values restored (in place). */
export function decodeData(data: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (typeof value !== 'object' || value === null) continue;
    const decoded = decodeValue(value);
    // defineProperty, not `=`: a `__proto__` key must stay a plain key.
    if (decoded !== value) {
      Object.defineProperty(data, key, {
        value: decoded,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return data;
}

/** Whether a user id is text PostgreSQL can hold (no U+0000; lone surrogates are not UTF-8). */
export function isStorableText(text: string): boolean {
  return !REFUSED.test(JSON.stringify(text));
}

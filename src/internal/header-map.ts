/** Raw request headers as Node gives them: lower-case names. */
export type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * The value of the header `lowerCaseName` the client sent, repeated ones joined with `, `. Only
 * own values count: `constructor` or `__proto__` of a plain object is not a header (a string or
 * a list of strings is what Node gives for each header sent).
 */
export function headerValue(raw: RawHeaders, lowerCaseName: string): string | undefined {
  const value = raw[lowerCaseName];
  if (typeof value === 'string') return value;
  return Array.isArray(value) && Object.hasOwn(raw, lowerCaseName) ? value.join(', ') : undefined;
}

/**
 * A read-only, case-insensitive view of request headers, shaped like the Web `Headers` class
 * (`get`, `has`, iteration) but costing one object over the parsed headers.
 */
export class HeaderMap implements Iterable<[string, string]> {
  readonly #raw: RawHeaders;

  constructor(raw: RawHeaders) {
    this.#raw = raw;
  }

  /** The value of header `name` (any case); repeated headers are joined with `, `. */
  get(name: string): string | null {
    return headerValue(this.#raw, name.toLowerCase()) ?? null;
  }

  /** Whether header `name` (any case) was sent. */
  has(name: string): boolean {
    return headerValue(this.#raw, name.toLowerCase()) !== undefined;
  }

  /** Every `[name, value]` pair, names in lower case. */
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#raw)) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  /** The header names, in lower case. */
  keys(): IterableIterator<string> {
    return Object.keys(this.#raw)[Symbol.iterator]();
  }

  /** Calls `fn` for each header, as `Headers.forEach` does. */
  forEach(fn: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) fn(value, name);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** A plain object of the headers, for logs and JSON. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }
}

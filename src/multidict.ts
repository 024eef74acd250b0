/**
 * A map from string keys to one or more values: what a query string or an urlencoded form holds.
 *
 * Insertion ordered and case-sensitive. Keys live in a `Map`, so names such as `__proto__`,
 * `constructor` or `hasOwnProperty` are ordinary keys. Mirrors Microdot's `MultiDict`
 * (`d[key]` / `get` → first value, `getlist` → `getAll`, `d[key] = v` → `add`).
 *
 * @example
 * const d = new MultiDict([['sort', 'name'], ['sort', 'email']]);
 * d.get('sort'); // 'name'
 * d.getAll('sort'); // ['name', 'email']
 */
export class MultiDict<V = string> implements Iterable<[string, V]> {
  readonly #map = new Map<string, V[]>();

  /**
   * @param init pairs (`[key, value]`, a repeated key adds a value) or a plain object whose
   *   array values are spread into several values for that key.
   */
  constructor(init?: Iterable<readonly [string, V]> | Record<string, V | V[]>) {
    if (init == null) return;
    if (typeof (init as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') {
      for (const [key, value] of init as Iterable<readonly [string, V]>) this.add(key, value);
      return;
    }
    const record = init as Record<string, V | V[]>;
    for (const key of Object.keys(record)) {
      const value = record[key] as V | V[];
      if (Array.isArray(value)) {
        for (const v of value) this.add(key, v);
      } else {
        this.add(key, value);
      }
    }
  }

  /**
   * The first value stored for `key`, else `defaultValue` (Microdot's `get(key, default,
   * type)`). With `convert`, the value is passed through it; a converter that throws gives
   * the default, as Microdot's does on `ValueError`.
   *
   * @example
   * const d = new MultiDict({ a: ['1', '2'], page: '3' });
   * d.get('a'); // '1'
   * d.get('b', 'none'); // 'none'
   * d.get('page', 1, Number); // 3
   */
  get(key: string): V | undefined;
  get<D>(key: string, defaultValue: D): V | D;
  get<T, D>(key: string, defaultValue: D, convert: (value: V) => T): T | D;
  get(key: string, defaultValue?: unknown, convert?: (value: V) => unknown): unknown {
    const values = this.#map.get(key);
    if (values === undefined) return defaultValue;
    if (convert === undefined) return values[0];
    try {
      return convert(values[0]!);
    } catch {
      return defaultValue;
    }
  }

  /**
   * Every value stored for `key`, in insertion order (a copy; `[]` when absent).
   *
   * @example
   * new MultiDict({ a: ['1', '2'] }).getAll('a'); // ['1', '2']
   */
  getAll(key: string): V[] {
    const values = this.#map.get(key);
    return values === undefined ? [] : values.slice();
  }

  /**
   * Appends `value` to the values of `key`.
   *
   * @example
   * const d = new MultiDict();
   * d.add('a', '1').add('a', '2');
   * d.getAll('a'); // ['1', '2']
   */
  add(key: string, value: V): this {
    const values = this.#map.get(key);
    if (values === undefined) {
      this.#map.set(key, [value]);
    } else {
      values.push(value);
    }
    return this;
  }

  /**
   * Replaces every value of `key` with `value` (keeps the key's position when it exists).
   *
   * @example
   * new MultiDict({ a: ['1', '2'] }).set('a', '3').getAll('a'); // ['3']
   */
  set(key: string, value: V): this {
    this.#map.set(key, [value]);
    return this;
  }

  /**
   * Whether `key` has at least one value.
   *
   * @example
   * new MultiDict({ a: '1' }).has('a'); // true
   */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  /**
   * Removes `key` and all its values; returns whether it was present.
   *
   * @example
   * new MultiDict({ a: '1' }).delete('a'); // true
   */
  delete(key: string): boolean {
    return this.#map.delete(key);
  }

  /**
   * The number of distinct keys.
   *
   * @example
   * new MultiDict([['a', '1'], ['a', '2'], ['b', '3']]).size; // 2
   */
  get size(): number {
    return this.#map.size;
  }

  /**
   * The distinct keys, in insertion order.
   *
   * @example
   * [...new MultiDict([['a', '1'], ['b', '2'], ['a', '3']]).keys()]; // ['a', 'b']
   */
  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  /**
   * The first value of each key, in insertion order of the keys.
   *
   * @example
   * [...new MultiDict([['a', '1'], ['a', '2']]).values()]; // ['1']
   */
  *values(): IterableIterator<V> {
    for (const values of this.#map.values()) yield values[0] as V;
  }

  /**
   * Every `[key, value]` pair, all values of a key together, keys in insertion order.
   *
   * @example
   * [...new MultiDict([['a', '1'], ['b', '2'], ['a', '3']]).entries()];
   * // [['a', '1'], ['a', '3'], ['b', '2']]
   */
  *entries(): IterableIterator<[string, V]> {
    for (const [key, values] of this.#map) {
      for (const value of values) yield [key, value];
    }
  }

  /**
   * Same as {@link MultiDict.entries}.
   *
   * @example
   * for (const [key, value] of new MultiDict({ a: '1' })) console.log(key, value);
   */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /**
   * A null-prototype object holding the first value of each key.
   *
   * @example
   * new MultiDict([['a', '1'], ['a', '2']]).toObject(); // { a: '1' }
   */
  toObject(): Record<string, V> {
    const out: Record<string, V> = Object.create(null);
    for (const [key, values] of this.#map) out[key] = values[0] as V;
    return out;
  }
}

import { decodeComponent } from './utils/url.js';

/** Turns a decoded segment value into the route argument; `undefined`/`null` means "no match". */
type SegmentParser = (value: string) => unknown;

interface SegmentType {
  /** Regular expression source (JavaScript syntax) for the value, without the leading `/`. */
  readonly source: string;
  /** Number of capturing groups inside `source`, to keep group numbering right. */
  readonly groups: number;
  readonly parser: SegmentParser | undefined;
}

function parseInteger(value: string): number | undefined {
  const n = Number(value);
  // Past 2^53 a number no longer holds the integer the client sent: treat it as no match
  // rather than hand the handler a different id. `+ 0` turns -0 into 0, as Python's int().
  return Number.isSafeInteger(n) ? n + 0 : undefined;
}

function countGroups(source: string): number {
  // An alternation with the empty pattern always matches '', with one slot per group.
  return (new RegExp(`${source}|`).exec('') as RegExpExecArray).length - 1;
}

function compileType(source: string, parser: SegmentParser | undefined, what: string): SegmentType {
  let groups: number;
  try {
    groups = countGroups(source);
  } catch (err) {
    throw new TypeError(`${what}: invalid regular expression /${source}/`, { cause: err });
  }
  return { source, groups, parser };
}

const types = new Map<string, SegmentType>([
  ['string', compileType('[^/]+', undefined, 'string')],
  ['int', compileType('-?\\d+', parseInteger, 'int')],
  ['path', compileType('.+', undefined, 'path')],
]);

const REGEX_SPECIALS = /[\\^$.*+?()[\]{}|/]/g;

/**
 * The URL pattern of a route, as in Microdot 2.x.
 *
 * Segments: `<name>` or `<string:name>` (one segment, no `/`), `<int:name>` (signed integer,
 * parsed to a number), `<path:name>` (one or more segments, slashes included),
 * `<re:REGEX:name>` (a JavaScript regular expression) and any type added with
 * {@link URLPattern.registerType}. A leading `/` is optional (`'users'` is `'/users'`); a
 * trailing `/` is significant (`/users/` does not match `/users`). Literal text is compared
 * with the raw path as it is, so write non-ASCII literals percent-encoded.
 *
 * @example
 * const p = new URLPattern('/users/<int:id>/files/<path:file>');
 * p.match('/users/42/files/a/b%20c.txt'); // { id: 42, file: 'a/b c.txt' }
 * p.match('/users/x/files/a'); // undefined
 */
export class URLPattern {
  /** The pattern as given to the constructor. */
  readonly pattern: string;
  /** True when the pattern has no `<...>` segment: `match` is then a string comparison. */
  readonly isStatic: boolean;

  /** The normalised path a static pattern matches. */
  readonly #path: string;
  readonly #regex: RegExp | undefined;
  readonly #names: string[] = [];
  readonly #groups: number[] = [];
  readonly #parsers: (SegmentParser | undefined)[] = [];

  /**
   * Registers (or replaces) a segment type usable as `<type:name>` in patterns built afterwards.
   *
   * @param pattern JavaScript regular expression for the value (default: one segment).
   * @param parser converts the decoded value; returning `undefined` or `null` means no match.
   * @throws {TypeError} on an invalid type name or regular expression.
   * @example
   * URLPattern.registerType('hex', '[0-9a-fA-F]+', (v) => Number.parseInt(v, 16));
   * new URLPattern('/colors/<hex:rgb>').match('/colors/ff'); // { rgb: 255 }
   */
  static registerType(name: string, pattern = '[^/]+', parser?: SegmentParser): void {
    if (typeof name !== 'string' || name === '' || name === 're' || /[:<>/]/.test(name)) {
      throw new TypeError(
        `Invalid URL segment type name ${JSON.stringify(name)}: use a non-empty name without ':', '<', '>' or '/', other than 're'`,
      );
    }
    if (parser !== undefined && typeof parser !== 'function') {
      throw new TypeError(`URL segment type "${name}": the parser must be a function`);
    }
    types.set(name, compileType(pattern, parser, `URL segment type "${name}"`));
  }

  /**
   * @throws {TypeError} on an invalid pattern: `<` not closed at the end of its segment, an
   *   unknown type, an empty or repeated name, an invalid regular expression.
   */
  constructor(pattern: string) {
    if (typeof pattern !== 'string') throw new TypeError('A URL pattern must be a string');
    this.pattern = pattern;
    const fail: (why: string) => never = (why) => {
      throw new TypeError(`Invalid URL pattern ${JSON.stringify(pattern)}: ${why}`);
    };

    // Microdot strips every leading '/' and then puts one back in front of each segment.
    let start = 0;
    while (pattern.charCodeAt(start) === 47) start++;
    const body = pattern.slice(start);
    const length = body.length;
    let source = '^';
    let group = 1;
    let pos = 0;
    for (;;) {
      source += '/';
      if (body.charCodeAt(pos) === 60 /* < */) {
        // The segment ends at the first '>' followed by '/' or the end, so a custom regex may
        // contain '>' (and, for re: only, '/').
        let close = body.indexOf('>', pos + 1);
        while (close !== -1 && close + 1 < length && body.charCodeAt(close + 1) !== 47) {
          close = body.indexOf('>', close + 1);
        }
        const inner = close === -1 ? '' : body.slice(pos + 1, close);
        if (close === -1 || (inner.includes('/') && !inner.startsWith('re:'))) {
          fail(`'<' at position ${start + pos} must be closed by '>' at the end of its segment`);
        }
        const colon = inner.lastIndexOf(':');
        const typeName = colon === -1 ? 'string' : inner.slice(0, colon);
        const name = inner.slice(colon + 1);
        if (name === '') fail(`segment <${inner}> has an empty name`);
        if (this.#names.includes(name)) fail(`the name "${name}" is used twice`);
        let type: SegmentType | undefined;
        if (typeName.startsWith('re:')) {
          if (typeName.length === 3) fail(`segment <${inner}> has an empty regular expression`);
          type = compileType(
            typeName.slice(3),
            undefined,
            `Invalid URL pattern ${JSON.stringify(pattern)}: segment <${inner}>`,
          );
        } else {
          type = types.get(typeName);
          if (type === undefined) {
            fail(
              `unknown segment type "${typeName}" (known: ${[...types.keys(), 're:REGEX'].join(', ')}; add one with URLPattern.registerType)`,
            );
          }
        }
        const t = type as SegmentType;
        source += `(${t.source})`;
        this.#names.push(name);
        this.#groups.push(group);
        this.#parsers.push(t.parser);
        group += 1 + t.groups;
        pos = close + 1;
      } else {
        let slash = body.indexOf('/', pos);
        if (slash === -1) slash = length;
        source += body.slice(pos, slash).replace(REGEX_SPECIALS, '\\$&');
        pos = slash;
      }
      if (pos >= length) break;
      pos++; // the '/' between segments
    }

    this.isStatic = this.#names.length === 0;
    this.#path = `/${body}`;
    if (this.isStatic) {
      this.#regex = undefined;
    } else {
      try {
        this.#regex = new RegExp(`${source}$`);
      } catch (err) {
        // Each piece compiled alone; together they can still clash (a repeated named group).
        throw new TypeError(
          `Invalid URL pattern ${JSON.stringify(pattern)}: its regular expressions do not combine`,
          { cause: err },
        );
      }
    }
  }

  /**
   * The one path a static pattern (no `<…>` segment) matches, normalised as Microdot does
   * (`users` and `//users` both give `/users`); `undefined` for a dynamic pattern.
   */
  get staticPath(): string | undefined {
    return this.isStatic ? this.#path : undefined;
  }

  /**
   * Matches a raw (still percent-encoded) URL path, without the query string.
   *
   * Values are percent-decoded after matching, so `%2F` never splits a segment, and then
   * given to the type's parser.
   *
   * @returns the route arguments in a null-prototype object, or `undefined` when the path
   *   does not match.
   * @throws {URIError} when a captured value is not valid percent-encoded UTF-8 (answer 400).
   * @example
   * new URLPattern('/files/<name>').match('/files/a%2Fb'); // { name: 'a/b' }
   * new URLPattern('/about').match('/about'); // {}
   */
  match(path: string): Record<string, unknown> | undefined {
    const regex = this.#regex;
    if (regex === undefined) {
      return path === this.#path ? Object.create(null) : undefined;
    }
    const m = regex.exec(path);
    if (m === null) return undefined;
    const args: Record<string, unknown> = Object.create(null);
    const names = this.#names;
    for (let i = 0; i < names.length; i++) {
      let value: unknown = decodeComponent(m[this.#groups[i] as number] as string);
      const parser = this.#parsers[i];
      if (parser !== undefined) {
        value = parser(value as string);
        if (value === undefined || value === null) return undefined;
      }
      args[names[i] as string] = value;
    }
    return args;
  }
}

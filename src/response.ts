import { contentTypeFor } from './internal/content-types.js';
import type { FileSource } from './internal/file-response.js';
import { reasonPhrase } from './internal/status.js';
import type { UpgradeFunction } from './upgrade.js';
import { type CookieOptions, serializeCookie } from './utils/set-cookie.js';

/** Header values accepted wherever headers are given. */
export type HeaderRecord = Record<string, string | number | readonly string[]>;

/** Headers as a record or as `[name, value]` pairs. */
export type HeadersInput = HeaderRecord | Iterable<readonly [string, string]>;

/** Options of {@link Response.sendFile}, as Microdot's `send_file`. */
export interface SendFileOptions {
  /** The status (default 200; only a 200 answers ranges and conditional requests). */
  status?: number;
  /** The content type (default: from the file's extension). */
  contentType?: string;
  /** Send this instead of opening the file; the path then only gives the content type. */
  stream?: AsyncIterable<Uint8Array>;
  /** `Cache-Control: max-age`, in seconds (default {@link Response.defaultSendFileMaxAge}). */
  maxAge?: number;
  /** The file is pre-compressed: `true` for gzip, or the `Content-Encoding` to send. */
  compressed?: boolean | string;
  /** Appended to the path when the file is opened (`'.gz'`). */
  fileExtension?: string;
}

/** A JSON-serialisable value. */
export type JSONValue =
  | string
  | number
  | boolean
  | null
  | JSONValue[]
  | { [key: string]: JSONValue | undefined };

/** What a response body may be given as: text, bytes, or a value sent as JSON. */
export type BodyInput =
  | string
  | Uint8Array
  | AsyncIterable<string | Uint8Array>
  | JSONValue
  | object
  | null
  | undefined;

/** A body sent in pieces as they come (chunked on HTTP/1.1). */
export type StreamBody = AsyncIterable<string | Uint8Array>;

const JSON_TYPE = 'application/json; charset=UTF-8';

/**
 * An HTTP response: status, headers (lower-case names), cookies and a body.
 *
 * A string or byte body is sent as is (content type {@link Response.defaultContentType} unless
 * set); any other object or array is sent as JSON.
 *
 * @example
 * ```ts
 * app.get('/', () => {
 *   const res = new Response('<h1>Hi</h1>', 200, { 'Content-Type': 'text/html; charset=UTF-8' });
 *   res.setCookie('seen', '1', { maxAge: 3600 });
 *   return res;
 * });
 * ```
 */
export class Response {
  /** The content type of text and byte bodies that set none. Microdot's default. */
  static defaultContentType = 'text/plain; charset=UTF-8';
  /** `Cache-Control: max-age` of {@link Response.sendFile} when not given (Microdot's default: none). */
  static defaultSendFileMaxAge: number | undefined = undefined;
  /** Bytes read from disk at a time by {@link Response.sendFile} (Microdot's `send_file_buffer_size`). */
  static sendFileBufferSize = 64 * 1024;

  /**
   * Sends a file from disk (Microdot's `send_file`), streamed, never read whole. The content
   * type comes from the extension (`application/octet-stream` when unknown); `maxAge` gives
   * `Cache-Control: max-age`; `compressed` (`true` for gzip, or an encoding name) sets
   * `Content-Encoding` for a pre-compressed file, whose type is taken from the name without
   * `.gz`/`.br`; `fileExtension` is appended to the path when it is opened (`app.js` served from
   * `app.js.gz`). Beyond Microdot, a 200 answers `If-None-Match`/`If-Modified-Since` with 304
   * (`ETag`, `Last-Modified`) and a single `Range` with 206 or 416; a missing file is a 404.
   *
   * The path is trusted: never build it from user input (use `serveStatic` for that).
   *
   * @example
   * ```ts
   * app.get('/report', () => Response.sendFile('reports/latest.pdf', { maxAge: 3600 }));
   * ```
   */
  static sendFile(path: string, options: SendFileOptions = {}): Response {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError('Response.sendFile(path): path must name a file');
    }
    const maxAge = options.maxAge ?? Response.defaultSendFileMaxAge;
    if (maxAge !== undefined && !(Number.isSafeInteger(maxAge) && maxAge >= 0)) {
      throw new TypeError(
        'Response.sendFile: maxAge must be a whole number of seconds, such as 3600',
      );
    }
    const compressed = options.compressed ?? false;
    let contentType = options.contentType;
    if (contentType === undefined) {
      const named = compressed !== false ? path.replace(/\.(gz|br)$/, '') : path;
      contentType = contentTypeFor(named);
    }
    const headers: Record<string, string> = { 'content-type': contentType };
    if (maxAge !== undefined) headers['cache-control'] = `max-age=${maxAge}`;
    if (compressed !== false)
      headers['content-encoding'] = compressed === true ? 'gzip' : compressed;
    if (options.stream !== undefined)
      return new Response(options.stream, options.status ?? 200, headers);
    const res = new Response(null, options.status ?? 200, headers);
    res.file = {
      path: path + (options.fileExtension ?? ''),
      bufferSize: Response.sendFileBufferSize,
    };
    return res;
  }

  /** The status code. */
  statusCode: number;
  /** The reason phrase; the standard one when not given. */
  reason: string | undefined;
  /** The headers, by lower-case name. Set-Cookie lives in {@link Response.cookies}. */
  headers: Record<string, string>;
  /** The serialised `Set-Cookie` values, one header each. */
  cookies: string[];
  /** The body: text, bytes, a stream of pieces, or null for none. */
  body: string | Uint8Array | StreamBody | null;
  /**
   * For a response that switches protocols (`microdot-ts/websocket` sets it): the `node:http`
   * adapter calls it with the raw connection, after the hooks, instead of sending the response.
   * An adapter that cannot hand over a connection (`app.fetch`, a request that did not come
   * through the server's `upgrade` event) answers 501 instead.
   */
  upgrade: UpgradeFunction | undefined;
  /** A file {@link Response.sendFile} will send; the app reads it when the response goes out. */
  file: FileSource | undefined;

  constructor(body?: BodyInput, statusCode = 200, headers?: HeadersInput, reason?: string) {
    this.statusCode = statusCode;
    this.reason = reason;
    this.headers = {};
    this.cookies = [];
    this.upgrade = undefined;
    this.file = undefined;
    if (headers !== undefined) this.setHeaders(headers);
    if (body === undefined || body === null) {
      this.body = null;
    } else if (typeof body === 'string' || body instanceof Uint8Array) {
      this.body = body;
      if (this.headers['content-type'] === undefined) {
        this.headers['content-type'] = Response.defaultContentType;
      }
    } else if (typeof (body as StreamBody)[Symbol.asyncIterator] === 'function') {
      this.body = body as StreamBody;
      if (this.headers['content-type'] === undefined) {
        this.headers['content-type'] = Response.defaultContentType;
      }
    } else {
      this.body = JSON.stringify(body);
      if (this.headers['content-type'] === undefined) this.headers['content-type'] = JSON_TYPE;
    }
  }

  /** Sets header `name` (case-insensitive), replacing any value it had. */
  setHeader(name: string, value: string | number | readonly string[]): this {
    const key = name.toLowerCase();
    if (key === 'set-cookie') {
      this.cookies = typeof value === 'object' ? [...value] : [String(value)];
    } else {
      this.headers[key] = typeof value === 'object' ? value.join(', ') : String(value);
    }
    return this;
  }

  /** The value of header `name` (case-insensitive), if set. */
  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** Removes header `name` (case-insensitive). */
  deleteHeader(name: string): this {
    delete this.headers[name.toLowerCase()];
    return this;
  }

  /**
   * Adds a `Set-Cookie` header. The name, value and options are validated
   * (RFC 6265 §4.1.1): a value with `;`, CR, LF or a control character throws `CookieError`
   * rather than producing a split header.
   */
  setCookie(name: string, value: string, options?: CookieOptions): this {
    this.cookies.push(serializeCookie(name, value, options));
    return this;
  }

  /**
   * Asks the client to remove cookie `name`: empty value, `Max-Age=0` and an `Expires` in 1970.
   * Give the same `path` and `domain` the cookie was set with.
   */
  deleteCookie(name: string, options: Omit<CookieOptions, 'maxAge' | 'expires'> = {}): this {
    return this.setCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  /** The reason phrase sent on the status line. */
  get statusText(): string {
    return this.reason ?? reasonPhrase(this.statusCode);
  }

  /**
   * A redirect to `location` (302 by default). A location with CR or LF is refused, since it
   * would split the header.
   *
   * @example
   * ```ts
   * app.post('/login', () => Response.redirect('/'));
   * ```
   */
  static redirect(location: string, status = 302): Response {
    if (/[\r\n]/.test(location)) throw new TypeError('Invalid redirect URL: it contains CR or LF');
    return new Response(null, status, { location });
  }

  private setHeaders(headers: HeadersInput): void {
    const entries = Symbol.iterator in headers ? headers : Object.entries(headers);
    for (const [name, value] of entries as Iterable<
      [string, string | number | readonly string[]]
    >) {
      this.setHeader(name, value);
    }
  }
}

/**
 * A redirect response (shorthand for {@link Response.redirect}).
 *
 * @example
 * ```ts
 * app.get('/old', () => redirect('/new', 301));
 * ```
 */
export function redirect(location: string, status = 302): Response {
  return Response.redirect(location, status);
}

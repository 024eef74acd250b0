import type { MicrodotBase } from './app.js';
import { BodyStream } from './body-stream.js';
import type { Handler } from './handler.js';
import { HTTPException } from './http-exception.js';
import { isJsonType } from './internal/content-type.js';
import { HeaderMap, headerValue, type RawHeaders } from './internal/header-map.js';
import { MultiDict } from './multidict.js';
import type { Response } from './response.js';
import type { UploadedFile } from './uploaded-file.js';
import { cookieValue, parseCookies } from './utils/cookie.js';
import { parseQuery } from './utils/url.js';

/** A hook run after the handler, only when it did not throw. May return a replacement. */
export type AfterRequestHook = (
  req: Request,
  res: Response,
) => Response | undefined | void | Promise<Response | undefined | void>;

/** What an adapter knows about an incoming request. */
export interface RequestInit {
  /** The application that serves it. */
  app: MicrodotBase;
  /** The request method, upper case. */
  method: string;
  /** The request target: path and query string, still percent-encoded. */
  url: string;
  /** The headers, by lower-case name. */
  headers: RawHeaders;
  /** The whole body (empty when there is none, or when it comes as `stream`). */
  body?: Uint8Array;
  /** A body too large to hold (over `maxBodyLength`), to be read as it arrives. */
  stream?: BodyStream;
  /** The client's address. */
  clientAddr?: string;
  /** `https` when the connection is TLS. */
  scheme?: 'http' | 'https';
}

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/**
 * An HTTP request as handlers see it. Everything derived (query arguments, cookies, JSON, form)
 * is parsed on first use, so a handler pays only for what it reads.
 *
 * @example
 * ```ts
 * app.get('/hello', (req) => `Hello, ${req.args.get('name') ?? 'stranger'}!`);
 * ```
 */
export class Request {
  /** The application serving this request. */
  readonly app: MicrodotBase;
  /** The client's address. */
  readonly clientAddr: string;
  /** The method, upper case (`GET`, `POST`, …). */
  readonly method: string;
  /** `http` or `https`, as the connection came in (proxies are not trusted here). */
  readonly scheme: 'http' | 'https';
  /** The request target: path and query string, still percent-encoded. */
  readonly url: string;
  /** The path part of the URL, still percent-encoded. */
  readonly path: string;
  /** The query string (after `?`), or the empty string. */
  readonly queryString: string;
  /**
   * The raw body bytes, when the body is at most the app's `maxBodyLength`; else empty, and the
   * body is read from {@link Request.stream}.
   */
  readonly body: Uint8Array;
  /** A place for the application's own per-request data. */
  g: Record<string, unknown> = {};
  /** The arguments matched from the URL pattern. */
  urlArgs: Record<string, unknown> = {};
  /** The URL prefix of the mounted sub-application that serves this route, if any. */
  urlPrefix = '';
  /** The mounted sub-application that serves this route, if any. */
  subapp: MicrodotBase | undefined;
  /**
   * The handler of the route this request matched, as registered (Microdot's
   * `request.route`), set before the before-request hooks run; `undefined` for a 404, a 405 or
   * the automatic OPTIONS answer. Extensions find their marks on it with `unwrap`.
   */
  route: Handler | undefined;

  readonly #raw: RawHeaders;
  #headers: HeaderMap | undefined;
  #args: MultiDict<string> | undefined;
  #cookies: Record<string, string> | undefined;
  #json: unknown;
  #form: MultiDict<string> | null | undefined;
  #stream: BodyStream | undefined;
  #files: MultiDict<UploadedFile> | undefined;
  /** Whether the body is too large to hold and comes only through {@link Request.stream}. */
  readonly streamed: boolean;
  /** @internal Hooks registered with {@link Request.afterRequest}. */
  afterRequestHooks: AfterRequestHook[] | undefined;

  constructor(init: RequestInit) {
    this.app = init.app;
    this.method = init.method;
    this.url = init.url;
    this.#raw = init.headers;
    this.body = init.body ?? EMPTY;
    this.#stream = init.stream;
    this.streamed = init.stream !== undefined;
    this.clientAddr = init.clientAddr ?? '';
    this.scheme = init.scheme ?? 'http';
    const q = init.url.indexOf('?');
    if (q === -1) {
      this.path = init.url;
      this.queryString = '';
    } else {
      this.path = init.url.slice(0, q);
      this.queryString = init.url.slice(q + 1);
    }
  }

  /** The headers, case-insensitive (`req.headers.get('Content-Type')`). */
  get headers(): HeaderMap {
    this.#headers ??= new HeaderMap(this.#raw);
    return this.#headers;
  }

  /** Fast lookup of a header by its lower-case name; repeated headers are joined with `, `. */
  header(lowerCaseName: string): string | undefined {
    return headerValue(this.#raw, lowerCaseName);
  }

  /** The query-string arguments. A malformed query answers 400. */
  get args(): MultiDict<string> {
    if (this.#args === undefined) {
      try {
        this.#args = parseQuery(this.queryString);
      } catch (err) {
        throw new HTTPException(400, { message: 'Malformed query string', cause: err });
      }
    }
    return this.#args;
  }

  /** The cookies the client sent (RFC 6265 §5.4); malformed pairs are skipped. */
  get cookies(): Record<string, string> {
    this.#cookies ??= parseCookies(this.header('cookie'));
    return this.#cookies;
  }

  /**
   * The value of one cookie, as `req.cookies[name]`, without parsing the other cookies when
   * {@link Request.cookies} has not been read yet.
   *
   * @example
   * ```ts
   * app.get('/', (req) => `theme: ${req.cookie('theme') ?? 'light'}`);
   * ```
   */
  cookie(name: string): string | undefined {
    const parsed = this.#cookies;
    return parsed === undefined ? cookieValue(this.header('cookie'), name) : parsed[name];
  }

  /**
   * The body as it arrives: an async iterable of chunks, readable once (Microdot's
   * `request.stream`). For a body read whole it yields `req.body`; for a larger one (over the
   * app's `maxBodyLength`) it is the only way to the body.
   *
   * @example
   * ```ts
   * app.post('/upload', async (req) => {
   *   let size = 0;
   *   for await (const chunk of req.stream) size += chunk.byteLength;
   *   return { size };
   * });
   * ```
   */
  get stream(): BodyStream {
    this.#stream ??= new BodyStream(
      this.body.byteLength === 0 ? [] : [this.body],
      undefined,
      Infinity,
    );
    return this.#stream;
  }

  /** The `Content-Length` of the body (0 when absent). */
  get contentLength(): number {
    if (!this.streamed) return this.body.byteLength;
    const declared = Number(this.header('content-length'));
    return Number.isSafeInteger(declared) ? declared : 0;
  }

  /** The `Content-Type` header, if sent. */
  get contentType(): string | undefined {
    return this.header('content-type');
  }

  /** The body as text (UTF-8). A body read from {@link Request.stream} answers 413 here. */
  get text(): string {
    this.#whole();
    return decoder.decode(this.body);
  }

  /** Refuses to parse a body that was never held (over `maxBodyLength`) as if it were empty. */
  #whole(): void {
    if (this.streamed) {
      throw new HTTPException(413, {
        message: 'Payload too large to read whole: raise maxBodyLength or read req.stream',
      });
    }
  }

  /**
   * The body parsed as JSON when the content type is `application/json`, else `undefined`.
   * Malformed JSON answers 400.
   */
  get json(): unknown {
    if (this.#json === undefined) {
      const type = this.contentType;
      if (!isJsonType(type)) {
        return undefined;
      }
      this.#whole();
      try {
        this.#json = JSON.parse(this.text);
      } catch (err) {
        throw new HTTPException(400, { message: 'Malformed JSON body', cause: err });
      }
    }
    return this.#json;
  }

  /**
   * The form fields of an `application/x-www-form-urlencoded` body, else `undefined`.
   * Malformed encoding answers 400.
   */
  get form(): MultiDict<string> | undefined {
    if (this.#form === undefined) {
      const type = this.contentType;
      if (type === undefined || !/^application\/x-www-form-urlencoded\b/i.test(type)) {
        this.#form = null;
      } else {
        this.#whole();
        try {
          this.#form = parseQuery(this.text);
        } catch (err) {
          throw new HTTPException(400, { message: 'Malformed form body', cause: err });
        }
      }
    }
    return this.#form ?? undefined;
  }

  /**
   * The files of a `multipart/form-data` body, once a body parser such as `withFormData`
   * (`microdot-ts/multipart`) has read it; empty otherwise, as in Microdot.
   */
  get files(): MultiDict<UploadedFile> {
    this.#files ??= new MultiDict();
    return this.#files;
  }

  /**
   * Sets what {@link Request.form} and {@link Request.files} give: the hook a body parser
   * (such as `withFormData`) uses to hand over the fields and files it read.
   */
  setFormData(form: MultiDict<string>, files: MultiDict<UploadedFile>): void {
    this.#form = form;
    this.#files = files;
  }

  /**
   * Registers a hook that runs after this request's handler (and after the app's own
   * after-request hooks), only if the handler did not throw. It may return a new response.
   *
   * @example
   * ```ts
   * req.afterRequest((req, res) => { res.setHeader('X-Trace', '1'); });
   * ```
   */
  afterRequest(hook: AfterRequestHook): void {
    if (this.afterRequestHooks === undefined) this.afterRequestHooks = [hook];
    else this.afterRequestHooks.push(hook);
  }
}

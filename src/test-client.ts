import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { MicrodotBase } from './app.js';
import { HTTPException } from './http-exception.js';
import { jsonBodyOf } from './internal/content-type.js';
import { duplexPair } from './internal/duplex-pair.js';
import type { RawHeaders } from './internal/header-map.js';
import { chunksOf, readBody } from './internal/read-body.js';
import {
  driveWebSocket,
  type WebSocketClientFn,
  type WebSocketMessage,
} from './internal/websocket-driver.js';
import { createNodeHandler } from './node-handler.js';
import { createUpgradeHandler } from './node-upgrade.js';
import { Request } from './request.js';
import { Response } from './response.js';
import { UPGRADE_UNAVAILABLE } from './upgrade.js';
import { eventsOf, type ServerSentEvent } from './utils/event-stream.js';
import { parseSetCookie } from './utils/set-cookie-parse.js';

/** Options of a {@link TestClient} request. */
export interface TestRequestOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** A raw body (text or bytes). */
  body?: string | Uint8Array;
  /** A value sent as a JSON body (sets `Content-Type: application/json`). */
  json?: unknown;
}

/** A response as the {@link TestClient} received it. */
export interface TestResponse {
  /** The status code. */
  statusCode: number;
  /** The reason phrase. */
  reason: string;
  /** The headers, by lower-case name; `set-cookie` is a list. */
  headers: Record<string, string | string[]>;
  /** The body bytes (empty for HEAD). */
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
  /** The body parsed as JSON when the response is JSON, else `undefined`. */
  json: unknown;
  /** The events of a `text/event-stream` response (Microdot's `events`), else `undefined`. */
  events?: ServerSentEvent[];
  /** After {@link TestClient.websocket} upgraded: how the connection was closed. */
  websocketClose?: { code: number; reason: string };
}

export type { WebSocketClientFn, WebSocketMessage };

interface JarCookie {
  name: string;
  value: string;
  path: string;
  expires: number | undefined;
}

/**
 * Drives an app in-process, without a socket, as Microdot's `TestClient` does. It keeps a
 * cookie jar: cookies from `Set-Cookie` are sent back to paths under their `Path`, and
 * forgotten on `Max-Age=0` or an `Expires` in the past.
 *
 * @example
 * ```ts
 * import { TestClient } from 'microdot-ts/test-client';
 * const client = new TestClient(app);
 * const res = await client.get('/');
 * assert.equal(res.text, 'Hello, World!');
 * ```
 */
export class TestClient {
  readonly app: MicrodotBase;
  readonly #jar = new Map<string, JarCookie>();
  #server: Server | undefined;

  /** @param cookies Cookies to start the jar with (path `/`). */
  constructor(app: MicrodotBase, options: { cookies?: Record<string, string> } = {}) {
    this.app = app;
    for (const [name, value] of Object.entries(options.cookies ?? {})) {
      this.#jar.set(`${name};/`, { name, value, path: '/', expires: undefined });
    }
  }

  /** The cookies the jar would send to `path`, by name. */
  cookies(path = '/'): Record<string, string> {
    const out: Record<string, string> = {};
    for (const cookie of this.#matching(path)) out[cookie.name] ??= cookie.value;
    return out;
  }

  /** Sends a request with any method. */
  async request(
    method: string,
    url: string,
    options: TestRequestOptions = {},
  ): Promise<TestResponse> {
    const headers: RawHeaders = {};
    for (const [name, value] of Object.entries(options.headers ?? {}))
      headers[name.toLowerCase()] = value;
    let body: Uint8Array | undefined;
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers['content-type'] ??= 'application/json';
    } else if (options.body !== undefined) {
      body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    }
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    this.#addCookies(url, headers);
    const res = await this.send(method.toUpperCase(), url, headers, body);
    const setCookie = res.headers['set-cookie'];
    if (setCookie !== undefined)
      this.#store(typeof setCookie === 'string' ? [setCookie] : setCookie);
    return res;
  }

  /**
   * Delivers one request and returns the response; the cookie jar is handled around it.
   * The default drives the app in-process; a subclass may send it over a real connection.
   */
  protected async send(
    method: string,
    url: string,
    headers: RawHeaders,
    body: Uint8Array | undefined,
  ): Promise<TestResponse> {
    const init = { app: this.app, method, url, headers, clientAddr: '127.0.0.1' };
    const read =
      body === undefined
        ? { body: undefined }
        : await readBody(chunksOf(body), this.app, body.byteLength);
    const req = new Request({
      ...init,
      body: 'body' in read ? read.body : undefined,
      stream: 'stream' in read ? read.stream : undefined,
    });
    let res =
      'tooLarge' in read
        ? await this.app.handleError(req, new HTTPException(413, { message: 'Payload too large' }))
        : await this.app.dispatch(req);
    // A WebSocket route answers a plain request here as the node:http handler does.
    if (res.upgrade !== undefined) res = new Response(UPGRADE_UNAVAILABLE, 501);
    return toTestResponse(res, method, await bodyBytes(res, method));
  }

  /** Sends a GET request. */
  get(url: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('GET', url, options);
  }

  /** Sends a HEAD request. */
  head(url: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('HEAD', url, options);
  }

  /** Sends a POST request. */
  post(url: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('POST', url, options);
  }

  /** Sends a PUT request. */
  put(url: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('PUT', url, options);
  }

  /** Sends a PATCH request. */
  patch(url: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('PATCH', url, options);
  }

  /** Sends a DELETE request. */
  delete(url: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('DELETE', url, options);
  }

  /** Sends an OPTIONS request. */
  options(url: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.request('OPTIONS', url, options);
  }

  /**
   * Opens a WebSocket to a route and drives it with `client`, as Microdot's test client does:
   * `client` is a generator function whose `yield message` sends a message (a string as text,
   * bytes as binary) and evaluates to the server's next message. The connection closes when
   * the generator returns or the server closes it. Resolves with the 101 (and
   * `websocketClose`), or with the HTTP response when the handshake was refused (a hook's 401,
   * a login redirect, a 403 for a cross-site `Origin`). Needs the `ws` package.
   *
   * @example
   * ```ts
   * const replies: unknown[] = [];
   * await client.websocket('/echo', async function* () {
   *   replies.push(yield 'hello');
   * });
   * assert.deepEqual(replies, ['hello']);
   * ```
   */
  async websocket(
    path: string,
    client: WebSocketClientFn,
    options: { headers?: Record<string, string> } = {},
  ): Promise<TestResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers[name.toLowerCase()] = value;
    }
    this.#addCookies(path, headers as RawHeaders);
    const outcome = await driveWebSocket(this.connect(), path, headers, client);
    const res = outcome.upgraded
      ? {
          statusCode: 101,
          reason: 'Switching Protocols',
          headers: plainHeaders(outcome.headers),
          body: Buffer.alloc(0),
          text: '',
          json: undefined,
          websocketClose: { code: outcome.code, reason: outcome.reason },
        }
      : responseOf(outcome.response, outcome.body);
    const setCookie = res.headers['set-cookie'];
    if (setCookie !== undefined) {
      this.#store(typeof setCookie === 'string' ? [setCookie] : setCookie);
    }
    return res;
  }

  /**
   * A new connection to the app, for a client of your own (a `ws` WebSocket's
   * `createConnection`): in memory, served by the app's `node:http` handlers, with no port.
   */
  connect(): Duplex {
    if (this.#server === undefined) {
      this.#server = createServer(createNodeHandler(this.app));
      this.#server.on('upgrade', createUpgradeHandler(this.app));
    }
    const [client, server] = duplexPair();
    this.#server.emit('connection', server);
    return client;
  }

  #addCookies(url: string, headers: RawHeaders): void {
    const path = url.split('?', 1)[0]!;
    const jarCookies = this.#matching(path).map((c) => `${c.name}=${c.value}`);
    if (jarCookies.length > 0) {
      headers.cookie =
        headers.cookie === undefined
          ? jarCookies.join('; ')
          : `${headers.cookie}; ${jarCookies.join('; ')}`;
    }
  }

  #matching(path: string): JarCookie[] {
    const now = Date.now();
    const out: JarCookie[] = [];
    for (const [key, cookie] of this.#jar) {
      if (cookie.expires !== undefined && cookie.expires <= now) {
        this.#jar.delete(key);
      } else if (pathMatches(path, cookie.path)) {
        out.push(cookie);
      }
    }
    // RFC 6265 §5.4: cookies with longer paths are listed first.
    return out.sort((a, b) => b.path.length - a.path.length);
  }

  #store(setCookies: readonly string[]): void {
    const now = Date.now();
    for (const line of setCookies) {
      const parsed = parseSetCookie(line);
      if (parsed === undefined) continue;
      const path = parsed.path?.startsWith('/') ? parsed.path : '/';
      const key = `${parsed.name};${path}`;
      let expires: number | undefined;
      if (parsed.maxAge !== undefined) expires = now + parsed.maxAge * 1000;
      else if (parsed.expires !== undefined) expires = parsed.expires.getTime();
      if (expires !== undefined && expires <= now) this.#jar.delete(key);
      else this.#jar.set(key, { name: parsed.name, value: parsed.value, path, expires });
    }
  }
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

async function bodyBytes(res: Response, method: string): Promise<Buffer> {
  const raw = res.body;
  if (method === 'HEAD' || raw === null) return Buffer.alloc(0);
  if (typeof raw === 'string') return Buffer.from(raw);
  if (raw instanceof Uint8Array) return Buffer.from(raw);
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function toTestResponse(res: Response, method: string, body: Buffer): TestResponse {
  const headers: Record<string, string | string[]> = { ...res.headers };
  if (res.cookies.length > 0) headers['set-cookie'] = [...res.cookies];
  if (
    method !== 'HEAD' &&
    !(res.body instanceof Uint8Array) &&
    typeof res.body !== 'string' &&
    res.body !== null
  ) {
    // A streamed body has no length until it is read.
  } else if (
    headers['content-length'] === undefined &&
    res.statusCode !== 204 &&
    res.statusCode !== 304
  ) {
    headers['content-length'] = String(
      typeof res.body === 'string'
        ? Buffer.byteLength(res.body)
        : res.body === null
          ? 0
          : (res.body as Uint8Array).byteLength,
    );
  }
  const text = body.toString('utf8');
  const json = jsonBodyOf(res.headers['content-type'], text);
  const events = eventsOf(res.headers['content-type'], text);
  return {
    statusCode: res.statusCode,
    reason: res.statusText,
    headers,
    body,
    text,
    json,
    ...(events === undefined ? {} : { events }),
  };
}

/** Node's headers as the test client gives them (`set-cookie` a list, the rest text). */
function plainHeaders(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
}

/** A response read from a connection, as a TestResponse. */
export function responseOf(res: IncomingMessage, body: Buffer): TestResponse {
  const headers = plainHeaders(res.headers);
  const text = body.toString('utf8');
  const contentType = res.headers['content-type'];
  const events = eventsOf(contentType, text);
  return {
    statusCode: res.statusCode ?? 0,
    reason: res.statusMessage ?? '',
    headers,
    body,
    text,
    json: jsonBodyOf(contentType, text),
    ...(events === undefined ? {} : { events }),
  };
}

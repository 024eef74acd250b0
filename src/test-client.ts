import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { MicrodotBase } from './app.js';
import { HTTPException } from './http-exception.js';
import { CookieJar } from './internal/cookie-jar.js';
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
import {
  bodyBytes,
  plainHeaders,
  responseOf,
  type TestResponse,
  toTestResponse,
} from './test-response.js';
import { UPGRADE_UNAVAILABLE } from './upgrade.js';

/** Options of a {@link TestClient} request. */
export interface TestRequestOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** A raw body (text or bytes). */
  body?: string | Uint8Array;
  /** A value sent as a JSON body (sets `Content-Type: application/json`). */
  json?: unknown;
}

export type { WebSocketClientFn, WebSocketMessage };
export { responseOf, type TestResponse };

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
  readonly #jar = new CookieJar();
  #server: Server | undefined;

  /** @param cookies Cookies to start the jar with (path `/`). */
  constructor(app: MicrodotBase, options: { cookies?: Record<string, string> } = {}) {
    this.app = app;
    for (const [name, value] of Object.entries(options.cookies ?? {})) {
      this.#jar.set(name, value);
    }
  }

  /** The cookies the jar would send to `path`, by name. */
  cookies(path = '/'): Record<string, string> {
    return this.#jar.cookies(path);
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
    this.#jar.addTo(url, headers);
    const res = await this.send(method.toUpperCase(), url, headers, body);
    this.#jar.store(res.headers['set-cookie']);
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
    this.#jar.addTo(path, headers as RawHeaders);
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
    this.#jar.store(res.headers['set-cookie']);
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
}

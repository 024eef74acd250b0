import type { MicrodotBase } from './app.js';
import type { BodyStream } from './body-stream.js';
import { HTTPException } from './http-exception.js';
import type { RawHeaders } from './internal/header-map.js';
import { readBody } from './internal/read-body.js';
import { Request } from './request.js';
import type { Response, StreamBody } from './response.js';
import { UPGRADE_UNAVAILABLE } from './upgrade.js';

/**
 * Serves a Web-standard request with `app` (see `Microdot.fetch`). The body is read only when
 * its declared length is within `app.maxContentLength`, and reading stops past it; a body over
 * `app.maxBodyLength` is left to the handler as `req.stream`.
 */
export async function handleFetch(
  app: MicrodotBase,
  request: globalThis.Request,
  info: { clientAddr?: string },
): Promise<globalThis.Response> {
  let target: URL;
  try {
    target = new URL(request.url);
  } catch {
    return new globalThis.Response('Bad request', { status: 400 });
  }
  const headers: RawHeaders = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const init = {
    app,
    method: request.method.toUpperCase(),
    url: target.pathname + target.search,
    headers,
    clientAddr: info.clientAddr ?? '',
    scheme: target.protocol === 'https:' ? ('https' as const) : ('http' as const),
  };
  let body: Uint8Array | undefined;
  let stream: BodyStream | undefined;
  if (request.body !== null) {
    const declared = request.headers.get('content-length');
    const read = await readBody(
      readerChunks(request.body),
      app,
      declared === null ? undefined : Number(declared),
    );
    if ('tooLarge' in read) {
      const res = await app.handleError(
        new Request(init),
        new HTTPException(413, { message: 'Payload too large' }),
      );
      res.headers.connection = 'close';
      return toWeb(res, init.method);
    }
    if ('body' in read) body = read.body;
    else stream = read.stream;
  }
  const req = new Request({ ...init, body, stream });
  const res = await app.dispatch(req);
  if (res.upgrade !== undefined) {
    // Bun's server.upgrade() and Deno.upgradeWebSocket() are not wired: see the README.
    return new globalThis.Response(UPGRADE_UNAVAILABLE, {
      status: 501,
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
    });
  }
  try {
    return toWeb(res, init.method);
  } catch (err) {
    // A header a handler filled with bytes HTTP forbids: never sent, reported as a 500.
    app.logError(err, req);
    return new globalThis.Response('Internal server error', { status: 500 });
  }
}

/** The chunks of a Web stream, as an iterator that cancels the stream when stopped early. */
function readerChunks(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  const reader = stream.getReader();
  return {
    async next() {
      const { done, value } = await reader.read();
      return done ? { done: true, value: undefined } : { done: false, value };
    },
    async return() {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

function toWeb(res: Response, method: string): globalThis.Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) headers.set(name, value);
  for (const cookie of res.cookies) headers.append('set-cookie', cookie);
  const status = res.statusCode;
  const noBody = method === 'HEAD' || status === 204 || status === 304 || res.body === null;
  const body = res.body;
  let webBody: BodyInit | null = null;
  if (!noBody) {
    webBody = (
      typeof body === 'string' || body instanceof Uint8Array ? body : toStream(body!)
    ) as BodyInit;
  }
  return new globalThis.Response(webBody, {
    status,
    statusText: res.statusText,
    headers,
  });
}

function toStream(body: StreamBody): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

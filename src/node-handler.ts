import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { MicrodotBase } from './app.js';
import { BodyStream } from './body-stream.js';
import { HTTPException } from './http-exception.js';
import { nodeBodyChunks } from './internal/node-body.js';
import { reasonPhrase } from './internal/status.js';
import { trackAccess } from './node-access-log.js';
import { Request } from './request.js';
import type { Response, StreamBody } from './response.js';
import { UPGRADE_UNAVAILABLE } from './upgrade.js';

/** A `node:http` request listener. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

const NO_BODY_STATUS = new Set([204, 304]);

/**
 * Builds the `node:http` listener of `app`. Node's own parser has already rejected malformed
 * request lines and headers (400/431); this reads the body within the app's limit, dispatches,
 * and writes the response. Nothing a client sends can make it throw.
 */
export function createNodeHandler(app: MicrodotBase): NodeHandler {
  return (nreq, nres) => {
    if (app.accessLog !== undefined) trackAccess(nreq, nres, app.accessLog);
    const url = requestTarget(nreq.url);
    if (url === undefined) {
      writeError(nres, 400, 'Bad request');
      return;
    }
    const headers = nreq.headers;
    const declared = headers['content-length'];
    if (declared === undefined && headers['transfer-encoding'] === undefined) {
      dispatch(app, newRequest(app, nreq, url, undefined), nres);
      return;
    }
    if (declared !== undefined && Number(declared) > app.maxContentLength) {
      // Answer at once, without reading the body, and close the connection (RFC 9110 §15.5.14).
      tooLarge(app, nreq, nres, url);
      return;
    }
    if (declared !== undefined && Number(declared) > app.maxBodyLength) {
      // Too large to hold: the handler reads it from `req.stream` as it arrives.
      const stream = new BodyStream([], nodeBodyChunks(nreq), app.maxContentLength);
      dispatch(app, newRequest(app, nreq, url, undefined, stream), nres);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > app.maxContentLength) {
        stop();
        chunks.length = 0;
        tooLarge(app, nreq, nres, url);
        return;
      }
      chunks.push(chunk);
      if (size > app.maxBodyLength) {
        // A chunked body that outgrew maxBodyLength: stream what came so far and the rest.
        stop();
        const stream = new BodyStream(chunks, nodeBodyChunks(nreq), app.maxContentLength);
        dispatch(app, newRequest(app, nreq, url, undefined, stream), nres);
      }
    };
    const onEnd = () => {
      stop();
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      dispatch(app, newRequest(app, nreq, url, body), nres);
    };
    const onError = () => {
      stop();
      nres.destroy();
    };
    const stop = () => {
      nreq.off('data', onData);
      nreq.off('end', onEnd);
      nreq.off('error', onError);
    };
    nreq.on('data', onData);
    nreq.on('end', onEnd);
    nreq.on('error', onError);
  };
}

/** @internal The Request of a `node:http` request (also used for upgrade requests). */
export function newRequest(
  app: MicrodotBase,
  nreq: IncomingMessage,
  url: string,
  body: Buffer | undefined,
  stream?: BodyStream,
): Request {
  const socket = nreq.socket;
  return new Request({
    app,
    method: nreq.method ?? 'GET',
    url,
    headers: nreq.headers,
    body,
    stream,
    clientAddr: socket.remoteAddress ?? '',
    scheme: (socket as TLSSocket).encrypted ? 'https' : 'http',
  });
}

/** The path-and-query of a request target; absolute-form is reduced to it (RFC 9112 §3.2.2). */
export function requestTarget(target: string | undefined): string | undefined {
  if (target === undefined || target === '') return undefined;
  if (target.charCodeAt(0) === 47 /* / */) return target;
  if (target === '*') return target;
  const m = /^https?:\/\/[^/?#]*(.*)$/i.exec(target);
  if (m === null) return undefined;
  return m[1] === '' ? '/' : m[1]!.startsWith('?') ? `/${m[1]}` : m[1];
}

function dispatch(app: MicrodotBase, req: Request, nres: ServerResponse): void {
  const out = app.dispatch(req);
  if (out instanceof Promise) {
    out.then(
      (res) => send(app, req, res, nres),
      (err: unknown) => {
        app.logError(err, req);
        writeError(nres, 500, 'Internal server error');
      },
    );
  } else {
    send(app, req, out, nres);
  }
}

function tooLarge(
  app: MicrodotBase,
  nreq: IncomingMessage,
  nres: ServerResponse,
  url: string,
): void {
  const req = newRequest(app, nreq, url, undefined);
  void app
    .handleError(req, new HTTPException(413, { message: 'Payload too large' }))
    .then((res) => {
      res.headers.connection = 'close';
      send(app, req, res, nres);
    });
}

/**
 * Writes `res`; a header a handler filled with CR/LF or other invalid bytes becomes a 500. A
 * response that wants to take over the connection cannot here (the request did not come through
 * the server's `upgrade` event): it becomes a 501.
 */
export function send(app: MicrodotBase, req: Request, res: Response, nres: ServerResponse): void {
  if (nres.headersSent || nres.destroyed) return;
  if (res.upgrade !== undefined) {
    writeError(nres, 501, UPGRADE_UNAVAILABLE);
    return;
  }
  const status = res.statusCode;
  let body = res.body;
  // One flat [name, value, …] list for writeHead: Node walks it by index, where an object costs
  // a for-in with own-property checks, and the cookies need no copy of the headers object.
  const own = res.headers;
  const headers: string[] = [];
  for (const name in own) headers.push(name, own[name]!);
  for (const cookie of res.cookies) headers.push('set-cookie', cookie);
  // A streamed body the handler did not read to the end: close the connection rather than
  // read (up to maxContentLength of) the rest to reach the next request.
  if (req.streamed && !req.stream.complete && own.connection === undefined) {
    headers.push('connection', 'close');
  }
  if (NO_BODY_STATUS.has(status) || status < 200) {
    body = null;
  } else if (isStream(body)) {
    // Length unknown: Node sends it chunked.
  } else if (own['content-length'] === undefined) {
    headers.push(
      'content-length',
      String(
        body === null
          ? 0
          : typeof body === 'string'
            ? Buffer.byteLength(body)
            : (body as Uint8Array).byteLength,
      ),
    );
  }
  try {
    nres.writeHead(status, res.statusText, headers);
  } catch (err) {
    app.logError(err, req);
    writeError(nres, 500, 'Internal server error');
    return;
  }
  if (body === null || req.method === 'HEAD') nres.end();
  else if (isStream(body)) void pipeStream(app, req, body, nres);
  else nres.end(body);
}

function isStream(body: Response['body']): body is StreamBody {
  return body !== null && typeof body === 'object' && Symbol.asyncIterator in body;
}

/**
 * Writes a streamed body, waiting for the socket to drain; an error mid-stream cuts the
 * connection. The head goes out at once, so a client waiting for the first piece (a browser's
 * EventSource) knows the response has started. When the client goes away, the body's iterator
 * is closed (`return()`) at once, not when its next piece would have been written, so a
 * producer waiting on something else learns of it too.
 */
async function pipeStream(
  app: MicrodotBase,
  req: Request,
  body: StreamBody,
  nres: ServerResponse,
): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  let gone = false;
  const onClose = () => {
    if (nres.writableFinished) return;
    gone = true;
    iterator.return?.()?.catch(() => {});
  };
  nres.once('close', onClose);
  nres.flushHeaders();
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done) break;
      if (gone || nres.destroyed) return;
      if (!nres.write(step.value)) await drained(nres);
    }
    if (!gone) nres.end();
  } catch (err) {
    if (!gone) app.logError(err, req);
    nres.destroy();
  } finally {
    nres.off('close', onClose);
  }
}

/** Resolves when `nres` can take more, or has closed (a departed client never drains). */
function drained(nres: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      nres.off('drain', done);
      nres.off('close', done);
      resolve();
    };
    nres.on('drain', done);
    nres.on('close', done);
  });
}

/** @internal A plain-text error response, whatever the handler's response was. */
export function writeError(nres: ServerResponse, status: number, text: string): void {
  if (nres.headersSent || nres.destroyed) return;
  // The reason phrase is explicit: a writeHead that threw has left the handler's in
  // `nres.statusMessage`, which Node would reuse (a '500 OK', or a second throw on CR/LF).
  nres.writeHead(status, reasonPhrase(status), {
    'content-type': 'text/plain; charset=UTF-8',
    'content-length': String(text.length),
  });
  nres.end(text);
}

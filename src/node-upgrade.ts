// The `node:http` server's 'upgrade' event: the request is routed and dispatched like any other
// (hooks, wrappers, error handlers), and only a response that carries an `upgrade` function
// takes the connection over. Anything else is written back as a plain HTTP response, and the
// connection is closed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { MicrodotBase } from './app.js';
import { HTTPException } from './http-exception.js';
import { newRequest, requestTarget, send, writeError } from './node-handler.js';
import type { Request } from './request.js';
import type { Response } from './response.js';

/** A listener for the `node:http` server's `'upgrade'` event. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Builds the `'upgrade'` listener of `app`. `signal` aborts when the server shuts down (open
 * WebSockets then close with 1001); `sockets` collects the taken-over connections, so a
 * shutdown that runs out of patience can cut them.
 */
export function createUpgradeHandler(
  app: MicrodotBase,
  signal: AbortSignal = new AbortController().signal,
  sockets?: Set<Duplex>,
): UpgradeHandler {
  return (nreq, socket, head) => {
    // A client that resets the connection must not crash the process.
    socket.on('error', () => socket.destroy());
    // node:http is loaded here, on first use, so that an app served only by `fetch` (Workers)
    // never loads it.
    import('node:http').then(
      (http) => upgrade(app, http, signal, sockets, nreq, socket, head),
      () => socket.destroy(),
    );
  };
}

type Http = typeof import('node:http');

function upgrade(
  app: MicrodotBase,
  http: Http,
  signal: AbortSignal,
  sockets: Set<Duplex> | undefined,
  nreq: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const nres = responseOn(http, nreq, socket);
  const url = requestTarget(nreq.url);
  if (url === undefined) {
    writeError(nres, 400, 'Bad request');
    return;
  }
  if (signal.aborted) {
    writeError(nres, 503, 'Service unavailable');
    return;
  }
  if (nreq.headers['transfer-encoding'] !== undefined) {
    // A chunked body on an upgrade request (never a WebSocket handshake) is not decoded here.
    writeError(nres, 400, 'Bad request');
    return;
  }
  const length = Number(nreq.headers['content-length'] ?? 0);
  if (!(length > 0)) {
    dispatch(app, http, signal, sockets, newRequest(app, nreq, url, undefined), socket, head, nres);
    return;
  }
  // A body on an upgrade request (curl's `Upgrade: h2c` on a POST): Node's parser has let go of
  // the connection, so the body is read here, within the app's limit; the upgrade is ignored.
  if (length > app.maxContentLength) {
    const req = newRequest(app, nreq, url, undefined);
    void app
      .handleError(req, new HTTPException(413, { message: 'Payload too large' }))
      .then((res) => send(app, req, res, nres));
    return;
  }
  const chunks = [head];
  let size = head.length;
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size < length) return;
    socket.off('data', onData);
    const body = Buffer.concat(chunks, size).subarray(0, length);
    const req = newRequest(app, nreq, url, body);
    dispatch(app, http, signal, sockets, req, socket, Buffer.alloc(0), nres);
  };
  if (size >= length) onData(Buffer.alloc(0));
  else socket.on('data', onData);
}

function dispatch(
  app: MicrodotBase,
  http: Http,
  signal: AbortSignal,
  sockets: Set<Duplex> | undefined,
  req: Request,
  socket: Duplex,
  head: Buffer,
  nres: ServerResponse,
): void {
  Promise.resolve(app.dispatch(req)).then(
    (res) => {
      if (res.upgrade === undefined) {
        send(app, req, res, nres);
        return;
      }
      const headers = handshakeHeaders(http, app, req, res);
      if (headers === undefined) {
        writeError(nres, 500, 'Internal server error');
        return;
      }
      nres.detachSocket(socket as Socket);
      sockets?.add(socket);
      socket.once('close', () => sockets?.delete(socket));
      try {
        res.upgrade({ request: nres.req, socket, head, headers, signal });
      } catch (err) {
        app.logError(err, req);
        socket.destroy();
      }
    },
    (err: unknown) => {
      app.logError(err, req);
      writeError(nres, 500, 'Internal server error');
    },
  );
}

const HANDSHAKE_OWN = new Set([
  'connection',
  'upgrade',
  'content-type',
  'content-length',
  'transfer-encoding',
]);

/** A ServerResponse written straight to the raw connection, closed once sent. */
function responseOn(http: Http, nreq: IncomingMessage, socket: Duplex): ServerResponse {
  const nres = new http.ServerResponse(nreq);
  nres.shouldKeepAlive = false;
  nres.assignSocket(socket as Socket);
  nres.once('finish', () => {
    nres.detachSocket(socket as Socket);
    socket.end();
  });
  return nres;
}

/** The response's headers and cookies, for the 101; `undefined` (logged) when one is unsafe. */
function handshakeHeaders(
  http: Http,
  app: MicrodotBase,
  req: Request,
  res: Response,
): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(res.headers)) {
    // The handshake's own headers are the upgrade's to write.
    if (HANDSHAKE_OWN.has(name) || name.startsWith('sec-websocket-')) continue;
    out.push([name, value]);
  }
  for (const cookie of res.cookies) out.push(['set-cookie', cookie]);
  try {
    for (const [name, value] of out) {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    }
  } catch (err) {
    app.logError(err, req);
    return undefined;
  }
  return out;
}

// WebSockets: Microdot's websocket.py (`with_websocket`, `WebSocket`, `WebSocketError`) on Node,
// through the `ws` package (an optional peer). The handshake is an ordinary request until the
// handler's response goes out: hooks, sessions and login checks run first, and a refusal is a
// normal HTTP response.
import { type WebSocket as Peer, WebSocketServer } from 'ws';
import { HTTPException, type NodeUpgrade, type Request, Response, wraps } from '../index.js';
import { WebSocketError } from './errors.js';
import { handshakeProblem } from './handshake.js';
import { keepAlive } from './keep-alive.js';
import { originAllowed } from './origin.js';
import { WebSocket } from './websocket.js';

export { WebSocketError } from './errors.js';
export { type Message, WebSocket } from './websocket.js';

/** Options of {@link withWebSocket}. */
export interface WebSocketOptions {
  /**
   * Largest message accepted, in bytes (Microdot's `max_message_length`); a larger one closes
   * the connection with 1009. Default: the app's `maxBodyLength` (as Microdot's -1 takes
   * `max_body_length`). 0 takes any size: only for trusted clients.
   */
  maxMessageLength?: number;
  /** Milliseconds between pings; a ping unanswered by the next one cuts the connection. Default 30 000; 0 turns it off. */
  pingInterval?: number;
  /**
   * Origins (`https://app.example`) whose pages may open this WebSocket besides the app's own,
   * or `'*'` for any. Default: none, so a cross-site page is refused with 403 (Cross-Site
   * WebSocket Hijacking). Clients that are not browsers send no `Origin` and are let in.
   */
  allowedOrigins?: readonly string[] | '*';
}

/** A WebSocket handler: the request, the connection, then what the route gives (its URL arguments, or a wrapper's own argument first). */
export type WebSocketHandler<A extends unknown[]> = (
  req: Request,
  ws: WebSocket,
  ...args: A
) => unknown;

const KNOWN = new Set(['maxMessageLength', 'pingInterval', 'allowedOrigins']);

/**
 * Makes a route a WebSocket endpoint (Microdot's `with_websocket`). The handshake is checked
 * (400 when it is not one, 403 for a cross-site page), the app's hooks and any wrappers
 * (`withSession`, a login check) run as for any request, and only then is the connection
 * upgraded and `handler(req, ws, ...args)` called. When it returns, the connection is closed
 * (1000); when it throws, the error is logged and the code is 1011; a {@link WebSocketError}
 * (the peer left) ends it quietly. `app.shutdown()` closes open sockets with 1001.
 *
 * Works with `app.startServer()` (or your own `node:http` server given `app.upgradeHandler`)
 * and the test client; `app.fetch` answers 501 (see the README for Bun and Deno).
 *
 * @example
 * ```ts
 * app.get('/echo', withWebSocket(async (req, ws) => {
 *   for (;;) await ws.send(await ws.receive());
 * }, { maxMessageLength: 64 * 1024 }));
 * app.get('/chat', withSession(withWebSocket(async (req, ws, session) => {
 *   await ws.send(`hello ${session.user}`);
 * })));
 * ```
 */
export function withWebSocket<A extends unknown[] = [Record<string, unknown>]>(
  handler: WebSocketHandler<A>,
  options: WebSocketOptions = {},
): (req: Request, ...args: A) => Response {
  const { maxMessageLength, pingInterval, allowedOrigins } = checkOptions(options);
  const servers = new Map<number, Acceptor>();
  const route = (req: Request, ...args: A): Response => {
    const problem = handshakeProblem(req);
    if (problem !== undefined) throw new HTTPException(400, { message: `Bad request: ${problem}` });
    const facts = {
      secFetchSite: req.header('sec-fetch-site'),
      origin: req.header('origin'),
      host: req.header('host'),
    };
    if (!originAllowed(facts, allowedOrigins)) {
      throw new HTTPException(403, { message: 'Forbidden: cross-site WebSocket' });
    }
    const maxPayload = maxMessageLength ?? req.app.maxBodyLength;
    let acceptor = servers.get(maxPayload);
    if (acceptor === undefined) {
      acceptor = new Acceptor(maxPayload);
      servers.set(maxPayload, acceptor);
    }
    const accept = acceptor;
    const res = new Response(null, 101);
    res.upgrade = (conn) =>
      accept.accept(conn, (ws, peer) => {
        keepAlive(peer, pingInterval);
        void run(handler, req, ws, args, conn);
      });
    return res;
  };
  return wraps(route, handler);
}

/** One `ws` server (no port of its own) per message limit; it completes handshakes. */
class Acceptor {
  readonly #wss: WebSocketServer;
  readonly #extra = new WeakMap<object, readonly (readonly [string, string])[]>();

  constructor(maxPayload: number) {
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload,
      clientTracking: false,
      perMessageDeflate: false,
    });
    // The headers (and cookies) the app's hooks set go out with the 101.
    this.#wss.on('headers', (headers, request) => {
      const extra = this.#extra.get(request);
      if (extra === undefined) return;
      this.#extra.delete(request);
      for (const [name, value] of extra) headers.push(`${name}: ${value}`);
    });
  }

  accept(conn: NodeUpgrade, then: (ws: WebSocket, peer: Peer) => void): void {
    this.#extra.set(conn.request, conn.headers);
    this.#wss.handleUpgrade(conn.request, conn.socket, conn.head, (peer) => {
      then(new WebSocket(peer), peer);
    });
  }
}

async function run<A extends unknown[]>(
  handler: WebSocketHandler<A>,
  req: Request,
  ws: WebSocket,
  args: A,
  conn: NodeUpgrade,
): Promise<void> {
  const shutdown = () => void ws.close(1001, 'Server shutting down');
  if (conn.signal.aborted) shutdown();
  else conn.signal.addEventListener('abort', shutdown, { once: true });
  void ws.done.then(() => conn.signal.removeEventListener('abort', shutdown));
  let code = 1000;
  let reason = '';
  try {
    await handler(req, ws, ...args);
  } catch (err) {
    if (!(err instanceof WebSocketError)) {
      req.app.logError(err, req);
      code = 1011;
      reason = 'Internal error';
    }
  }
  await ws.close(code, reason);
}

function checkOptions(options: WebSocketOptions): {
  maxMessageLength: number | undefined;
  pingInterval: number;
  allowedOrigins: readonly string[] | '*';
} {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(
        `withWebSocket: unknown option '${key}'; known: ${[...KNOWN].join(', ')}`,
      );
    }
  }
  const { maxMessageLength, pingInterval = 30_000, allowedOrigins = [] } = options;
  if (
    maxMessageLength !== undefined &&
    !(Number.isSafeInteger(maxMessageLength) && maxMessageLength >= 0)
  ) {
    throw new TypeError(
      'withWebSocket: maxMessageLength must be a number of bytes (0: no limit), for example 65536',
    );
  }
  if (!(Number.isSafeInteger(pingInterval) && pingInterval >= 0 && pingInterval <= 2 ** 31 - 1)) {
    throw new TypeError(
      'withWebSocket: pingInterval must be a number of milliseconds (0: off), for example 30000',
    );
  }
  if (allowedOrigins !== '*') {
    if (!Array.isArray(allowedOrigins)) {
      throw new TypeError("withWebSocket: allowedOrigins must be a list of origins or '*'");
    }
    for (const origin of allowedOrigins) {
      let ok = origin === 'null';
      try {
        ok ||= new URL(origin).origin === origin;
      } catch {}
      if (!ok) {
        throw new TypeError(
          `withWebSocket: '${origin}' is not an origin; write it as scheme://host[:port], for example https://app.example`,
        );
      }
    }
  }
  return { maxMessageLength, pingInterval, allowedOrigins };
}

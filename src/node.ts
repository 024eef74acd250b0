import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { MicrodotBase } from './app.js';
import { createNodeHandler } from './node-handler.js';
import { createUpgradeHandler } from './node-upgrade.js';
import { ServerStartError } from './start-error.js';

/** Options of `Microdot.startServer`. */
export interface ServerOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port (default 5000 for `run`, 0 — a free one — for `startServer`). */
  port?: number;
  /** Milliseconds a client may take to send its headers (default 10 000). */
  headersTimeout?: number;
  /** Milliseconds a client may take to send a whole request (default 30 000). */
  requestTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open (default 5 000). */
  keepAliveTimeout?: number;
}

/** A running server. */
export interface RunningServer {
  /** The address it listens on. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting connections and resolves once in-flight requests are done. */
  close(): Promise<void>;
}

/** How long a graceful shutdown waits for in-flight requests before closing their sockets. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Starts a `node:http` server for `app` (see `Microdot.startServer`); `onClose` runs once it
 * has closed.
 */
export async function startServer(
  app: MicrodotBase,
  options: ServerOptions,
  onClose?: (server: RunningServer) => void,
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const requested = options.port ?? 0;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    throw new ServerStartError('ERR_INVALID_PORT', host, requested);
  }
  // Extensions refuse here a configuration that would fail on the first request (a Session
  // without a secret key, …), before anything listens.
  await app.checkStartup();
  const handler = createNodeHandler(app);
  const headersTimeout = options.headersTimeout ?? 10_000;
  const requestTimeout = options.requestTimeout ?? 30_000;
  // Node enforces both timeouts only when it checks its connections, every 30 s by default: a
  // stalled or slowloris client could hold a socket that long past them. Check often enough.
  const shortest = Math.min(headersTimeout || Infinity, requestTimeout || Infinity);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: options.keepAliveTimeout ?? 5_000,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(shortest / 4))),
    },
    handler,
  );
  // `Expect: 100-continue`: Node would send 100 Continue before the handler runs, inviting a body
  // that is over the limit and about to get a 413. Invite it only when it may be read.
  server.on('checkContinue', (req, res) => {
    const declared = req.headers['content-length'];
    if (declared === undefined || !(Number(declared) > app.maxContentLength)) res.writeContinue();
    handler(req, res);
  });
  // WebSocket handshakes (and any other Upgrade request) are dispatched like other requests;
  // `shutdown` tells the connections they took over that the server is going away.
  const shutdown = new AbortController();
  const upgraded = new Set<Duplex>();
  server.on('upgrade', createUpgradeHandler(app, shutdown.signal, upgraded));
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      reject(new ServerStartError(err.code ?? 'ERR_LISTEN', host, requested, { cause: err }));
    };
    server.once('error', failed);
    server.listen(requested, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const running: RunningServer = {
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of upgraded) socket.destroy();
        }, SHUTDOWN_GRACE_MS);
        timer.unref();
        shutdown.abort();
        server.close(() => {
          clearTimeout(timer);
          onClose?.(running);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
  return running;
}

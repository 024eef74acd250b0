import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Microdot, RunningServer, ServerOptions } from './app.js';

/** How long a graceful shutdown waits for in-flight requests before closing their sockets. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Starts a `node:http` server for `app` (see `Microdot.startServer`). */
export async function startServer(app: Microdot, options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(
    {
      headersTimeout: options.headersTimeout ?? 10_000,
      requestTimeout: options.requestTimeout ?? 30_000,
      keepAliveTimeout: options.keepAliveTimeout ?? 5_000,
    },
    app.handler,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
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
        const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          app.servers.delete(running);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
  app.servers.add(running);
  return running;
}

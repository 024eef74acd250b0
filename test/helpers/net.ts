// Sockets for store tests: a free port, and a TCP proxy to cut and restore, so that a test can
// take a shared service (Redis, PostgreSQL) away from one client without stopping it.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP port nobody listens on (right now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP proxy on 127.0.0.1 (port 0) to `targetPort`, see {@link startTcpProxy}. */
export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and resets new ones until {@link restore}. */
  cut(): void;
  /** Forwards new connections again. */
  restore(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a proxy that forwards each connection to `127.0.0.1:targetPort`. While cut, the service
 * looks down to whoever connects through it: open connections break, new ones are reset.
 * `onClientData` sees each chunk a client sends, as the proxy reads it.
 */
export async function startTcpProxy(
  targetPort: number,
  onClientData?: (chunk: Buffer) => void,
): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => {}); // a reset peer is what this proxy is for
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    if (onClientData) client.on('data', onClientData);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dropAll = () => {
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      cut = true;
      dropAll();
    },
    restore() {
      cut = false;
    },
    async close() {
      dropAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

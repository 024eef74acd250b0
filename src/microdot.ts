import { MicrodotBase } from './app.js';
import type { RunningServer, ServerOptions } from './node.js';
import { createNodeHandler, type NodeHandler } from './node-handler.js';
import { createUpgradeHandler, type UpgradeHandler } from './node-upgrade.js';

/**
 * A Microdot application: routes, hooks and error handlers ({@link MicrodotBase}), served by
 * `node:http` ({@link Microdot.startServer}, {@link Microdot.handler}) or by any runtime with
 * the Web `fetch` API ({@link Microdot.fetch}). The server adapters are loaded on first use,
 * so a Workers bundle that only calls `fetch` never loads `node:http`.
 *
 * @example
 * ```ts
 * import { Microdot } from 'microdot-ts';
 *
 * const app = new Microdot();
 * app.get('/', () => 'Hello, World!');
 * app.get('/users/<int:id>', (req, { id }) => ({ id }));
 * await app.startServer({ port: 5000 });
 * ```
 */
export class Microdot extends MicrodotBase {
  #nodeHandler: NodeHandler | undefined;
  #upgradeHandler: UpgradeHandler | undefined;
  readonly #servers = new Set<RunningServer>();

  /**
   * A `node:http` request listener for this app, for `http.createServer(app.handler)`.
   * Reads the body (up to {@link MicrodotBase.maxContentLength}), dispatches, and writes the
   * response.
   */
  get handler(): NodeHandler {
    this.#nodeHandler ??= createNodeHandler(this);
    return this.#nodeHandler;
  }

  /**
   * A listener for a `node:http` server's `'upgrade'` event, for WebSocket routes on a server of
   * your own (`app.startServer` wires it itself). Upgrade requests are dispatched like others;
   * a WebSocket route takes the connection over, anything else is answered and closed.
   *
   * @example
   * ```ts
   * const server = http.createServer(app.handler);
   * server.on('upgrade', app.upgradeHandler);
   * ```
   */
  get upgradeHandler(): UpgradeHandler {
    this.#upgradeHandler ??= createUpgradeHandler(this);
    return this.#upgradeHandler;
  }

  /**
   * Starts a `node:http` server; resolves once it listens. Port 0 picks a free port.
   *
   * @example
   * ```ts
   * const server = await app.startServer({ host: '127.0.0.1', port: 0 });
   * console.log(`listening on ${server.port}`);
   * await server.close();
   * ```
   */
  async startServer(options: ServerOptions = {}): Promise<RunningServer> {
    const { startServer } = await import('./node.js');
    const server = await startServer(this, options, (closed) => this.#servers.delete(closed));
    this.#servers.add(server);
    return server;
  }

  /**
   * Starts a `node:http` server and logs where it listens (Microdot's `app.run`). Stops on
   * SIGINT/SIGTERM after in-flight requests finish.
   */
  async run(options: ServerOptions = {}): Promise<RunningServer> {
    const server = await this.startServer({ port: 5000, ...options });
    console.log(`Listening on http://${server.host}:${server.port}`);
    const stop = () => void this.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return server;
  }

  /** Stops every server started by this app, letting in-flight requests finish. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#servers].map((s) => s.close()));
  }

  /**
   * Serves a Web-standard `Request` and resolves to a Web-standard `Response`, so the same app
   * runs on Bun, Deno and Workers (`export default { fetch: app.fetch }`).
   */
  fetch = async (
    request: globalThis.Request,
    info: { clientAddr?: string } = {},
  ): Promise<globalThis.Response> => {
    const { handleFetch } = await import('./fetch.js');
    return handleFetch(this, request, info);
  };
}

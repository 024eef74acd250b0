// The one hook the core offers for protocols that take over the connection (WebSockets): a
// response may carry an `upgrade` function, which the node:http adapter calls with the raw
// connection once routing, hooks and wrappers have all run, instead of sending the response.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The raw connection of an HTTP Upgrade request, as the `node:http` adapter hands it over. */
export interface NodeUpgrade {
  /** Node's request: method, URL and headers (its body is not read). */
  readonly request: IncomingMessage;
  /** The connection, now the upgrade's to use. */
  readonly socket: Duplex;
  /** Bytes the client sent after the request head, to be read before the socket's. */
  readonly head: Buffer;
  /**
   * The headers and cookies the app put on the response (hooks, sessions), checked for CR/LF
   * and bad names, as `[name, value]` pairs: send them with the `101 Switching Protocols`.
   */
  readonly headers: readonly (readonly [string, string])[];
  /** Aborted when the server shuts down: close the connection then (WebSocket code 1001). */
  readonly signal: AbortSignal;
}

/**
 * Takes over the connection of an upgraded request (see {@link NodeUpgrade}). Set as
 * `Response.upgrade` by extensions such as `microdot-ts/websocket`.
 */
export type UpgradeFunction = (conn: NodeUpgrade) => void;

/** What adapters answer (501) to a response they cannot hand a connection to. */
export const UPGRADE_UNAVAILABLE =
  "This route upgrades to a WebSocket, which needs node:http: app.startServer(), or your own server's 'upgrade' event given to app.upgradeHandler";

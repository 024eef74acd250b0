// RedisStore's connection through ioredis: the client it makes (tuned to fail fast) or is given,
// and the one way every command goes out: once the client is connected, with "Redis can't
// answer" turned into StoreUnavailableError. Scripts go out by their SHA1.
import { type Cluster, Redis } from 'ioredis';
import { mapRejection } from '../internal/map-rejection.js';
import { type RedisLink, readyWithin, unavailable, unavailableOrSame } from './redis-link.js';
import { SCRIPTS, type ScriptName, SHAS } from './redis-scripts.js';

/**
 * The ioredis client of a RedisStore and how it is called. Made with the client you passed, or
 * with a new one for `url` (closed by {@link RedisConnection.close}).
 *
 * @internal
 */
export class RedisConnection implements RedisLink {
  readonly client: Redis | Cluster;
  readonly #ownsClient: boolean;
  readonly #timeout: number;
  #lastError: unknown;
  #connecting: Promise<void> | undefined;

  constructor(client: Redis | Cluster | undefined, url: string, timeout: number) {
    this.#timeout = timeout;
    if (client) {
      this.client = client;
      this.#ownsClient = false;
    } else {
      this.client = new Redis(url, {
        enableOfflineQueue: false,
        // A command whose caller already got an error must not land later, after a reconnect:
        // the caller answered 503, so the write must not happen behind its back.
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * times, 1000),
        connectTimeout: timeout,
        commandTimeout: timeout,
        // The commands of every request in flight that are issued in the same tick go out in
        // one write: under load that is one syscall (on each side) for many requests instead of
        // one per command. Order on the connection is kept, so a script sent after another
        // still runs after it.
        enableAutoPipelining: true,
      });
      this.#ownsClient = true;
    }
    // Errors reach callers as rejections; keep the last one for their message (and keep ioredis
    // from logging "Unhandled error event" for every failed reconnection).
    this.client.on('error', (error: unknown) => {
      this.#lastError = error;
    });
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.#call(() => this.client.hgetall(key));
  }

  command([name, ...args]: string[]): Promise<unknown> {
    return this.#call(() => this.client.call(name!, ...args));
  }

  async unlinkMatching(pattern: string): Promise<void> {
    const client = this.client;
    // Every master: the nodes of a cluster that hold keys, or the one server.
    const nodes =
      'nodes' in client && client.isCluster ? client.nodes('master') : [client as Redis];
    await this.#call(async () => {
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          // One key per command: keys of different slots may never share one (Redis Cluster).
          await Promise.all(keys.map((key) => node.unlink(key)));
          cursor = next;
        } while (cursor !== '0');
      }
    });
  }

  /** Runs a script by its SHA1, sending its source only when Redis doesn't know it yet. */
  script(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    return this.#call(() =>
      this.client.evalsha(SHAS[name], keys.length, ...keys, ...args).then(undefined, (error) => {
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return this.client.eval(SCRIPTS[name], keys.length, ...keys, ...args);
      }),
    );
  }

  /** Runs a command once the client is connected; "Redis can't answer" becomes StoreUnavailableError. */
  #call<T>(command: () => Promise<T>): Promise<T> {
    // Connected (nearly always): no wait, and no async frame, on every command of every request.
    if (this.client.status !== 'ready') return this.#callWhenConnected(command);
    return mapRejection(command, rethrowUnavailable);
  }

  async #callWhenConnected<T>(command: () => Promise<T>): Promise<T> {
    try {
      await this.#connected();
      return await command();
    } catch (error) {
      throw unavailableOrSame(error, isReply);
    }
  }

  /** Closes the connection if it made the client; a client you passed stays open. */
  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }

  /**
   * Resolves when the client is ready. While a connection attempt is under way it waits (at most
   * `timeout` ms); between attempts, or once closed, it rejects at once: no call hangs on a dead
   * Redis, and none fails just because the store was made a moment ago.
   */
  async #connected(): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') return;
    if (client.status === 'wait') client.connect().catch(() => {});
    if (!['wait', 'connecting', 'connect'].includes(client.status)) {
      throw this.#unavailable(`connection is ${client.status}`);
    }
    // One wait (and one set of listeners) shared by every call made during the attempt.
    this.#connecting ??= readyWithin(
      client,
      'close',
      () => this.#lastError ?? new Error('connection closed'),
      this.#timeout,
      () => {
        this.#connecting = undefined;
      },
    );
    await this.#connecting;
  }

  #unavailable(what: string, cause: unknown = this.#lastError) {
    return unavailable(what, cause);
  }
}

/** An error Redis replied (ioredis names it ReplyError), not a failure to reach it. */
const isReply = (error: Error) => error.name === 'ReplyError';

function rethrowUnavailable(error: unknown): never {
  throw unavailableOrSame(error, isReply);
}

// RedisStore's connection through node-redis (`redis` on npm, v5): a client you made, connect
// and close yourself. Commands go out as plain sendCommand calls (no command-object layer), each
// bounded by the store's timeout (redis-deadlines.ts), once the client is ready, with "Redis
// can't answer" turned into StoreUnavailableError. Scripts go out by their SHA1.
import type { RedisClientType } from 'redis';
import { Deadlines } from './redis-deadlines.js';
import { type RedisLink, readyWithin, unavailable, unavailableOrSame } from './redis-link.js';
import { SCRIPTS, type ScriptName, SHAS } from './redis-scripts.js';

/**
 * A node-redis v5 client for one Redis server, as `createClient(…)` makes it, whatever its
 * modules, scripts, RESP version or type mapping: what {@link RedisStore} accepts as `client`
 * besides an ioredis one. Give it `disableOfflineQueue: true`, and connect it yourself.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const client: NodeRedisClient = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * await client.connect();
 * const store = new RedisStore({ client, prefix: 'myapp:' });
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: any modules, functions, scripts, RESP and type mapping
export type NodeRedisClient = RedisClientType<any, any, any, any, any>;

/** The part of a node-redis client this file uses. */
interface Client {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  readonly options?: { disableOfflineQueue?: boolean };
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  on(event: string, listener: (error?: unknown) => void): unknown;
  off(event: string, listener: (error?: unknown) => void): unknown;
}

/** Whether `client` looks like a node-redis client: not ioredis (`status`), not a cluster. */
export function isNodeRedisClient(client: object): client is NodeRedisClient {
  return 'isReady' in client && 'sendCommand' in client && !('status' in client);
}

/**
 * The node-redis client of a RedisStore and how it is called.
 *
 * @internal
 */
export class NodeRedisConnection implements RedisLink {
  readonly #client: Client;
  readonly #timeout: number;
  readonly #deadlines: Deadlines;
  #lastError: unknown;
  /** The last attempt to connect failed and no other is under way: calls reject at once. */
  #down = false;
  #connecting: Promise<void> | undefined;
  readonly #onError = (error: unknown) => {
    // Kept for the callers' messages (and so that node-redis, which throws an 'error' event
    // nobody listens to, does not bring the process down while Redis is away).
    this.#lastError = error;
    this.#down = true;
  };
  readonly #onAttempt = () => {
    this.#down = false;
  };

  constructor(client: NodeRedisClient, timeout: number) {
    const c = client as unknown as Client;
    if (c.options?.disableOfflineQueue !== true) {
      throw new TypeError(
        'RedisStore: give the node-redis client `disableOfflineQueue: true` ' +
          '(createClient({ url, disableOfflineQueue: true })): without it, commands sent while ' +
          'Redis is away wait in a queue, and may run after their caller was told they failed',
      );
    }
    this.#client = c;
    this.#timeout = timeout;
    this.#deadlines = new Deadlines(timeout, () =>
      unavailable(`no reply within ${timeout} ms`, undefined),
    );
    c.on('error', this.#onError);
    c.on('reconnecting', this.#onAttempt);
    c.on('ready', this.#onAttempt);
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.#send(['HGETALL', key]).then(toRecord);
  }

  script(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    const rest = [String(keys.length), ...keys, ...args];
    return this.#call((signal) =>
      this.#client
        .sendCommand(['EVALSHA', SHAS[name], ...rest], { abortSignal: signal })
        .then(undefined, (error: unknown) => {
          if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
          return this.#client.sendCommand(['EVAL', SCRIPTS[name], ...rest], {
            abortSignal: signal,
          });
        }),
    );
  }

  command(args: string[]): Promise<unknown> {
    return this.#send(args);
  }

  async unlinkMatching(pattern: string): Promise<void> {
    let cursor = '0';
    do {
      const reply = await this.#send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000']);
      const [next, keys] = reply as [string, string[]];
      await Promise.all(keys.map((key) => this.#send(['UNLINK', key])));
      cursor = next;
    } while (cursor !== '0');
  }

  /** Leaves the client (yours) open; stops listening to it. */
  async close(): Promise<void> {
    this.#deadlines.stop(unavailable('the store is closed', undefined));
    this.#client.off('error', this.#onError);
    this.#client.off('reconnecting', this.#onAttempt);
    this.#client.off('ready', this.#onAttempt);
  }

  #send(args: string[]): Promise<unknown> {
    return this.#call((signal) => this.#client.sendCommand(args, { abortSignal: signal }));
  }

  /** Sends once the client is ready, within the timeout; "can't answer" becomes StoreUnavailableError. */
  #call<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // Ready (nearly always): no wait, and no async frame, on every command of every request.
    const sent = this.#client.isReady ? this.#deadlines.bound(send) : this.#whenReady(send);
    return sent.then(undefined, rethrowUnavailable);
  }

  async #whenReady<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    await this.#ready();
    return this.#deadlines.bound(send);
  }

  /**
   * Resolves when the client is ready. While a connection attempt is under way it waits (at most
   * `timeout` ms); between attempts, or when the client is not open, it rejects at once.
   */
  async #ready(): Promise<void> {
    const client = this.#client;
    if (client.isReady) return;
    if (!client.isOpen) {
      throw unavailable(
        'the node-redis client is not open (call `await client.connect()`)',
        this.#lastError,
      );
    }
    if (this.#down) throw unavailable('cannot connect', this.#lastError);
    // One wait (and one set of listeners) shared by every call made during the attempt.
    this.#connecting ??= readyWithin(
      client,
      'end',
      () => new Error('client closed'),
      this.#timeout,
      () => {
        this.#connecting = undefined;
      },
    );
    await this.#connecting;
  }
}

/** An error Redis replied (node-redis's ErrorReply and its subclasses), not a failure to reach it. */
const isReply = (error: Error) =>
  ['ErrorReply', 'SimpleError', 'BlobError'].includes(error.constructor.name);

function rethrowUnavailable(error: unknown): never {
  throw unavailableOrSame(error, isReply);
}

/** HGETALL's reply as a record: RESP2 gives [field, value, …], RESP3 a map (object or Map). */
function toRecord(reply: unknown): Record<string, string> {
  if (Array.isArray(reply)) {
    const record: Record<string, string> = {};
    for (let i = 0; i < reply.length; i += 2) {
      const field = String(reply[i]);
      const value = String(reply[i + 1]);
      // An own key, never the prototype (a field may be called __proto__).
      if (field === '__proto__') Object.defineProperty(record, field, { value, ...OWN });
      else record[field] = value;
    }
    return record;
  }
  if (reply instanceof Map) return toRecord([...reply].flat());
  return reply as Record<string, string>;
}

/** The attributes of a plain data property. */
const OWN = { enumerable: true, writable: true, configurable: true } as const;

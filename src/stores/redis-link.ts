// What RedisStore asks of a Redis connection, whatever the client library behind it (ioredis in
// redis-connection.ts, node-redis in node-redis-connection.ts), and how both turn "Redis can't
// answer" into StoreUnavailableError.
import type { ScriptName } from './redis-scripts.js';
import { StoreUnavailableError } from './store.js';

/**
 * The commands RedisStore sends. Every call rejects with {@link StoreUnavailableError} when Redis
 * cannot answer (down, unreachable, no reply within the store's `timeout`, or a "not now" reply
 * such as LOADING), and with the client's own error for a bad command (WRONGTYPE…).
 *
 * @internal
 */
export interface RedisLink {
  /** The fields of hash `key` (none when it does not exist). */
  hgetall(key: string): Promise<Record<string, string>>;
  /** Runs script `name` by its SHA1, sending its text only when Redis answers NOSCRIPT. */
  script(name: ScriptName, keys: string[], args: string[]): Promise<unknown>;
  /** One single-key command, e.g. `['ZRANGE', key, '0', '-1']`: its reply as RESP2 gives it. */
  command(args: string[]): Promise<unknown>;
  /** UNLINKs, key by key, every key that matches `pattern` (SCAN MATCH) on every master. */
  unlinkMatching(pattern: string): Promise<void>;
  /** Closes the connection if the store made the client; a client you passed stays open. */
  close(): Promise<void>;
}

/** Redis replies that mean "not now" (server loading, failing over…) rather than a bad command. */
const UNAVAILABLE_REPLY =
  /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|MISCONF)\b/;

/**
 * `error`, or, when it means Redis cannot answer, a {@link StoreUnavailableError} for it.
 * `isReply` tells a reply of the server (an error Redis sent) from a client-side failure.
 */
export function unavailableOrSame(error: unknown, isReply: (error: Error) => boolean): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (error instanceof Error && isReply(error) && !UNAVAILABLE_REPLY.test(error.message)) {
    return error;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`Redis session store is unavailable: ${reason}`, {
    cause: error,
  });
}

/** A {@link StoreUnavailableError} saying `what`, and why when `cause` is an error. */
export function unavailable(what: string, cause: unknown): StoreUnavailableError {
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return new StoreUnavailableError(`Redis session store is unavailable: ${what}${reason}`, {
    cause,
  });
}

/** The part of either client's event emitter that {@link readyWithin} uses. */
interface Emitter {
  on(event: string, listener: (error?: unknown) => void): unknown;
  off(event: string, listener: (error?: unknown) => void): unknown;
}

/**
 * Resolves at the client's next `ready`; rejects with a {@link StoreUnavailableError} at its next
 * `error`, at `closeEvent` (with `closed()` as the cause), or after `timeout` ms. `settled` runs
 * first, as soon as the attempt is over either way (so the caller stops sharing this wait).
 */
export function readyWithin(
  client: Emitter,
  closeEvent: string,
  closed: () => unknown,
  timeout: number,
  settled: () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', done);
      client.off(closeEvent, onClose);
      settled();
      if (error === undefined) resolve();
      else reject(unavailable('could not connect', error));
    };
    const onReady = () => done();
    const onClose = () => done(closed());
    const timer = setTimeout(() => done(new Error(`no connection after ${timeout} ms`)), timeout);
    client.on('ready', onReady);
    client.on('error', done);
    client.on(closeEvent, onClose);
  });
}

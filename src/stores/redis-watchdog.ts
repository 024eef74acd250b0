// RedisStore's reply timeout for a client it makes: one timer for the connection instead of one
// per command (ioredis's `commandTimeout` starts and clears a timer for every command; with two
// commands per request that was ~7% of a store-mode request's CPU time).
import type { Redis } from 'ioredis';

/**
 * Watches one connection: when calls are waiting and no byte has come from Redis for `timeout`
 * ms, Redis has stopped answering (a server that hangs, a network that drops packets), so the
 * connection is closed, which rejects every command waiting on it, and made again; calls wait
 * for the new one as for the first (at most `timeout`).
 *
 * Redis answers in order on a connection, so "nothing came for `timeout` ms while a call was
 * waiting" means the oldest waiting call has waited at least that long: the same bound as a
 * timer per command, checked every `timeout / 4` ms.
 *
 * @internal
 */
export class ReplyWatchdog {
  readonly #client: Redis;
  readonly #timeout: number;
  readonly #timer: NodeJS.Timeout;
  /** Calls sent and not yet settled. */
  #waiting = 0;
  /** When a byte last came from Redis, or a call was sent while none was waiting. */
  #progressAt = 0;

  constructor(client: Redis, timeout: number) {
    this.#client = client;
    this.#timeout = timeout;
    const onData = () => {
      this.#progressAt = performance.now();
    };
    // Each connection (the first, and every reconnection) gets its own socket.
    client.on('ready', () => client.stream.on('data', onData));
    this.#timer = setInterval(() => this.#check(), Math.max(10, Math.floor(timeout / 4)));
    this.#timer.unref();
  }

  /** A call was sent. */
  sent(): void {
    if (this.#waiting++ === 0) this.#progressAt = performance.now();
  }

  /** A call settled (answered, or rejected). */
  settled(): void {
    this.#waiting--;
  }

  /** Stops watching (the store is closing). */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  #stopped = false;

  #check(): void {
    if (this.#waiting === 0 || performance.now() - this.#progressAt < this.#timeout) return;
    this.#progressAt = performance.now(); // one reconnection per silence
    const client = this.#client;
    // Closed on purpose, ioredis rejects every command waiting on the connection ("Connection
    // is closed."); left to its reconnection logic it would keep them for the next one. Then a
    // new connection: calls wait for it (at most `timeout`) as for the first.
    client.once('end', () => {
      if (!this.#stopped) client.connect().catch(() => {});
    });
    client.disconnect(false);
    // disconnect() ends the socket politely, and a silent server never closes its side: destroy
    // it, so that the commands are rejected now.
    client.stream?.destroy();
  }
}

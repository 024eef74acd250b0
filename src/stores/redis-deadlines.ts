// The store's `timeout` for node-redis commands, at the price of a few allocations per command.
// node-redis bounds a command only while it waits to be written (its `timeout` option: one
// AbortSignal.timeout each, about 10 µs per command, measured), never once it is on the wire.
// Here one timer ticks eight times per `timeout` while commands are in flight: commands sent
// between two ticks share one AbortController, aborted (which drops from node-redis's queue those
// not written yet, so they never go out later) and rejected together once `timeout` has passed.
import { setMaxListeners } from 'node:events';
import { clearTimeout, setTimeout } from 'node:timers';

/** Ticks per timeout: a command waits between `timeout` and 1.125 × `timeout` ms. */
const TICKS = 8;

/** A command in flight, see {@link Deadlines.bound}. */
interface InFlight {
  readonly tick: number;
  done: boolean;
  readonly reject: (error: unknown) => void;
}

/**
 * Bounds the commands of one connection by `timeout` ms.
 *
 * @internal
 */
export class Deadlines {
  readonly #every: number;
  readonly #expired: () => Error;
  /** Ticks since the timer (re)started; commands sent now belong to this one. */
  #tick = 0;
  #inFlight: InFlight[] = [];
  /** The controller of the commands sent during each tick not yet expired. */
  readonly #controllers = new Map<number, AbortController>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `expired()` makes the error of a command that got no answer in `timeout` ms. */
  constructor(timeout: number, expired: () => Error) {
    this.#every = Math.max(1, Math.ceil(timeout / TICKS));
    this.#expired = expired;
  }

  /**
   * `send(signal)`, rejected with `expired()` if it has not settled `timeout` ms from now, when
   * `signal` aborts too (a command given `signal` and still unwritten is then dropped).
   */
  bound<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let controller = this.#controllers.get(this.#tick);
    if (controller === undefined) {
      controller = new AbortController();
      // Every command waiting to be written listens to it: there may be hundreds.
      setMaxListeners(0, controller.signal);
      this.#controllers.set(this.#tick, controller);
    }
    this.#timer ??= setTimeout(() => this.#onTick(), this.#every).unref();
    const { signal } = controller;
    return new Promise<T>((resolve, reject) => {
      const entry: InFlight = { tick: this.#tick, done: false, reject };
      this.#inFlight.push(entry);
      send(signal).then(
        (value) => {
          entry.done = true;
          resolve(value);
        },
        (error: unknown) => {
          entry.done = true;
          reject(error);
        },
      );
    });
  }

  /** Stops the timer, rejecting what is still in flight with `error`. */
  stop(error: Error): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const entry of this.#inFlight) if (!entry.done) entry.reject(error);
    for (const controller of this.#controllers.values()) controller.abort(error);
    this.#inFlight = [];
    this.#controllers.clear();
    this.#tick = 0;
  }

  #onTick(): void {
    this.#tick++;
    // Sent during tick `last` or before: at least TICKS × every ≥ timeout ms ago.
    const last = this.#tick - TICKS - 1;
    let error: Error | undefined;
    let i = 0;
    for (; i < this.#inFlight.length; i++) {
      const entry = this.#inFlight[i]!;
      if (entry.tick > last && !entry.done) break;
      if (!entry.done) {
        entry.done = true;
        error ??= this.#expired();
        entry.reject(error);
      }
    }
    this.#inFlight = i === this.#inFlight.length ? [] : this.#inFlight.slice(i);
    for (const [tick, controller] of this.#controllers) {
      if (tick > last) break;
      controller.abort(error ?? this.#expired());
      this.#controllers.delete(tick);
    }
    if (this.#inFlight.length === 0) {
      // Idle: the next command starts the count again.
      this.#timer = undefined;
      this.#tick = 0;
      this.#controllers.clear();
    } else {
      this.#timer = setTimeout(() => this.#onTick(), this.#every).unref();
    }
  }
}

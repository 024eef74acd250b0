import type { WebSocket as Peer, RawData } from 'ws';
import { WebSocketError } from './errors.js';

/** A message as the handler receives it: text as a string, binary as bytes. */
export type Message = string | Uint8Array;

/** Messages held for a handler that is not reading, before the socket stops reading. */
const HIGH_WATER = 16;
/** Bytes waiting to be written past which `send` waits for its message to be written. */
const SEND_HIGH_WATER = 64 * 1024;

interface Receiver {
  resolve: (message: Message) => void;
  reject: (err: WebSocketError) => void;
}

/**
 * One WebSocket connection, as the handler sees it (Microdot's `WebSocket`): `receive`, `send`
 * and `close`. When the peer closes (or the connection drops), `receive` and `send` reject with
 * {@link WebSocketError}.
 *
 * @example
 * ```ts
 * app.get('/echo', withWebSocket(async (req, ws) => {
 *   for (;;) await ws.send(await ws.receive());
 * }));
 * ```
 */
export class WebSocket {
  readonly #peer: Peer;
  readonly #queue: Message[] = [];
  readonly #receivers: Receiver[] = [];
  #closedWith: WebSocketError | undefined;
  #paused = false;
  readonly #closed: Promise<WebSocketError>;

  /** @internal Made by `withWebSocket` once the upgrade is done. */
  constructor(peer: Peer) {
    this.#peer = peer;
    peer.on('message', (data, isBinary) => this.#push(data, isBinary));
    let failure: { code: number; reason: string } | undefined;
    this.#closed = new Promise((resolve) => {
      peer.once('close', (code, reason) => {
        // After a protocol error ws closes with its own code (1009 for a message over the
        // limit) and stops reading, so the peer's reply never arrives and 'close' says 1006.
        const err =
          code === 1006 && failure !== undefined
            ? new WebSocketError(failure.code, failure.reason)
            : new WebSocketError(code, reason.toString('utf8'));
        this.#closedWith = err;
        for (const r of this.#receivers.splice(0)) r.reject(err);
        resolve(err);
      });
    });
    // Errors (a message too large, invalid UTF-8, a protocol violation) are followed by 'close';
    // the close code ws sent for them is what the handler is told.
    peer.on('error', (err) => {
      const code = statusCodeOf(err);
      if (code !== undefined) failure = { code, reason: err.message };
    });
  }

  /**
   * The next message: a string for a text message, bytes for a binary one. Rejects with
   * {@link WebSocketError} once the connection is closed and no message is left.
   */
  receive(): Promise<Message> {
    const message = this.#queue.shift();
    if (message !== undefined) {
      if (this.#paused && this.#queue.length < HIGH_WATER / 2) {
        this.#paused = false;
        this.#peer.resume();
      }
      return Promise.resolve(message);
    }
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    return new Promise((resolve, reject) => this.#receivers.push({ resolve, reject }));
  }

  /**
   * Sends a message: a string as text, bytes as binary. Resolves once it is handed to the
   * connection (when more than 64 KiB wait to be written: once it is written, so a fast
   * producer follows the client's pace); rejects with {@link WebSocketError} when the
   * connection is closed.
   */
  send(data: Message | ArrayBuffer): Promise<void> {
    if (this.#closedWith !== undefined || this.#peer.readyState !== 1 /* OPEN */) {
      return Promise.reject(this.#closedWith ?? new WebSocketError(1006, 'Connection closed'));
    }
    const binary = typeof data !== 'string';
    if (this.#peer.bufferedAmount < SEND_HIGH_WATER) {
      // The socket keeps up: the message is queued for it, done. (A write that fails later
      // closes the connection, which the next receive or send reports.)
      this.#peer.send(data, { binary });
      return Promise.resolve();
    }
    // The socket is behind: wait until this message is written, so a fast producer follows
    // the client's pace instead of filling memory.
    return new Promise((resolve, reject) => {
      this.#peer.send(data, { binary }, (err) => {
        if (err === undefined || err === null) resolve();
        else reject(this.#closedWith ?? new WebSocketError(1006, err.message));
      });
    });
  }

  /**
   * Closes the connection (default code 1000) and resolves once it is closed. Closing twice is
   * harmless.
   */
  async close(code = 1000, reason = ''): Promise<void> {
    if (this.#closedWith === undefined) this.#peer.close(code, reason);
    await this.#closed;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closedWith !== undefined;
  }

  /** Resolves with the close code and reason once the connection is closed. */
  get done(): Promise<WebSocketError> {
    return this.#closed;
  }

  /** The subprotocol agreed in the handshake (`Sec-WebSocket-Protocol`), or `''`. */
  get protocol(): string {
    return this.#peer.protocol;
  }

  #push(data: RawData, isBinary: boolean): void {
    const message: Message = isBinary ? toBytes(data) : toBytes(data).toString('utf8');
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(message);
      return;
    }
    this.#queue.push(message);
    if (!this.#paused && this.#queue.length >= HIGH_WATER) {
      // The handler is not keeping up: stop reading from the socket (TCP pushes back on the
      // client) instead of holding an unbounded queue.
      this.#paused = true;
      this.#peer.pause();
    }
  }
}

function toBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The close code `ws` attached to a protocol error (under its `status-code` symbol). */
function statusCodeOf(err: Error): number | undefined {
  for (const key of Object.getOwnPropertySymbols(err)) {
    if (key.description === 'status-code') {
      const code = (err as unknown as Record<symbol, unknown>)[key];
      if (typeof code === 'number') return code;
    }
  }
  return undefined;
}

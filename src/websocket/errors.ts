/**
 * The connection is closed (or closing), so a message cannot be received or sent (Microdot's
 * `WebSocketError`). `code` is the close code the peer (or we) sent, `reason` its text.
 *
 * @example
 * ```ts
 * try { for (;;) await ws.send(await ws.receive()); }
 * catch (err) { if (!(err instanceof WebSocketError)) throw err; } // the client left
 * ```
 */
export class WebSocketError extends Error {
  /** The close code (1000 normal, 1001 going away, 1006 no close frame, 1009 too large, …). */
  readonly code: number;
  /** The close reason, possibly empty. */
  readonly reason: string;

  constructor(code: number, reason: string) {
    super(`WebSocket connection closed (${code}${reason === '' ? '' : `: ${reason}`})`);
    this.name = 'WebSocketError';
    this.code = code;
    this.reason = reason;
  }
}

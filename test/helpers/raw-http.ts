// Raw HTTP/1.1 over node:net, for input a normal client cannot send (or sends too politely).
import { connect } from 'node:net';

/** What came back on a raw connection. */
export interface Exchange {
  /** Every byte the server sent. */
  raw: Buffer;
  /** The same bytes as latin1 text (one char per byte). */
  text: string;
  /** Whether the server closed the connection (rather than our timeout). */
  closed: boolean;
  /** Milliseconds from connecting to the end. */
  ms: number;
}

/**
 * Opens a connection to 127.0.0.1:`port`, writes `data` (or lets `write` drive the socket),
 * and collects what comes back until the server closes or `timeoutMs` passes.
 */
export function exchange(
  port: number,
  data: string | Buffer | ((write: (chunk: string | Buffer) => boolean) => void),
  timeoutMs = 4000,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = true;
    const timer = setTimeout(() => {
      closed = false;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the server answered and closed (we were still writing) is a close too.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      resolve({ raw, text: raw.toString('latin1'), closed, ms: Date.now() - t0 });
    });
    const write = (chunk: string | Buffer): boolean =>
      !socket.destroyed &&
      socket.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    if (typeof data === 'function') data(write);
    else write(data);
  });
}

/** The status codes of every response in `text`, in order. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

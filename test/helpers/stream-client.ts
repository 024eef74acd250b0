// A client that reads a streamed response as it comes (for SSE), and can hang up at any point.
import { type ClientRequest, type IncomingMessage, request } from 'node:http';

/** An open streamed response from 127.0.0.1. */
export interface OpenStream {
  res: IncomingMessage;
  req: ClientRequest;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the text received so far satisfies `done`. */
  until(done: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the response has ended (the server finished it). */
  ended: Promise<void>;
  /** Hangs up abruptly. */
  destroy(): void;
}

/** Opens `path` on 127.0.0.1:`port` and resolves once the response headers are in. */
export function openStream(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method }, (res) => {
      let received = '';
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        received += chunk;
        for (const w of waiters) w();
      });
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
      });
      res.on('error', () => {});
      resolve({
        res,
        req,
        text: () => received,
        until(done, timeoutMs = 5_000) {
          return new Promise((ok, fail) => {
            const check = () => {
              if (done(received)) {
                waiters.delete(check);
                clearTimeout(timer);
                ok(received);
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`timed out; received so far: ${JSON.stringify(received)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        ended,
        destroy: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

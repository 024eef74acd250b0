import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessLogger } from './access-log.js';

/**
 * Follows one `node:http` request for the access log: counts the body bytes written and, once
 * the connection is done with the response (sent whole or cut), hands `log` one entry. Only
 * installed when the application has a logger, so requests cost nothing otherwise.
 */
export function trackAccess(nreq: IncomingMessage, nres: ServerResponse, log: AccessLogger): void {
  const started = performance.now();
  let bytes = 0;
  const count = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') {
      bytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) {
      bytes += chunk.byteLength;
    }
  };
  // biome-ignore lint/suspicious/noExplicitAny: write and end are overloaded; the arguments pass through.
  const write = nres.write as (...args: any[]) => boolean;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const end = nres.end as (...args: any[]) => ServerResponse;
  // biome-ignore lint/suspicious/noExplicitAny: write and end are overloaded; the arguments pass through.
  nres.write = function (this: ServerResponse, chunk: any, ...rest: any[]) {
    count(chunk, rest[0]);
    return write.call(this, chunk, ...rest);
  } as ServerResponse['write'];
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  nres.end = function (this: ServerResponse, chunk?: any, ...rest: any[]) {
    if (typeof chunk !== 'function') count(chunk, rest[0]);
    return end.call(this, chunk, ...rest);
  } as ServerResponse['end'];
  nres.once('close', () => {
    const target = nreq.url ?? '';
    const query = target.indexOf('?');
    try {
      log({
        method: nreq.method ?? 'GET',
        path: query === -1 ? target : target.slice(0, query),
        status: nres.statusCode,
        durationMs: performance.now() - started,
        bytes: nreq.method === 'HEAD' ? 0 : bytes,
        clientAddr: nreq.socket.remoteAddress ?? '',
        aborted: !nres.writableFinished,
      });
    } catch (err) {
      // A logger that throws must not take the server down.
      console.error('accessLog threw:', err);
    }
  });
}

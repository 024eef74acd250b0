/** One served request, as the access log sees it once the response is done. */
export interface AccessLogEntry {
  /** The request method. */
  method: string;
  /** The request path, without the query string (which may carry tokens). */
  path: string;
  /** The status code sent. */
  status: number;
  /** Milliseconds from the request's arrival to the last byte handed to the socket. */
  durationMs: number;
  /** Bytes of response body sent (0 for HEAD, 204 and 304). */
  bytes: number;
  /** The client's address. */
  clientAddr: string;
  /** Whether the connection closed before the whole response was sent. */
  aborted: boolean;
}

/** Receives one entry per request; see {@link MicrodotOptions.accessLog}. */
export type AccessLogger = (entry: AccessLogEntry) => void;

/**
 * The default access-log line: `127.0.0.1 GET /login 303 0 B 1.4 ms`, with ` (aborted)` when
 * the client left early. Control characters in the path are escaped, so a line is one line.
 */
export function formatAccessLog(entry: AccessLogEntry): string {
  const path = entry.path.replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `${entry.clientAddr} ${entry.method} ${path} ${entry.status} ${entry.bytes} B ${entry.durationMs.toFixed(1)} ms${entry.aborted ? ' (aborted)' : ''}`;
}

/** The logger `accessLog: true` uses: {@link formatAccessLog} to `console.log`. */
export const consoleAccessLog: AccessLogger = (entry) => console.log(formatAccessLog(entry));

/**
 * Why `startServer` or `run` could not start: a port in use (`EADDRINUSE`), one the process may
 * not use (`EACCES`), a host that is not this machine's (`EADDRNOTAVAIL`), or an invalid port
 * (`ERR_INVALID_PORT`). The message says what to change; `cause` keeps Node's error.
 */
export class ServerStartError extends Error {
  /** The reason, as Node's error code (or `ERR_INVALID_PORT`). */
  readonly code: string;
  /** The host and port that were asked for. */
  readonly host: string;
  readonly port: unknown;

  constructor(code: string, host: string, port: unknown, options?: ErrorOptions) {
    super(startMessage(code, host, port), options);
    this.name = 'ServerStartError';
    this.code = code;
    this.host = host;
    this.port = port;
  }
}

function startMessage(code: string, host: string, port: unknown): string {
  const where = `${host}:${String(port)}`;
  switch (code) {
    case 'ERR_INVALID_PORT':
      return `Invalid port ${typeof port === 'string' ? JSON.stringify(port) : String(port)}: use an integer from 0 to 65535 (0 picks a free port)`;
    case 'EADDRINUSE':
      return `Cannot listen on ${where}: port ${String(port)} is already in use. Stop the program using it, or choose another port`;
    case 'EACCES':
      return `Cannot listen on ${where}: not allowed to use port ${String(port)} (ports below 1024 need privileges). Choose a port from 1024 up`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${where}: ${host} is not an address of this machine. Use 127.0.0.1, 0.0.0.0 or one of its addresses`;
    default:
      return `Cannot listen on ${where} (${code})`;
  }
}

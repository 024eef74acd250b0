// Whether a service listens on 127.0.0.1 (for the cases that need PostgreSQL).
import { connect } from 'node:net';

/** Resolves true once a TCP connection to 127.0.0.1:`port` opens (false on refusal or after 1 s). */
export function tcpOpen(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => done(true));
  });
}

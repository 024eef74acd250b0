// One Redis PING on 127.0.0.1, shared by the benchmark and the soak runners.
import { connect } from 'node:net';

/** Resolves true on +PONG (false on -LOADING, a refused connection, or no answer within 1 s). */
export function redisPing(port = 6379) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

// Redis on 127.0.0.1, as the benchmark and soak runners see it: a PING, and its CPU time.
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

/**
 * The CPU time (user + system, µs) the Redis server on 127.0.0.1 has used so far, from
 * `INFO cpu`; `undefined` without an answer within 1 s. Read before and after a load, it gives
 * the Redis side of a store case's cost, which the server's own CPU time leaves out.
 */
export function redisCpuMicros(port = 6379) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('connect', () => socket.write('INFO cpu\r\n'));
    socket.on('data', (data) => {
      reply += data.toString();
      // A bulk string: $<length>\r\n<body>\r\n; the body ends with a CRLF of its own.
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (header === null || reply.length < header[0].length + Number(header[1])) return;
      const seconds = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(reply)?.[1]);
      const total = seconds('used_cpu_sys') + seconds('used_cpu_user');
      done(Number.isFinite(total) ? Math.round(total * 1e6) : undefined);
    });
  });
}

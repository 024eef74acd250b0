// Two connected in-memory streams, like the two ends of a TCP connection (Node 20 has no
// `stream.duplexPair`). The test client hands one end to `node:http` (which accepts any Duplex
// as a connection) and talks through the other, so nothing listens on a port.
import { Duplex } from 'node:stream';

class End extends Duplex {
  other: End | undefined;
  remoteAddress = '127.0.0.1';
  remotePort = 1234;

  override _read(): void {}

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (err?: Error | null) => void,
  ): void {
    this.other?.push(chunk);
    done();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.other?.push(null);
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const other = this.other;
    this.other = undefined;
    if (other !== undefined && !other.destroyed) {
      other.other = undefined;
      // The far end sees the connection drop, as after a TCP reset.
      other.push(null);
      other.destroy();
    }
    done(err);
  }

  // What `node:http` and `ws` call on a socket; nothing to do in memory.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** A connected pair: what is written to one end is read from the other. */
export function duplexPair(): [Duplex, Duplex] {
  const a = new End();
  const b = new End();
  a.other = b;
  b.other = a;
  return [a, b];
}

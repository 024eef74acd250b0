// The access log (#14): opt-in, one entry per request over node:http with method, path (no
// query), status, duration and body bytes, through a replaceable logger.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import {
  type AccessLogEntry,
  formatAccessLog,
  Microdot,
  type RunningServer,
} from '../src/index.js';

function get(server: RunningServer, path: string, method = 'GET', body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until `entries` has `n` entries (the log is written when the connection lets go). */
async function until(entries: AccessLogEntry[], n: number): Promise<void> {
  for (let i = 0; i < 200 && entries.length < n; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(entries.length, n);
}

describe('access log', () => {
  test('one entry per request: method, path without query, status, bytes, duration', async () => {
    const entries: AccessLogEntry[] = [];
    const app = new Microdot({ accessLog: (e) => entries.push(e), maxContentLength: 64 });
    app.get('/hello/<name>', (_req, { name }) => `Hello, ${name}!`);
    app.get('/stream', () => [
      (async function* () {
        yield 'ab';
        yield new Uint8Array([1, 2, 3]);
      })(),
      200,
    ]);
    const server = await app.startServer();
    try {
      assert.equal((await get(server, '/hello/ada?token=secret')).text, 'Hello, ada!');
      await get(server, '/missing');
      await get(server, '/hello/ada', 'HEAD');
      await get(server, '/stream');
      await get(server, '/hello/ada', 'POST', 'x'.repeat(100));
      await until(entries, 5);
      const [hello, missing, head, stream, tooLarge] = entries as [
        AccessLogEntry,
        AccessLogEntry,
        AccessLogEntry,
        AccessLogEntry,
        AccessLogEntry,
      ];
      assert.deepEqual(
        { ...hello, durationMs: 0 },
        {
          method: 'GET',
          path: '/hello/ada',
          status: 200,
          bytes: 11,
          durationMs: 0,
          clientAddr: '127.0.0.1',
          aborted: false,
        },
      );
      assert.ok(hello.durationMs >= 0 && hello.durationMs < 10_000);
      assert.equal(missing.status, 404);
      assert.ok(missing.bytes > 0);
      assert.deepEqual([head.method, head.status, head.bytes], ['HEAD', 200, 0]);
      assert.deepEqual([stream.status, stream.bytes], [200, 5]);
      assert.deepEqual([tooLarge.method, tooLarge.status], ['POST', 413]);
    } finally {
      await server.close();
    }
  });

  test('off by default; replaceable at run time; a logger that throws harms nothing', async () => {
    const app = new Microdot();
    assert.equal(app.accessLog, undefined);
    app.get('/', () => 'ok');
    const server = await app.startServer();
    try {
      assert.equal((await get(server, '/')).text, 'ok');
      const entries: AccessLogEntry[] = [];
      app.accessLog = (e) => entries.push(e);
      await get(server, '/');
      await until(entries, 1);
      const errors = console.error;
      console.error = () => {};
      app.accessLog = () => {
        throw new Error('logger down');
      };
      try {
        assert.equal((await get(server, '/')).text, 'ok');
        assert.equal((await get(server, '/')).text, 'ok');
      } finally {
        console.error = errors;
      }
    } finally {
      await server.close();
    }
  });

  test('accessLog: true prints the formatted line; bad values are refused', () => {
    assert.equal(typeof new Microdot({ accessLog: true }).accessLog, 'function');
    assert.equal(new Microdot({ accessLog: false }).accessLog, undefined);
    // @ts-expect-error not a logger
    assert.throws(() => new Microdot({ accessLog: 'yes' }), /accessLog must be/);
    const line = formatAccessLog({
      method: 'GET',
      path: '/a\nb',
      status: 200,
      bytes: 12,
      durationMs: 1.234,
      clientAddr: '127.0.0.1',
      aborted: true,
    });
    assert.equal(line, '127.0.0.1 GET /a\\x0ab 200 12 B 1.2 ms (aborted)');
  });
});

// Streamed request bodies (issue #15, part 2): Microdot's tests/test_request.py cases
// test_body_and_stream and test_large_payload, then our own: large bodies in every mode (test
// client, real HTTP, fetch), chunked bodies that outgrow maxBodyLength, limits, and clients
// that go away mid-body.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { HTTPException, Microdot, type Request } from '../src/index.js';
import { MODES, quietApp } from './helpers/clients.js';
import { exchange, statuses } from './helpers/raw-http.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Reads a request's stream chunk by chunk, as a handler would. */
async function drain(req: Request): Promise<{ size: number; sha: string; chunks: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let chunks = 0;
  for await (const chunk of req.stream) {
    hash.update(chunk);
    size += chunk.byteLength;
    chunks++;
  }
  return { size, sha: hash.digest('hex'), chunks };
}

for (const mode of MODES) {
  describe(`Microdot's test_request.py, streamed bodies [${mode.name}]`, () => {
    test('test_body_and_stream', async () => {
      const app = new Microdot();
      app.post('/', async (req) => ({
        body: new TextDecoder().decode(req.body),
        stream: new TextDecoder().decode(await req.stream.read()),
      }));
      const client = await mode.client(app);
      const res = await client.post('/', { headers: FORM, body: 'foo=bar&abc=def&x=y' });
      assert.deepEqual(res.json, { body: 'foo=bar&abc=def&x=y', stream: 'foo=bar&abc=def&x=y' });
    });

    test('test_large_payload', async () => {
      const app = new Microdot({ maxContentLength: 32, maxBodyLength: 16 });
      app.post('/', async (req) => ({
        body: new TextDecoder().decode(req.body),
        stream: new TextDecoder().decode(await req.stream.read()),
      }));
      const client = await mode.client(app);
      const res = await client.post('/', { headers: FORM, body: 'foo=bar&abc=def&x=y' });
      assert.deepEqual(res.json, { body: '', stream: 'foo=bar&abc=def&x=y' });
    });
  });

  describe(`streamed request bodies [${mode.name}]`, () => {
    test('a body over maxBodyLength arrives whole through req.stream, never in req.body', async () => {
      const app = new Microdot({ maxContentLength: 4 * 1024 * 1024 });
      app.post('/', async (req) => ({
        held: req.body.byteLength,
        streamed: req.streamed,
        length: req.contentLength,
        ...(await drain(req)),
      }));
      const client = await mode.client(app);
      const body = randomBytes(3 * 1024 * 1024 + 17);
      const res = await client.post('/', { body });
      assert.equal(res.statusCode, 200);
      const out = res.json as Record<string, unknown>;
      assert.equal(out.held, 0);
      assert.equal(out.streamed, true);
      assert.equal(out.length, body.byteLength);
      assert.equal(out.size, body.byteLength);
      assert.equal(out.sha, sha(body));
    });

    test('read(n) gives at most n bytes, then the rest, then an empty array', async () => {
      const app = new Microdot({ maxContentLength: 1024, maxBodyLength: 4 });
      app.post('/', async (req) => {
        const parts: string[] = [];
        for (const n of [3, 5, 100, 10])
          parts.push(new TextDecoder().decode(await req.stream.read(n)));
        return parts;
      });
      const client = await mode.client(app);
      const res = await client.post('/', { body: 'abcdefghijklm' });
      assert.deepEqual(res.json, ['abc', 'defgh', 'ijklm', '']);
    });

    test('parsing a body that was never held answers 413 with what to do, not an empty form', async () => {
      const app = new Microdot({ maxContentLength: 1024, maxBodyLength: 8 });
      app.post('/json', (req) => ({ json: req.json }));
      app.post('/form', (req) => ({ form: req.form?.get('a') }));
      const client = await mode.client(app);
      let res = await client.post('/json', { json: { a: 'long enough to stream' } });
      assert.equal(res.statusCode, 413);
      assert.match(res.text, /maxBodyLength|req\.stream/);
      res = await client.post('/form', { headers: FORM, body: 'a=long+enough+to+stream' });
      assert.equal(res.statusCode, 413);
    });

    test('the stream reads once; a second read is a TypeError, reported as a 500', async () => {
      const app = quietApp(new Microdot({ maxContentLength: 1024, maxBodyLength: 4 }));
      app.post('/', async (req) => {
        await drain(req);
        await drain(req);
      });
      const client = await mode.client(app);
      assert.equal((await client.post('/', { body: 'more than four' })).statusCode, 500);
      assert.ok(app.errors[0] instanceof TypeError);
    });

    test('a body over maxContentLength is still a 413, before any handler', async () => {
      let called = false;
      const app = new Microdot({ maxContentLength: 100, maxBodyLength: 10 });
      app.post('/', () => {
        called = true;
      });
      const client = await mode.client(app);
      assert.equal((await client.post('/', { body: 'x'.repeat(101) })).statusCode, 413);
      assert.equal(called, false);
    });
  });
}

describe('streamed request bodies over fetch', () => {
  test('a large body, with and without a declared length', async () => {
    const app = new Microdot({ maxContentLength: 1024 * 1024, maxBodyLength: 1024 });
    app.post('/', async (req) => ({ held: req.body.byteLength, ...(await drain(req)) }));
    const body = randomBytes(200_000);
    let res = await app.fetch(new globalThis.Request('http://x/', { method: 'POST', body }));
    assert.deepEqual(await res.json(), {
      held: 0,
      size: body.byteLength,
      sha: sha(body),
      chunks: 1,
    });
    const parts = [body.subarray(0, 500), body.subarray(500, 5000), body.subarray(5000)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    res = await app.fetch(
      new globalThis.Request('http://x/', {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    const out = (await res.json()) as { held: number; size: number; sha: string };
    assert.deepEqual([out.held, out.size, out.sha], [0, body.byteLength, sha(body)]);
  });

  test('a body without a length that outgrows maxContentLength mid-stream: 413 from the stream', async () => {
    const app = new Microdot({ maxContentLength: 10_000, maxBodyLength: 100 });
    app.post('/', async (req) => drain(req));
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1000));
      },
    });
    const res = await app.fetch(
      new globalThis.Request('http://x/', {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    assert.equal(res.status, 413);
    assert.ok(pulls < 20, `stopped reading (${pulls} pulls)`);
  });
});

describe('streamed request bodies over a raw socket', () => {
  test('a chunked body that outgrows maxBodyLength: what came first, then the rest', async () => {
    const app = new Microdot({ maxContentLength: 1024 * 1024, maxBodyLength: 1000 });
    app.post('/', async (req) => ({ held: req.body.byteLength, ...(await drain(req)) }));
    const server = await app.startServer({ port: 0 });
    try {
      const pieces = [randomBytes(600), randomBytes(600), randomBytes(70_000)];
      const r = await exchange(server.port, (write) => {
        write(
          'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
        );
        for (const p of pieces) {
          write(`${p.length.toString(16)}\r\n`);
          write(p);
          write('\r\n');
        }
        write('0\r\n\r\n');
      });
      assert.deepEqual(statuses(r.text), [200]);
      const json = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4));
      assert.equal(json.held, 0);
      assert.equal(json.size, 71_200);
      assert.equal(json.sha, sha(Buffer.concat(pieces)));
    } finally {
      await server.close();
    }
  });

  test('a chunked body over maxContentLength while streaming: 413, and the connection closes', async () => {
    const app = quietApp(new Microdot({ maxContentLength: 50_000, maxBodyLength: 1000 }));
    app.post('/', async (req) => drain(req));
    const server = await app.startServer({ port: 0 });
    try {
      const piece = 'z'.repeat(8000);
      const r = await exchange(server.port, (write) => {
        write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (let i = 0; i < 20; i++) write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      });
      assert.deepEqual(statuses(r.text), [413]);
      assert.ok(r.closed, 'the server closed the connection');
      assert.deepEqual(app.errors, []);
    } finally {
      await server.close();
    }
  });

  test('a handler that does not read a streamed body: answered, and the connection closes', async () => {
    const app = new Microdot({ maxContentLength: 1024 * 1024, maxBodyLength: 1000 });
    app.post('/', () => 'ignored');
    const server = await app.startServer({ port: 0 });
    try {
      const r = await exchange(server.port, (write) => {
        write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n');
        write(Buffer.alloc(10_000));
      });
      assert.deepEqual(statuses(r.text), [200]);
      assert.match(r.text, /connection: close/i);
      assert.ok(r.closed);
    } finally {
      await server.close();
    }
  });

  test('a client that goes away mid-body: the handler sees a 400 error, its finally runs, nothing hangs or leaks', async () => {
    const app = quietApp(new Microdot({ maxContentLength: 10 * 1024 * 1024, maxBodyLength: 1000 }));
    let settle: (outcome: unknown) => void = () => {};
    const outcome = new Promise((resolve) => {
      settle = resolve;
    });
    let received = 0;
    let started: () => void = () => {};
    const reading = new Promise<void>((resolve) => {
      started = resolve;
    });
    app.post('/', async (req) => {
      try {
        for await (const chunk of req.stream) {
          received += chunk.byteLength;
          started();
        }
        settle('completed');
      } catch (err) {
        settle(err);
        throw err;
      }
    });
    const server = await app.startServer({ port: 0 });
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n');
    socket.write(Buffer.alloc(64 * 1024));
    await reading;
    socket.destroy();
    const timeout = setTimeout(() => settle('hung'), 2000);
    const err = await outcome;
    clearTimeout(timeout);
    assert.ok(err instanceof HTTPException, `got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.ok(received > 0);
    assert.deepEqual(app.errors, [], 'a client going away is not a server error');
    const t0 = Date.now();
    await server.close();
    assert.ok(Date.now() - t0 < 1000, 'no connection left open');
  });

  test('a client that goes away before the handler reads: the first read rejects at once', async () => {
    const app = quietApp(new Microdot({ maxContentLength: 10 * 1024 * 1024, maxBodyLength: 1000 }));
    let gone: () => void = () => {};
    const clientGone = new Promise<void>((resolve) => {
      gone = resolve;
    });
    let settle: (outcome: unknown) => void = () => {};
    const outcome = new Promise((resolve) => {
      settle = resolve;
    });
    app.post('/', async (req) => {
      await clientGone;
      await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        await drain(req);
        settle('completed');
      } catch (err) {
        settle(err);
      }
    });
    const server = await app.startServer({ port: 0 });
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n');
    socket.write(Buffer.alloc(1000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    gone();
    const timeout = setTimeout(() => settle('hung'), 2000);
    const err = await outcome;
    clearTimeout(timeout);
    assert.ok(err instanceof HTTPException, `got ${String(err)}`);
    assert.equal(err.status, 400);
    await server.close();
  });
});

test('maxBodyLength is checked when the app is built', () => {
  assert.throws(() => new Microdot({ maxBodyLength: -1 }), /maxBodyLength must be/);
  assert.throws(() => new Microdot({ maxBodyLength: 1.5 }), /maxBodyLength must be/);
  assert.equal(new Microdot().maxBodyLength, 16 * 1024);
});

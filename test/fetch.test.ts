// The Web fetch adapter: the same app, driven with Web-standard Request/Response objects
// (as Bun, Deno and Workers call it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Microdot, Response } from '../src/index.js';
import { Session, withSession } from '../src/session/index.js';

function app() {
  const a = new Microdot();
  a.logError = () => {};
  new Session(a, { secretKey: 'fetch-adapter-secret-key-0123456789abcdef' });
  a.get('/', () => 'Hello, World!');
  a.post('/echo', (req) => ({ got: req.json, ip: req.clientAddr, scheme: req.scheme }));
  a.get('/cookies', () => new Response('two').setCookie('a', '1').setCookie('b', '2'));
  a.get('/users/<int:id>', (_req, { id }) => ({ id }));
  a.get(
    '/count',
    withSession<{ n?: number }>((_req, s) => {
      s.n = (s.n ?? 0) + 1;
      s.save();
      return String(s.n);
    }),
  );
  a.get('/stream', () =>
    (async function* () {
      yield 'a';
      yield new TextEncoder().encode('b');
    })(),
  );
  a.get('/bad-header', () => new Response('x', 200, { 'X-Bad': 'a\r\nb' }));
  return a;
}

describe('app.fetch', () => {
  test('GET, URL arguments, 404 and 405', async () => {
    const a = app();
    let res = await a.fetch(new Request('http://example.test/'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=UTF-8');
    assert.equal(await res.text(), 'Hello, World!');
    res = await a.fetch(new Request('http://example.test/users/7'));
    assert.deepEqual(await res.json(), { id: 7 });
    assert.equal((await a.fetch(new Request('http://example.test/nope'))).status, 404);
    assert.equal(
      (await a.fetch(new Request('http://example.test/', { method: 'DELETE' }))).status,
      405,
    );
  });

  test('POST JSON, client address and scheme', async () => {
    const a = app();
    const res = await a.fetch(
      new Request('https://example.test/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ x: 1 }),
      }),
      { clientAddr: '203.0.113.9' },
    );
    assert.deepEqual(await res.json(), { got: { x: 1 }, ip: '203.0.113.9', scheme: 'https' });
  });

  test('HEAD has no body; several cookies stay several Set-Cookie headers', async () => {
    const a = app();
    const head = await a.fetch(new Request('http://example.test/', { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const res = await a.fetch(new Request('http://example.test/cookies'));
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
  });

  test('sessions round-trip through Web Request/Response', async () => {
    const a = app();
    const first = await a.fetch(new Request('http://example.test/count'));
    assert.equal(await first.text(), '1');
    const cookie = first.headers.getSetCookie()[0]!.split(';', 1)[0]!;
    const second = await a.fetch(new Request('http://example.test/count', { headers: { cookie } }));
    assert.equal(await second.text(), '2');
    assert.equal(second.headers.get('vary'), 'Cookie');
  });

  test('a body over maxContentLength gets 413 without being read whole', async () => {
    const a = app();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(8192));
        if (pulled > 1000) controller.close();
      },
    });
    const res = await a.fetch(
      new Request('http://example.test/echo', {
        method: 'POST',
        body,
        duplex: 'half',
      } as RequestInit),
    );
    assert.equal(res.status, 413);
    assert.ok(pulled < 10, `stopped reading early (pulled ${pulled} chunks)`);
  });

  test('streamed bodies, and a header with CR/LF becomes a 500', async () => {
    const a = app();
    assert.equal(await (await a.fetch(new Request('http://example.test/stream'))).text(), 'ab');
    const res = await a.fetch(new Request('http://example.test/bad-header'));
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-bad'), null);
  });
});

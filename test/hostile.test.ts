// Hostile HTTP against a real node:http server on 127.0.0.1 (issue 7): input a normal client
// cannot send goes through raw node:net sockets. Each case gets the right 4xx (or a closed
// connection where HTTP says so), never a 500 or a crash, and the server still serves a normal
// request afterwards.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Microdot, Response, type RunningServer, redirect } from '../src/index.js';
import { Session, withSession } from '../src/session/index.js';
import type { InvalidReason } from '../src/session/options.js';
import { quietApp, rawRequest } from './helpers/clients.js';
import { exchange, statuses } from './helpers/raw-http.js';

/** Asserts a header block is well formed: a status line, then `name: value` lines only. */
function assertWellFormedHead(text: string): void {
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const [statusLine, ...lines] = head.split('\r\n');
  assert.match(statusLine!, /^HTTP\/1\.1 \d{3} [\x20-\x7e]*$/);
  for (const line of lines) assert.match(line, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+: [^\r\n]*$/);
}

const TIMEOUT_MS = 1000;

describe('hostile HTTP against a real server', () => {
  const app = quietApp(new Microdot({ maxContentLength: 256 * 1024, maxBodyLength: 256 * 1024 }));
  let server: RunningServer;
  let port: number;

  app.get('/', () => 'ok');
  app.get('/echo/<name>', (_req, { name }) => String(name));
  app.get('/q', (req) => req.args.get('a') ?? '');
  app.post('/form', (req) => req.form?.get('a') ?? '');
  app.post('/body', (req) => ({ n: req.body.byteLength }));
  app.post('/json', (req) => {
    const value = req.json;
    return { kind: Array.isArray(value) ? 'array' : typeof value };
  });
  app.get('/cookies', (req) => ({ n: Object.keys(req.cookies).length, a: req.cookies.a ?? null }));
  app.get('/inject/header', () => new Response('x', 200, { 'X-A': 'a\r\nX-Injected: 1' }));
  app.get('/inject/header-lf', () => new Response('x').setHeader('X-A', 'a\nX-Injected: 1'));
  app.get('/inject/header-name', () => new Response('x').setHeader('X-A\r\nX-Injected', '1'));
  app.get('/inject/set-cookie', () =>
    new Response('x').setHeader('Set-Cookie', 'a=b\r\nX-Injected: 1'),
  );
  app.get('/inject/cookie', () => new Response('x').setCookie('a', 'b\r\nX-Injected: 1'));
  app.get('/inject/cookie-semicolon', () =>
    new Response('x').setCookie('a', 'b; Domain=evil.example'),
  );
  app.get('/inject/cookie-path', () =>
    new Response('x').setCookie('a', 'b', { path: '/\r\nX-Injected: 1' }),
  );
  app.get('/inject/redirect', () => redirect('/next\r\nX-Injected: 1'));
  app.get('/inject/reason', () => new Response('x', 200, undefined, 'OK\r\nX-Injected: 1'));

  before(async () => {
    server = await app.startServer({
      host: '127.0.0.1',
      port: 0,
      headersTimeout: TIMEOUT_MS,
      requestTimeout: TIMEOUT_MS,
    });
    port = server.port;
  });
  after(() => server.close());

  /** The server still answers a normal request. */
  async function assertServes(): Promise<void> {
    const res = await rawRequest(port, 'GET', '/');
    assert.equal(res.statusCode, 200);
    assert.equal(res.text, 'ok');
  }

  test('headers over the limit get 431', async () => {
    const r = await exchange(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.deepEqual(statuses(r.text), [431]);
    assert.ok(r.closed);
    await assertServes();
  });

  test('a Content-Length larger than the body: the stalled request times out (408), bounded', async () => {
    const r = await exchange(
      port,
      'POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc',
      6000,
    );
    assert.ok(r.closed, `the server must close a stalled request (waited ${r.ms} ms)`);
    assert.ok(r.ms < 4000, `closed after ${r.ms} ms with requestTimeout ${TIMEOUT_MS}`);
    assert.deepEqual(statuses(r.text), [408]);
    await assertServes();
  });

  test('a Content-Length smaller than the body: the rest is a bad next request (400)', async () => {
    const r = await exchange(
      port,
      'POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}this is not HTTP\r\n\r\n',
    );
    assert.ok(r.closed);
    const codes = statuses(r.text);
    assert.ok(codes.includes(400), `got ${codes.join(', ')}`);
    assert.ok(
      codes.every((c) => c === 200 || c === 400),
      `got ${codes.join(', ')}`,
    );
    await assertServes();
  });

  test('a declared body over maxContentLength gets 413 at once, without being read', async () => {
    // Only 3 of the 10 MB ever come: the answer cannot have waited for the body.
    const r = await exchange(
      port,
      'POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\nabc',
    );
    assert.deepEqual(statuses(r.text), [413]);
    assert.ok(r.closed, 'the connection is closed after a 413');
    assert.ok(r.ms < 2000, `answered after ${r.ms} ms`);
    assert.match(r.text, /\r\nconnection: close\r\n/i);
    await assertServes();
  });

  test('Expect: 100-continue with a body over the limit gets 413, never a 100 first', async () => {
    const r = await exchange(
      port,
      'POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n',
    );
    assert.deepEqual(statuses(r.text), [413]);
    assert.ok(r.closed);
    // Within the limit: 100 Continue, then the body is read and answered.
    const ok = await exchange(port, (write) => {
      write(
        'POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      );
      setTimeout(() => write('hello'), 100);
    });
    assert.deepEqual(statuses(ok.text), [100, 200]);
    assert.match(ok.text, /\{"n":5\}$/);
    await assertServes();
  });

  test('a chunked body growing over maxContentLength gets 413', async () => {
    const piece = 'a'.repeat(64 * 1024);
    const r = await exchange(port, (write) => {
      write('POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
      // 320 KiB in 64 KiB chunks, no terminating chunk: the limit must stop it first.
      for (let i = 0; i < 5; i++) write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
    });
    assert.deepEqual(statuses(r.text), [413]);
    assert.ok(r.closed);
    // Under the limit, the same encoding is read whole.
    const ok = await exchange(
      port,
      'POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    assert.deepEqual(statuses(ok.text), [200]);
    assert.match(ok.text, /\{"n":5\}$/);
  });

  test('bad percent-encoding or UTF-8 in the path: 400', async () => {
    for (const path of ['/echo/%ff', '/echo/%zz', '/echo/%', '/echo/%ed%a0%80', '/echo/%c0%af']) {
      const res = await rawRequest(port, 'GET', path);
      assert.equal(res.statusCode, 400, path);
    }
    // Raw non-ASCII bytes in the request line are refused by Node's parser.
    const r = await exchange(port, 'GET /echo/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(statuses(r.text), [400]);
    assert.equal((await rawRequest(port, 'GET', '/echo/caf%C3%A9')).text, 'café');
    await assertServes();
  });

  test('bad percent-encoding or UTF-8 in the query: 400', async () => {
    for (const query of ['a=%ff', 'a=%', 'a=%zz', '%ff=1', 'a=%ed%b0%80', 'x=1&a=%e2%82']) {
      const res = await rawRequest(port, 'GET', `/q?${query}`);
      assert.equal(res.statusCode, 400, query);
    }
    assert.equal((await rawRequest(port, 'GET', '/q?a=caf%C3%A9+au+lait')).text, 'café au lait');
    await assertServes();
  });

  test('bad percent-encoding in a form body: 400; raw invalid UTF-8 is replaced, not fatal', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const body of ['a=%ff', 'a=%', 'a=%zz%zz', 'a=%c3%28']) {
      const res = await rawRequest(port, 'POST', '/form', form, Buffer.from(body));
      assert.equal(res.statusCode, 400, body);
    }
    const raw = await rawRequest(
      port,
      'POST',
      '/form',
      form,
      Buffer.from([0x61, 0x3d, 0xff, 0xfe]),
    );
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.text, '\ufffd\ufffd');
    await assertServes();
  });

  test('bad bytes and escapes in cookies are read as they are, never a 500', async () => {
    const r = await exchange(
      port,
      'GET /cookies HTTP/1.1\r\nHost: x\r\nCookie: a=%ff%; b=\xff\xfe; =x; c; d="\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual(statuses(r.text), [200]);
    assert.match(r.text, /\{"n":3,"a":"%ff%"\}$/);
    await assertServes();
  });

  test('thousands of cookies: the first 1000 are read, the request is answered', async () => {
    const cookies = Array.from({ length: 1500 }, (_, i) => `c${i}=1`).join('; ');
    const res = await rawRequest(port, 'GET', '/cookies', { cookie: `a=first; ${cookies}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json, { n: 1000, a: 'first' });
    await assertServes();
  });

  test('a 100 KB Cookie header gets 431', async () => {
    const r = await exchange(
      port,
      `GET /cookies HTTP/1.1\r\nHost: x\r\nCookie: a=${'v'.repeat(100_000)}\r\n\r\n`,
    );
    assert.deepEqual(statuses(r.text), [431]);
    assert.ok(r.closed);
    await assertServes();
  });

  test('deeply nested JSON: parsed, or 400 when malformed; never a 500', async () => {
    const json = { 'content-type': 'application/json' };
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const ok = await rawRequest(port, 'POST', '/json', json, Buffer.from(deep));
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json, { kind: 'array' });
    const open = await rawRequest(port, 'POST', '/json', json, Buffer.from('['.repeat(100_000)));
    assert.equal(open.statusCode, 400);
    const objects = '{"a":'.repeat(40_000);
    const bad = await rawRequest(port, 'POST', '/json', json, Buffer.from(objects));
    assert.equal(bad.statusCode, 400);
    await assertServes();
  });

  test('CR/LF or ; that a handler puts into a header, cookie, redirect or reason: 500, never a split header', async () => {
    const before = app.errors.length;
    const paths = [
      '/inject/header',
      '/inject/header-lf',
      '/inject/header-name',
      '/inject/set-cookie',
      '/inject/cookie',
      '/inject/cookie-semicolon',
      '/inject/cookie-path',
      '/inject/redirect',
      '/inject/reason',
    ];
    for (const path of paths) {
      const r = await exchange(
        port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      assert.deepEqual(statuses(r.text), [500], path);
      assert.ok(r.text.startsWith('HTTP/1.1 500 Internal Server Error\r\n'), `${path}: ${r.text}`);
      assert.ok(!/injected|evil/i.test(r.text), `${path} leaked: ${JSON.stringify(r.text)}`);
      assertWellFormedHead(r.text);
      assert.ok(r.text.endsWith('\r\n\r\nInternal server error'), path);
    }
    assert.equal(app.errors.length - before, paths.length, 'each refusal is logged');
    await assertServes();
  });

  test('a slow client (slowloris) is cut off by headersTimeout; others are served meanwhile', async () => {
    const request =
      'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n';
    let timer: NodeJS.Timeout | undefined;
    const slow = exchange(
      port,
      (write) => {
        let i = 0;
        timer = setInterval(() => {
          if (i >= request.length || !write(request[i++]!)) clearInterval(timer);
        }, 200);
      },
      8000,
    );
    // While it drips, other clients are answered promptly.
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      await assertServes();
      assert.ok(Date.now() - t0 < 500);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const r = await slow;
    clearInterval(timer);
    assert.ok(r.closed, `still open after ${r.ms} ms`);
    assert.ok(r.ms < 4000, `cut off after ${r.ms} ms with headersTimeout ${TIMEOUT_MS}`);
    assert.ok(
      statuses(r.text).every((c) => c === 408),
      r.text,
    );
    await assertServes();
  });

  test('1,000 pipelined requests on one keep-alive connection are all answered, in order', async () => {
    let data = '';
    for (let i = 0; i < 1000; i++) data += `GET /q?a=${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    data += 'GET /q?a=end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const r = await exchange(port, data, 9000);
    assert.ok(r.closed);
    const bodies = [...r.text.matchAll(/HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*\r\n(\d+|end)/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(bodies, [...Array.from({ length: 1000 }, (_, i) => String(i)), 'end']);
  });

  test('1,000 sequential requests on one keep-alive connection are all answered', async () => {
    const answers: string[] = [];
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(9000, () => socket.destroy(new Error('timed out')));
    let pending = '';
    await new Promise<void>((resolve, reject) => {
      let i = 0;
      const next = () => socket.write(`GET /q?a=${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        const m =
          /^HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*?content-length: (\d+)\r\n(?:[^\r]+\r\n)*\r\n/i.exec(
            pending,
          );
        if (m === null) return;
        const end = m[0].length + Number(m[1]);
        if (pending.length < end) return;
        answers.push(pending.slice(m[0].length, end));
        pending = pending.slice(end);
        if (++i === 1000) resolve();
        else next();
      });
      next();
    });
    socket.destroy();
    assert.equal(answers.length, 1000);
    assert.ok(answers.every((body, i) => body === String(i)));
  });
});

describe('hostile session cookies against a real server', () => {
  const secretKey = 'a-test-secret-key-of-at-least-32-bytes!';
  const reasons: InvalidReason[] = [];
  const app = quietApp(new Microdot());
  new Session(app, { secretKey, onInvalid: (reason) => reasons.push(reason) });
  app.get(
    '/login',
    withSession((_req, session) => {
      session.user = 'alice';
      session.save();
      return 'in';
    }),
  );
  app.get(
    '/whoami',
    withSession((_req, session) => ({ keys: Object.keys(session) })),
  );
  let server: RunningServer;

  before(async () => {
    server = await app.startServer({ host: '127.0.0.1', port: 0 });
  });
  after(() => server.close());

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  test('garbage session= cookies give 200 and an empty session', async () => {
    const login = await rawRequest(server.port, 'GET', '/login');
    const token = /^session=([^;]+)/.exec(String(login.headers['set-cookie']))![1]!;
    // Control: the real cookie is accepted, so an empty session below means "refused".
    const good = await rawRequest(server.port, 'GET', '/whoami', { cookie: `session=${token}` });
    assert.deepEqual(good.json, { keys: ['user'] });

    const [header, payload, signature] = token.split('.') as [string, string, string];
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
    const forged = b64({ user: 'admin', exp: 4_000_000_000 });
    const wrongKey = createHmac('sha256', 'another-secret-key-of-at-least-32-bytes')
      .update(`${header}.${forged}`)
      .digest('base64url');
    // Printable bytes, not ';' (a cookie separator): what a hostile client can put in a value.
    const junk = Buffer.from(
      [...randomBytes(400)].map((b) => 0x21 + (b % 0x5d)).filter((b) => b !== 0x3b && b !== 0x22),
    ).toString('latin1');
    const latin1 = Buffer.from([...randomBytes(300)].map((b) => 0x80 + (b % 0x80))).toString(
      'latin1',
    );
    const garbage = [
      junk,
      latin1,
      'a'.repeat(5000),
      randomBytes(3750).toString('base64url'),
      `${b64({ alg: 'none', typ: 'JWT' })}.${forged}.`,
      `${b64({ alg: 'none', kid, typ: 'JWT' })}.${forged}.`,
      `${b64({ alg: 'HS256', kid, typ: 'JWT' })}.${forged}.`,
      `${b64({ alg: 'HS512', kid, typ: 'JWT' })}.${payload}.${signature}`,
      `${header}.${forged}.${signature}`,
      `${header}.${forged}.${wrongKey}`,
      `${header}.${payload}.${signature.slice(0, -2)}`,
      `${header}.${payload}.${signature}x`,
      'a.b.c',
      '..',
      '!!.??.##',
      `${header}.${'%ff'.repeat(10)}.${signature}`,
      'a.b.c.d.e',
      '....',
      `${b64({ alg: 'dir', enc: 'A256GCM', kid })}.${randomBytes(12).toString('base64url')}.x.y.z`,
      `${b64({ alg: 'dir', enc: 'A256GCM', kid })}..${randomBytes(12).toString('base64url')}.${randomBytes(40).toString('base64url')}.${randomBytes(16).toString('base64url')}`,
      `${token}.${token}`,
      Array.from({ length: 2000 }, () => 'a').join('.'),
    ];
    reasons.length = 0;
    for (const value of garbage) {
      const res = await rawRequest(server.port, 'GET', '/whoami', { cookie: `session=${value}` });
      assert.equal(res.statusCode, 200, value.slice(0, 80));
      assert.deepEqual(res.json, { keys: [] }, value.slice(0, 80));
      assert.equal(res.headers['set-cookie'], undefined);
    }
    assert.equal(reasons.length, garbage.length, 'every garbage cookie was seen and refused');
    assert.deepEqual(app.errors, []);
    assert.deepEqual(
      (await rawRequest(server.port, 'GET', '/whoami', { cookie: `session=${token}` })).json,
      { keys: ['user'] },
    );
  });

  test('thousands of small cookies under the header limit: an empty session, not an error', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => `k${i}=v`).join('; ');
    const res = await rawRequest(server.port, 'GET', '/whoami', {
      cookie: `${many}; session=x.y.z`,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json, { keys: [] });
    const big = await exchange(
      server.port,
      `GET /whoami HTTP/1.1\r\nHost: x\r\nCookie: session=${'a'.repeat(100_000)}\r\n\r\n`,
    );
    assert.deepEqual(statuses(big.text), [431]);
  });
});

// serveStatic: safe path resolution (.., %2e%2e, %2F, NUL, absolute paths, symbolic links out of
// the root → 404; fast-check over the resolution), index files, dotfiles, .br/.gz siblings; and
// the range and conditional suite checked with curl against a real server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Microdot, type RunningServer } from '../../src/index.js';
import { serveStatic, staticSegments } from '../../src/static/index.js';
import { MODES } from '../helpers/clients.js';

const run = promisify(execFile);
const SECRET = 'TOP-SECRET-OUTSIDE-ROOT';
let base: string;
let root: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'microdot-static-'));
  root = join(base, 'public');
  await mkdir(join(root, 'css'), { recursive: true });
  await mkdir(join(root, 'docs'), { recursive: true });
  await mkdir(join(root, 'empty-dir'), { recursive: true });
  await writeFile(join(base, 'secret.txt'), SECRET);
  await writeFile(join(root, 'index.html'), '<h1>home</h1>');
  await writeFile(join(root, 'docs', 'index.html'), '<h1>docs</h1>');
  await writeFile(join(root, 'css', 'site.css'), 'body{}');
  await writeFile(join(root, '.env'), 'SECRET=1');
  await writeFile(join(root, 'app.js'), 'console.log("plain")');
  await writeFile(join(root, 'app.js.gz'), gzipSync('console.log("plain")'));
  await writeFile(join(root, 'app.js.br'), brotliCompressSync('console.log("plain")'));
  await writeFile(join(root, 'digits.txt'), '0123456789');
  await symlink(join(base, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(base, join(root, 'up'));
  await symlink(join(root, 'css', 'site.css'), join(root, 'inside.css'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

function staticApp(options?: Parameters<typeof serveStatic>[1]): Microdot {
  const app = new Microdot();
  app.get('/', serveStatic(root, options));
  app.get('/static/<path:path>', serveStatic(root, options));
  return app;
}

for (const mode of MODES) {
  describe(`serveStatic [${mode.name}]`, () => {
    test('files, content types, directory index files', async () => {
      const client = await mode.client(staticApp());
      let res = await client.get('/static/css/site.css');
      assert.deepEqual(
        [res.statusCode, res.headers['content-type'], res.text],
        [200, 'text/css', 'body{}'],
      );
      res = await client.get('/');
      assert.deepEqual([res.statusCode, res.text], [200, '<h1>home</h1>']);
      res = await client.get('/static/docs/');
      assert.deepEqual([res.statusCode, res.text], [200, '<h1>docs</h1>']);
      assert.equal((await client.get('/static/empty-dir')).statusCode, 404);
      assert.equal(
        (await client.get('/static/inside.css')).text,
        'body{}',
        'a link inside the root is fine',
      );
    });

    test('every way out of the root is a 404 and never shows what lies outside', async () => {
      const client = await mode.client(staticApp());
      for (const path of [
        '/static/../secret.txt',
        '/static/%2e%2e/secret.txt',
        '/static/%2E%2E%2Fsecret.txt',
        '/static/css/..%2F..%2Fsecret.txt',
        '/static/css%2F%2e%2e%2F%2e%2e%2Fsecret.txt',
        '/static/%2Fetc%2Fpasswd',
        '/static//etc/passwd',
        '/static/index.html%00.txt',
        '/static/..%5Csecret.txt',
        '/static/escape.txt',
        '/static/up/secret.txt',
        '/static/nope.txt',
        '/static/.',
      ]) {
        const res = await client.get(path);
        assert.ok([400, 404].includes(res.statusCode), `${path}: ${res.statusCode}`);
        assert.ok(!res.text.includes(SECRET), path);
      }
    });

    test('dotfiles: ignored (404) by default, 403 when denied, served when allowed', async () => {
      assert.equal((await (await mode.client(staticApp())).get('/static/.env')).statusCode, 404);
      assert.equal(
        (await (await mode.client(staticApp({ dotfiles: 'deny' }))).get('/static/.env')).statusCode,
        403,
      );
      assert.equal(
        (await (await mode.client(staticApp({ dotfiles: 'allow' }))).get('/static/.env')).text,
        'SECRET=1',
      );
    });

    test('a .br or .gz sibling when accepted, with Vary; the plain file otherwise', async () => {
      const client = await mode.client(staticApp({ maxAge: 60 }));
      let res = await client.get('/static/app.js', { headers: { 'Accept-Encoding': 'gzip, br' } });
      assert.equal(res.headers['content-encoding'], 'br');
      assert.equal(res.headers['content-type'], 'application/javascript');
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.equal(res.headers['cache-control'], 'max-age=60');
      res = await client.get('/static/app.js', { headers: { 'Accept-Encoding': 'gzip, br;q=0' } });
      assert.equal(res.headers['content-encoding'], 'gzip');
      res = await client.get('/static/app.js', { headers: { 'Accept-Encoding': 'identity' } });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.text, 'console.log("plain")');
      res = await client.get('/static/digits.txt', { headers: { 'Accept-Encoding': 'gzip, br' } });
      assert.deepEqual([res.headers['content-encoding'], res.text], [undefined, '0123456789']);
    });
  });
}

test('options are checked when the handler is made', () => {
  assert.throws(() => serveStatic(''), /root/);
  assert.throws(() => serveStatic('x', { dotfiles: 'sometimes' as never }), /dotfiles/);
  assert.throws(() => serveStatic('x', { index: 'a/b.html' }), /index/);
  assert.throws(() => serveStatic('x', { maxAge: 1.5 }), /maxAge/);
});

test('property: a path staticSegments accepts never resolves outside the root', () => {
  const piece = fc.constantFrom(
    '..',
    '.',
    '',
    'a',
    '.git',
    '%2e',
    '\\',
    '\0',
    '/',
    'b.txt',
    '..\\',
    ' ',
    '\u202e',
  );
  const path = fc.oneof(
    fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('/')),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );
  fc.assert(
    fc.property(
      path,
      fc.constantFrom('ignore', 'allow', 'deny') as fc.Arbitrary<'ignore' | 'allow' | 'deny'>,
      (p, dotfiles) => {
        const out = staticSegments(p, dotfiles);
        if (typeof out === 'number') return;
        const rootDir = resolve('/srv/public');
        const target = resolve(rootDir, ...out);
        assert.ok(
          target === rootDir || target.startsWith(rootDir + sep),
          `${JSON.stringify(p)} → ${target}`,
        );
        for (const segment of out) {
          assert.ok(
            segment !== '..' && segment !== '.' && segment !== '' && !segment.includes('\0'),
          );
          if (dotfiles !== 'allow') assert.ok(!segment.startsWith('.'));
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('property: any requested path either serves a file inside the root or gets a 4xx', async () => {
  const { TestClient } = await import('../../src/test-client.js');
  const client = new TestClient(staticApp({ dotfiles: 'allow' }));
  const piece = fc.constantFrom(
    '..',
    '%2e%2e',
    '%2F',
    '%5C',
    '%00',
    'css',
    'site.css',
    'up',
    'escape.txt',
    'secret.txt',
    '.',
    '%2e',
    '',
  );
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 6 }), async (parts) => {
      const res = await client.get(`/static/${parts.join('/')}`);
      assert.ok([200, 400, 403, 404].includes(res.statusCode), String(res.statusCode));
      assert.ok(!res.text.includes(SECRET));
    }),
    { numRuns: 300 },
  );
});

describe('ranges and conditional requests, checked with curl', () => {
  let server: RunningServer;
  const curl = async (...args: string[]) => {
    const { stdout } = await run('curl', ['-s', '-S', '--max-time', '5', '-D', '-', ...args]);
    const [head = '', body = ''] = stdout.split('\r\n\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim();
    return { status, header, body };
  };
  before(async () => {
    server = await staticApp().startServer({ port: 0 });
  });
  after(async () => {
    await server.close();
  });
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  test('range, suffix range, open range, unsatisfiable range', async () => {
    let r = await curl('-r', '2-5', url('/static/digits.txt'));
    assert.deepEqual([r.status, r.body, r.header('content-range')], [206, '2345', 'bytes 2-5/10']);
    r = await curl('-r', '-3', url('/static/digits.txt'));
    assert.deepEqual([r.status, r.body], [206, '789']);
    r = await curl('-r', '8-', url('/static/digits.txt'));
    assert.deepEqual([r.status, r.body], [206, '89']);
    r = await curl('-r', '50-60', url('/static/digits.txt'));
    assert.deepEqual([r.status, r.header('content-range')], [416, 'bytes */10']);
  });

  test('ETag and Last-Modified revalidation, HEAD, curl --compressed', async () => {
    const first = await curl(url('/static/digits.txt'));
    const etag = first.header('etag')!;
    assert.equal(first.status, 200);
    let r = await curl('-H', `If-None-Match: ${etag}`, url('/static/digits.txt'));
    assert.deepEqual([r.status, r.body], [304, '']);
    r = await curl('-z', first.header('last-modified')!, url('/static/digits.txt'));
    assert.equal(r.status, 304, 'curl -z sends If-Modified-Since');
    r = await curl('-I', url('/static/digits.txt'));
    assert.deepEqual([r.status, r.header('content-length')], [200, '10']);
    assert.ok(!r.body.includes('0123'), 'HEAD sends no body');
    r = await curl('-r', '0-1', '-H', 'If-Range: "stale"', url('/static/digits.txt'));
    assert.deepEqual([r.status, r.body], [200, '0123456789']);
    r = await curl('--compressed', url('/static/app.js'));
    assert.equal(r.status, 200);
    assert.ok(['br', 'gzip'].includes(r.header('content-encoding') ?? ''));
    assert.equal(r.body, 'console.log("plain")', 'curl decoded the sibling back to the file');
  });
});

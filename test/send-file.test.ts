// Response.sendFile: Microdot's tests/test_response.py send_file cases (named after them), then
// our own: ETag/Last-Modified and 304, HEAD, single byte ranges (206/416), a missing file (404),
// streamed from disk. Every case runs in-process and over real HTTP.
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Microdot, Response } from '../src/index.js';
import { MODES, type Mode } from './helpers/clients.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microdot-send-file-'));
  await writeFile(join(dir, 'test.txt'), 'foo\n');
  await writeFile(join(dir, 'test.txt.gz'), gzipSync('foo\n'));
  await writeFile(join(dir, 'test.gz'), gzipSync('foo\n'));
  await writeFile(join(dir, 'digits.txt'), '0123456789');
  await writeFile(join(dir, 'empty.txt'), '');
  await utimes(
    join(dir, 'digits.txt'),
    new Date('2024-01-02T03:04:05Z'),
    new Date('2024-01-02T03:04:05Z'),
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);

/** Serves test.txt as text/html (Microdot's send_file case) and checks the answer. */
async function expectTestTxt(mode: Mode): Promise<void> {
  const app = new Microdot();
  app.get('/', () => Response.sendFile(file('test.txt'), { contentType: 'text/html' }));
  const res = await (await mode.client(app)).get('/');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/html');
  assert.equal(res.text, 'foo\n');
}

for (const mode of MODES) {
  describe(`Microdot's test_response.py, send_file [${mode.name}]`, () => {
    test('test_send_file', async () => {
      await expectTestTxt(mode);
    });

    test('test_send_file_small_buffer', async () => {
      const saved = Response.sendFileBufferSize;
      Response.sendFileBufferSize = 2;
      try {
        await expectTestTxt(mode);
      } finally {
        Response.sendFileBufferSize = saved;
      }
    });

    test('test_send_file_max_age', async () => {
      let res = Response.sendFile(file('test.txt'), { maxAge: 123 });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'max-age=123');
      Response.defaultSendFileMaxAge = 456;
      try {
        res = Response.sendFile(file('test.txt'));
        assert.equal(res.headers['cache-control'], 'max-age=456');
        res = Response.sendFile(file('test.txt'), { maxAge: 123 });
        assert.equal(res.headers['cache-control'], 'max-age=123');
      } finally {
        Response.defaultSendFileMaxAge = undefined;
      }
    });

    test('test_send_file_compressed', async () => {
      let res = Response.sendFile(file('test.txt'), { compressed: true });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.headers['content-encoding'], 'gzip');
      res = Response.sendFile(file('test.txt'), { compressed: 'foo' });
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.headers['content-encoding'], 'foo');
      const app = new Microdot();
      app.get('/', () =>
        Response.sendFile(file('test'), { compressed: true, fileExtension: '.gz' }),
      );
      const got = await (await mode.client(app)).get('/');
      assert.equal(got.statusCode, 200);
      assert.equal(got.headers['content-type'], 'application/octet-stream');
      assert.equal(got.headers['content-encoding'], 'gzip');
    });

    test('test_send_file_gzip_handling', async () => {
      let res = Response.sendFile(file('test.txt.gz'));
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/octet-stream');
      res = Response.sendFile(file('test.txt.gz'), { compressed: true });
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.headers['content-encoding'], 'gzip');
    });
  });

  describe(`sendFile: validators, HEAD and ranges [${mode.name}]`, () => {
    const app = new Microdot();
    app.get('/digits', () => Response.sendFile(file('digits.txt')));
    app.get('/empty', () => Response.sendFile(file('empty.txt')));
    app.get('/missing', () => Response.sendFile(file('nope.txt')));
    app.get('/dir', () => Response.sendFile(dir));
    app.get('/teapot', () => Response.sendFile(file('digits.txt'), { status: 418 }));
    const LAST_MODIFIED = 'Tue, 02 Jan 2024 03:04:05 GMT';

    test('a 200 carries Content-Length, ETag, Last-Modified and Accept-Ranges', async () => {
      const res = await (await mode.client(app)).get('/digits');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '0123456789');
      assert.equal(res.headers['content-length'], '10');
      assert.match(String(res.headers.etag), /^"[0-9a-f]+-[0-9a-f]+"$/);
      assert.equal(res.headers['last-modified'], LAST_MODIFIED);
      assert.equal(res.headers['accept-ranges'], 'bytes');
    });

    test('If-None-Match and If-Modified-Since give 304 without a body', async () => {
      const client = await mode.client(app);
      const etag = String((await client.get('/digits')).headers.etag);
      const fresh: Record<string, string>[] = [
        { 'If-None-Match': etag },
        { 'If-None-Match': `"other", W/${etag}` },
        { 'If-None-Match': '*' },
        { 'If-Modified-Since': LAST_MODIFIED },
        { 'If-Modified-Since': 'Wed, 03 Jan 2024 00:00:00 GMT' },
      ];
      for (const headers of fresh) {
        const res = await client.get('/digits', { headers });
        assert.equal(res.statusCode, 304, JSON.stringify(headers));
        assert.equal(res.text, '');
        assert.equal(res.headers.etag, etag);
      }
      const stale: Record<string, string>[] = [
        { 'If-None-Match': '"other"' },
        { 'If-Modified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' },
        { 'If-Modified-Since': 'not a date' },
        { 'If-None-Match': '"other"', 'If-Modified-Since': LAST_MODIFIED },
      ];
      for (const headers of stale) {
        assert.equal(
          (await client.get('/digits', { headers })).statusCode,
          200,
          JSON.stringify(headers),
        );
      }
    });

    test('HEAD: the headers of a GET, no body', async () => {
      const res = await (await mode.client(app)).head('/digits');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-length'], '10');
      assert.equal(res.body.byteLength, 0);
    });

    test('one byte range: 206 with Content-Range; past the end: 416', async () => {
      const client = await mode.client(app);
      for (const [range, text, contentRange] of [
        ['bytes=0-3', '0123', 'bytes 0-3/10'],
        ['bytes=7-', '789', 'bytes 7-9/10'],
        ['bytes=-2', '89', 'bytes 8-9/10'],
        ['bytes=5-100', '56789', 'bytes 5-9/10'],
        ['bytes=-100', '0123456789', 'bytes 0-9/10'],
      ] as const) {
        const res = await client.get('/digits', { headers: { Range: range } });
        assert.equal(res.statusCode, 206, range);
        assert.equal(res.text, text, range);
        assert.equal(res.headers['content-range'], contentRange);
        assert.equal(res.headers['content-length'], String(text.length));
      }
      for (const range of ['bytes=10-', 'bytes=99-100', 'bytes=-0']) {
        const res = await client.get('/digits', { headers: { Range: range } });
        assert.equal(res.statusCode, 416, range);
        assert.equal(res.headers['content-range'], 'bytes */10');
      }
      // Ignored (the whole file): several ranges, other units, nonsense, a reversed range.
      for (const range of ['bytes=0-1,3-4', 'items=0-1', 'bytes=abc', 'bytes=5-2', 'bytes=-']) {
        const res = await client.get('/digits', { headers: { Range: range } });
        assert.equal(res.statusCode, 200, range);
        assert.equal(res.text, '0123456789');
      }
    });

    test('If-Range: the range only while the file is unchanged', async () => {
      const client = await mode.client(app);
      const etag = String((await client.get('/digits')).headers.etag);
      let res = await client.get('/digits', { headers: { Range: 'bytes=0-0', 'If-Range': etag } });
      assert.equal(res.statusCode, 206);
      res = await client.get('/digits', {
        headers: { Range: 'bytes=0-0', 'If-Range': LAST_MODIFIED },
      });
      assert.equal(res.statusCode, 206);
      res = await client.get('/digits', { headers: { Range: 'bytes=0-0', 'If-Range': '"stale"' } });
      assert.equal(res.statusCode, 200);
      res = await client.get('/digits', {
        headers: { Range: 'bytes=0-0', 'If-Range': `W/${etag}` },
      });
      assert.equal(res.statusCode, 200, 'a weak tag never allows a range');
    });

    test('an empty file, a missing file, a directory, another status', async () => {
      const client = await mode.client(app);
      let res = await client.get('/empty');
      assert.deepEqual([res.statusCode, res.text, res.headers['content-length']], [200, '', '0']);
      res = await client.get('/empty', { headers: { Range: 'bytes=0-' } });
      assert.equal(res.statusCode, 416);
      assert.equal((await client.get('/missing')).statusCode, 404);
      assert.equal((await client.get('/dir')).statusCode, 404);
      res = await client.get('/teapot', { headers: { Range: 'bytes=0-0' } });
      assert.deepEqual(
        [res.statusCode, res.text],
        [418, '0123456789'],
        'no range or validators on a non-200',
      );
    });
  });
}

test('sendFile options are checked when the response is made', () => {
  assert.throws(() => Response.sendFile(''), /path/);
  assert.throws(() => Response.sendFile('x', { maxAge: -1 }), /maxAge/);
});

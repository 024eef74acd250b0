// Our own cases for microdot-ts/multipart: safe file names, limits (413), large uploads
// streamed to temporary files that are always removed, and the iterator's edges. Each runs
// in-process and over real HTTP.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import {
  FileUpload,
  FormDataIter,
  openTempFiles,
  withFormData,
} from '../../src/multipart/index.js';
import { MODES, quietApp } from '../helpers/clients.js';

const BOUNDARY = 'XyZ-0123456789';
const HEADERS = { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` };

type Part = { name: string; value: string | Uint8Array; filename?: string; type?: string };

/** A multipart/form-data body with BOUNDARY. */
export function formBody(parts: readonly Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    if (p.type !== undefined) head += `\r\nContent-Type: ${p.type}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microdot-multipart-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
/** Temporary files left in the test's upload directory. */
const leftovers = async () => (await readdir(dir)).filter((f) => f.startsWith('microdot-upload-'));

for (const mode of MODES) {
  describe(`multipart [${mode.name}]`, () => {
    test('a file name is reduced to a safe base name; the raw one stays available', async () => {
      const app = new Microdot();
      app.post(
        '/',
        withFormData((req) => [...req.files].map(([, f]) => [f.filename, f.rawFilename])),
      );
      const client = await mode.client(app);
      const res = await client.post('/', {
        headers: HEADERS,
        body: formBody([
          { name: 'a', value: 'x', filename: '../../etc/passwd' },
          { name: 'b', value: 'x', filename: 'C:\\Users\\me\\photo.jpg' },
          { name: 'c', value: 'x', filename: '..' },
          { name: 'd', value: 'x', filename: '.htaccess' },
          { name: 'e', value: 'x', filename: 'résumé.pdf' },
        ]),
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json, [
        ['passwd', '../../etc/passwd'],
        ['photo.jpg', 'C:\\Users\\me\\photo.jpg'],
        ['', '..'],
        ['htaccess', '.htaccess'],
        ['résumé.pdf', 'résumé.pdf'],
      ]);
    });

    test('a large upload is streamed to a temporary file, read back whole, then removed', async () => {
      const app = new Microdot({ maxContentLength: 8 * 1024 * 1024 });
      let tempSeen = 0;
      app.post(
        '/',
        withFormData(
          async (req) => {
            tempSeen = (await leftovers()).length;
            const file = req.files.get('blob')!;
            const bytes = await file.read();
            return { title: req.form?.get('title'), size: file.size, sha: sha(bytes) };
          },
          { tmpDir: dir, maxMemorySize: 64 * 1024 },
        ),
      );
      const client = await mode.client(app);
      const blob = randomBytes(5 * 1024 * 1024);
      const res = await client.post('/', {
        headers: HEADERS,
        body: formBody([
          { name: 'title', value: 'five megabytes' },
          { name: 'blob', value: blob, filename: 'blob.bin', type: 'application/octet-stream' },
        ]),
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json, {
        title: 'five megabytes',
        size: blob.byteLength,
        sha: sha(blob),
      });
      assert.equal(tempSeen, 1, 'the file was on disk while the handler ran');
      assert.deepEqual(await leftovers(), [], 'and gone after');
    });

    test('a handler that throws still has its temporary files removed', async () => {
      const app = quietApp(new Microdot({ maxContentLength: 1024 * 1024 }));
      app.post(
        '/',
        withFormData(
          () => {
            throw new Error('handler failed');
          },
          { tmpDir: dir, maxMemorySize: 10 },
        ),
      );
      const client = await mode.client(app);
      const res = await client.post('/', {
        headers: HEADERS,
        body: formBody([{ name: 'f', value: randomBytes(50_000), filename: 'f.bin' }]),
      });
      assert.equal(res.statusCode, 500);
      assert.deepEqual(await leftovers(), []);
    });

    for (const [what, options, parts] of [
      [
        'maxFileSize',
        { maxFileSize: 1000 },
        [{ name: 'f', value: 'x'.repeat(1001), filename: 'f' }],
      ],
      [
        'maxParts',
        { maxParts: 3 },
        Array.from({ length: 4 }, (_, i) => ({ name: `p${i}`, value: 'v' })),
      ],
      ['maxFieldSize', { maxFieldSize: 10 }, [{ name: 'a', value: 'x'.repeat(11) }]],
    ] as const) {
      test(`over ${what}: 413, the handler never runs, no temporary file`, async () => {
        let ran = false;
        const app = new Microdot({ maxContentLength: 1024 * 1024 });
        app.post(
          '/',
          withFormData(
            () => {
              ran = true;
            },
            { ...options, tmpDir: dir, maxMemorySize: 0 },
          ),
        );
        const client = await mode.client(app);
        const res = await client.post('/', { headers: HEADERS, body: formBody(parts) });
        assert.equal(res.statusCode, 413);
        assert.equal(ran, false);
        assert.deepEqual(await leftovers(), []);
      });
    }

    test('a multipart body over maxContentLength: 413', async () => {
      const app = new Microdot({ maxContentLength: 1000 });
      app.post(
        '/',
        withFormData(() => 'never'),
      );
      const client = await mode.client(app);
      const body = formBody([{ name: 'f', value: 'x'.repeat(2000), filename: 'f' }]);
      assert.equal((await client.post('/', { headers: HEADERS, body })).statusCode, 413);
    });

    test('without withFormData a multipart body leaves req.form and req.files empty', async () => {
      const app = new Microdot();
      app.post('/', (req) => ({ form: req.form ?? null, files: req.files.size }));
      const client = await mode.client(app);
      const res = await client.post('/', {
        headers: HEADERS,
        body: formBody([{ name: 'a', value: 'b' }]),
      });
      assert.deepEqual(res.json, { form: null, files: 0 });
    });

    test('FormDataIter: leaving early is fine; a file not read is skipped; save() streams', async () => {
      const app = new Microdot({ maxContentLength: 4 * 1024 * 1024 });
      const target = join(dir, `saved-${mode.name}.bin`);
      app.post('/first', async (req) => {
        for await (const [name] of new FormDataIter(req)) return name;
        return 'none';
      });
      app.post('/save', async (req) => {
        const seen: string[] = [];
        for await (const [name, value] of new FormDataIter(req)) {
          seen.push(name);
          if (value instanceof FileUpload && name === 'keep') await value.save(target);
        }
        return seen;
      });
      const client = await mode.client(app);
      const big = randomBytes(1024 * 1024);
      const body = formBody([
        { name: 'skip', value: big, filename: 'skip.bin' },
        { name: 'keep', value: big, filename: 'keep.bin' },
        { name: 'after', value: 'x' },
      ]);
      assert.equal((await client.post('/first', { headers: HEADERS, body })).text, 'skip');
      const res = await client.post('/save', { headers: HEADERS, body });
      assert.deepEqual(res.json, ['skip', 'keep', 'after']);
      assert.equal(sha(await readFile(target)), sha(big));
    });

    test('copy() keeps a small file in memory and reports its size', async () => {
      const app = new Microdot();
      app.post('/', async (req) => {
        for await (const [, value] of new FormDataIter(req)) {
          if (typeof value === 'string') continue;
          await value.copy(100, dir);
          const left = openTempFiles().length;
          const text = Buffer.from(await value.read()).toString();
          await value.close();
          return { size: value.size, text, left };
        }
        return 'no file';
      });
      const client = await mode.client(app);
      const res = await client.post('/', {
        headers: HEADERS,
        body: formBody([{ name: 'f', value: 'hello', filename: 'f.txt', type: 'text/plain' }]),
      });
      assert.deepEqual(res.json, { size: 5, text: 'hello', left: 0 });
    });
  });
}

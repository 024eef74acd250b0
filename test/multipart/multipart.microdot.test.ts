// Ports Microdot's tests/test_multipart.py case by case (each test named after the Python
// one), in-process and over real HTTP. Microdot's class attributes (FileUpload.max_memory_size,
// FormDataIter.buffer_size) become our options; the expected values are Microdot's.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import {
  FileUpload,
  FormDataIter,
  openTempFiles,
  withFormData,
} from '../../src/multipart/index.js';
import { MODES } from '../helpers/clients.js';

const MULTIPART = { 'Content-Type': 'multipart/form-data; boundary=boundary' };

function part(name: string, value: string, file?: { filename: string; type: string }): string {
  const disposition = file
    ? `form-data; name="${name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}`
    : `form-data; name="${name}"`;
  return `--boundary\r\nContent-Disposition: ${disposition}\r\n\r\n${value}\r\n`;
}
const END = '--boundary--\r\n';

for (const mode of MODES) {
  describe(`Microdot's test_multipart.py [${mode.name}]`, () => {
    test('test_simple_form', async () => {
      const app = new Microdot();
      app.post(
        '/sync',
        withFormData((req) => Object.fromEntries(req.form ?? [])),
      );
      app.post(
        '/async',
        withFormData(async (req) => Object.fromEntries(req.form ?? [])),
      );
      const client = await mode.client(app);
      const body = part('foo', 'bar') + part('baz', 'baz') + END;
      for (const path of ['/sync', '/async']) {
        const res = await client.post(path, { headers: MULTIPART, body });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json, { foo: 'bar', baz: 'baz' });
      }
    });

    test('test_form_with_files', async () => {
      const app = new Microdot();
      app.post(
        '/async',
        withFormData(
          async (req) => {
            const d: Record<string, string> = Object.fromEntries(req.form ?? []);
            for (const [name, file] of req.files) {
              d[name] =
                `${file.filename}|${file.contentType}|${Buffer.from(await file.read()).toString()}`;
            }
            return d;
          },
          { maxMemorySize: 5 },
        ),
      );
      const client = await mode.client(app);
      const res = await client.post('/async', {
        headers: MULTIPART,
        body:
          part('foo', 'bar') +
          part('f', 'baz', { filename: 'f', type: 'text/plain' }) +
          part('g', '<p>hello</p>', { filename: 'g', type: 'text/html' }) +
          part('x', 'y') +
          END,
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json, {
        foo: 'bar',
        x: 'y',
        f: 'f|text/plain|baz',
        g: 'g|text/html|<p>hello</p>',
      });
      assert.deepEqual(openTempFiles(), [], 'the temporary file of g is gone');
    });

    test('test_large_file_upload', async () => {
      const app = new Microdot();
      app.post(
        '/',
        withFormData(async (req) => ({ len: (await req.files.get('f')!.read()).byteLength }), {
          maxMemorySize: 200,
        }),
      );
      const client = await mode.client(app);
      const res = await client.post('/', {
        headers: MULTIPART,
        body: part('f', '*'.repeat(398), { filename: 'f', type: 'text/plain' }) + END,
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json, { len: 398 });
      assert.deepEqual(openTempFiles(), []);
    });

    test('test_file_save', async () => {
      const target = join(tmpdir(), `microdot-test-save-${process.pid}-${mode.name}.txt`);
      const app = new Microdot();
      app.post(
        '/async',
        withFormData(async (req) => {
          for (const [, file] of req.files) await file.save(target);
        }),
      );
      const client = await mode.client(app);
      const res = await client.post('/async', {
        headers: MULTIPART,
        body: part('foo', 'bar') + part('f', 'baz', { filename: 'f', type: 'text/plain' }) + END,
      });
      assert.equal(res.statusCode, 204);
      assert.equal(await readFile(target, 'utf8'), 'baz');
      await rm(target);
    });

    test('test_no_form', async () => {
      const app = new Microdot();
      app.post(
        '/async',
        withFormData(async (req) => String(req.form)),
      );
      const client = await mode.client(app);
      const res = await client.post('/async', { json: { foo: 'bar' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'undefined'); // Python's str(None) is 'None'
    });

    test('test_upload_iterator', async () => {
      const app = new Microdot();
      app.post('/async', async (req) => {
        const d: Record<string, string> = {};
        for await (const [name, value] of new FormDataIter(req)) {
          if (value instanceof FileUpload) {
            d[name] =
              `${value.filename}|${value.contentType}|${Buffer.from(await value.read(4)).toString()}`;
          } else {
            d[name] = value;
          }
        }
        return d;
      });
      const client = await mode.client(app);
      const res = await client.post('/async', {
        headers: MULTIPART,
        body:
          part('foo', 'bar') +
          part('f', 'baz', { filename: 'f', type: 'text/plain' }) +
          part('g', '<p>hello</p>', { filename: 'g.h', type: 'text/html' }) +
          part('x', 'y') +
          part('h', `yy${'z'.repeat(500)}`, { filename: 'hh', type: 'text/plain' }) +
          part('i', '1234', { filename: 'i.1', type: 'text/plain' }) +
          END,
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json, {
        foo: 'bar',
        f: 'f|text/plain|baz',
        g: 'g.h|text/html|<p>h',
        x: 'y',
        h: 'hh|text/plain|yyzz',
        i: 'i.1|text/plain|1234',
      });
    });
  });
}

// Properties of the multipart parser (busboy behind PartHeaderCheck), fed through app.fetch in
// arbitrary chunks: any form round-trips; any truncated, corrupted or spliced body gets a 200,
// 400 or 413 and never a 500, and leaves no temporary file; the header check does not depend on
// where the chunks are cut; safe file names stay safe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Microdot } from '../../src/index.js';
import { PartHeaderCheck } from '../../src/multipart/header-check.js';
import {
  FileUpload,
  FormDataIter,
  openTempFiles,
  safeFilename,
  withFormData,
} from '../../src/multipart/index.js';

const BOUNDARY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?";
const boundaryArb = fc
  .array(fc.constantFrom(...BOUNDARY_CHARS), { minLength: 1, maxLength: 70 })
  .map((cs) => cs.join(''));
const nameArb = fc.stringMatching(/^[A-Za-z0-9_\-.[\] ]{1,20}$/);
const partArb = fc.oneof(
  fc.record({
    kind: fc.constant('field' as const),
    name: nameArb,
    value: fc.string({ unit: 'grapheme', maxLength: 200 }),
  }),
  fc.record({
    kind: fc.constant('file' as const),
    name: nameArb,
    filename: fc.stringMatching(/^[A-Za-z0-9_\-. ]{1,30}$/),
    bytes: fc.uint8Array({ maxLength: 3000 }),
  }),
);
type PartSpec = typeof partArb extends fc.Arbitrary<infer T> ? T : never;

function bodyOf(boundary: string, parts: readonly PartSpec[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const file =
      p.kind === 'file'
        ? `; filename="${p.filename}"\r\nContent-Type: application/octet-stream`
        : '';
    out.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}\r\n\r\n`,
      ),
    );
    out.push(p.kind === 'file' ? Buffer.from(p.bytes) : Buffer.from(p.value));
    out.push(Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

/** `body` cut at the given points (sorted, in range), as chunks. */
function split(body: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, body.length]) {
    if (p > at) out.push(body.subarray(at, p));
    at = Math.max(at, p);
  }
  return out;
}

function post(
  app: Microdot,
  path: string,
  boundary: string,
  chunks: Uint8Array[],
): Promise<globalThis.Response> {
  const queue = [...chunks];
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
  return app.fetch(
    new globalThis.Request(`http://x${path}`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: stream,
      duplex: 'half',
    } as RequestInit),
  );
}

const app = new Microdot({ maxContentLength: 1024 * 1024, maxBodyLength: 512 });
app.logError = (err) => {
  throw new Error(`a server error: ${String(err)}`);
};
app.post('/iter', async (req) => {
  const out: unknown[] = [];
  for await (const [name, value] of new FormDataIter(req)) {
    if (value instanceof FileUpload)
      out.push([name, value.filename, Buffer.from(await value.read()).toString('base64')]);
    else out.push([name, value]);
  }
  return out;
});
app.post(
  '/with',
  withFormData((req) => ({ fields: req.form?.size ?? 0, files: req.files.size }), {
    maxMemorySize: 100,
  }),
);

test('any form round-trips, however the body is cut into chunks', async () => {
  await fc.assert(
    fc.asyncProperty(
      boundaryArb,
      fc.array(partArb, { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      async (boundary, parts, cuts) => {
        fc.pre(
          parts.every(
            (p) =>
              !bodyOf(boundary, [p])
                .subarray(0, -(boundary.length + 6))
                .includes(`\r\n--${boundary}`, 2),
          ),
        );
        const body = bodyOf(boundary, parts);
        const res = await post(app, '/iter', boundary, split(body, cuts));
        assert.equal(res.status, 200);
        const expected = parts.map((p) =>
          p.kind === 'file'
            ? [p.name, safeFilename(p.filename), Buffer.from(p.bytes).toString('base64')]
            : [p.name, p.value],
        );
        assert.deepEqual(await res.json(), expected);
      },
    ),
    { numRuns: 150 },
  );
});

test('truncated, corrupted or spliced bodies: 200, 400 or 413, never a 500, no temporary file', async () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
    }),
    fc.record({
      kind: fc.constant('insert-crlf' as const),
      at: fc.nat(),
      text: fc.constantFrom('\r', '\n', '\r\n', '\0', '--', '\r\n\r\n'),
    }),
  );
  await fc.assert(
    fc.asyncProperty(
      boundaryArb,
      fc.array(partArb, { minLength: 1, maxLength: 5 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      async (boundary, parts, mutations, cuts) => {
        let body = bodyOf(boundary, parts);
        for (const m of mutations) {
          const at = m.at % (body.length + 1);
          if (m.kind === 'truncate') body = body.subarray(0, at);
          else if (m.kind === 'flip')
            body = Buffer.concat([
              body.subarray(0, at),
              Buffer.from([m.byte]),
              body.subarray(at + 1),
            ]);
          else {
            const extra =
              m.kind === 'insert' ? Buffer.from(m.bytes) : Buffer.from(m.text, 'latin1');
            body = Buffer.concat([body.subarray(0, at), extra, body.subarray(at)]);
          }
        }
        for (const path of ['/iter', '/with']) {
          const res = await post(app, path, boundary, split(body, cuts));
          assert.ok(
            [200, 400, 413].includes(res.status),
            `${path}: ${res.status} ${await res.text()}`,
          );
          await res.arrayBuffer().catch(() => undefined);
        }
        assert.deepEqual(openTempFiles(), []);
      },
    ),
    { numRuns: 200 },
  );
});

test('PartHeaderCheck gives the same verdict however the body is cut', () => {
  fc.assert(
    fc.property(
      boundaryArb,
      fc.array(partArb, { maxLength: 4 }),
      fc.uint8Array({ maxLength: 30 }),
      fc.nat(),
      fc.array(fc.nat(), { maxLength: 10 }),
      (boundary, parts, noise, at, cuts) => {
        const clean = bodyOf(boundary, parts);
        const pos = at % (clean.length + 1);
        const body = Buffer.concat([clean.subarray(0, pos), noise, clean.subarray(pos)]);
        const verdict = (chunks: Uint8Array[]) => {
          const check = new PartHeaderCheck(boundary);
          for (const c of chunks) {
            const problem = check.write(c);
            if (problem !== undefined) return problem;
          }
          return check.end();
        };
        assert.equal(verdict(split(body, cuts)), verdict([body]));
        if (noise.length === 0) assert.equal(verdict([body]), undefined);
      },
    ),
    { numRuns: 500 },
  );
});

test('safeFilename never gives a path, a control character, a leading dot or more than 255 bytes', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.stringMatching(/^[./\\a-z\u0000\r\n ]{0,40}$/),
      ),
      (raw) => {
        const name = safeFilename(raw);
        assert.ok(!/[/\\\u0000-\u001f\u007f]/.test(name), JSON.stringify(name));
        assert.ok(!name.startsWith('.'));
        assert.ok(Buffer.byteLength(name) <= 255);
        assert.equal(name, name.trim());
        assert.equal(safeFilename(name), name, 'idempotent');
      },
    ),
    { numRuns: 600 },
  );
});

// Hostile uploads against a real server on 127.0.0.1 (issue #15): a million tiny parts, a
// declared 1 GB body, path tricks and control characters in names, bad boundaries, a cut-off
// body, a client that leaves mid-file. Each gets a 4xx, never a 500; no temporary file stays;
// memory stays bounded.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Microdot, type RunningServer } from '../../src/index.js';
import {
  FileUpload,
  FormDataIter,
  openTempFiles,
  withFormData,
} from '../../src/multipart/index.js';
import { quietApp, rawRequest } from '../helpers/clients.js';
import { exchange, statuses } from '../helpers/raw-http.js';

const B = 'hostile-boundary';

/** Samples this process's RSS every 20 ms; `stop()` ends that and says how much it grew at most. */
function rssGrowth(): { stop(): number } {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(sampler);
      return peak - rss0;
    },
  };
}

describe('hostile uploads against a real server', () => {
  const app = quietApp(
    new Microdot({ maxContentLength: 200 * 1024 * 1024, maxBodyLength: 64 * 1024 }),
  );
  let server: RunningServer;
  let dir: string;
  let handled = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'microdot-hostile-upload-'));
    const options = { tmpDir: dir, maxMemorySize: 1024 };
    app.post(
      '/upload',
      withFormData(async (req) => {
        handled++;
        const saved: string[] = [];
        for (const [, file] of req.files) {
          if (file.filename === '') continue;
          await file.save(join(dir, file.filename)); // the safe name keeps it inside dir
          saved.push(file.filename);
        }
        return { fields: req.form?.size ?? 0, saved };
      }, options),
    );
    app.post('/iterate', async (req) => {
      let n = 0;
      for await (const [, value] of new FormDataIter(req)) {
        if (value instanceof FileUpload) await value.read();
        n++;
      }
      return { n };
    });
    app.get('/', () => 'still serving');
    server = await app.startServer({ port: 0 });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const leftovers = async () =>
    (await readdir(dir)).filter((f) => f.startsWith('microdot-upload-'));
  async function assertClean(): Promise<void> {
    for (let i = 0; i < 50 && (await leftovers()).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(await leftovers(), [], 'no temporary file left');
    assert.deepEqual(openTempFiles(), []);
    assert.deepEqual(app.errors, [], 'nothing reported as a server error');
    assert.equal((await rawRequest(server.port, 'GET', '/')).text, 'still serving');
  }
  const post = (path: string, body: string | Buffer, boundary = B) =>
    rawRequest(
      server.port,
      'POST',
      path,
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
    );
  const field = (disposition: string, value = 'v') =>
    `--${B}\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n${value}\r\n`;

  test('a million tiny parts: 413 at maxParts, memory bounded, the sender cut off', async () => {
    const part = Buffer.from(field('name="a"', ''), 'latin1');
    const perWrite = 2000;
    const block = Buffer.concat(Array.from({ length: perWrite }, () => part));
    const total = 1_000_000;
    const rss = rssGrowth();
    let timer: NodeJS.Timeout | undefined;
    const r = await exchange(
      server.port,
      (write) => {
        write(
          `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${part.length * total + B.length + 6}\r\n\r\n`,
        );
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += perWrite;
            if (!write(block)) return;
          }
        };
        // Written as the socket drains, so the client never holds more than a block or two.
        timer = setInterval(pump, 1);
        pump();
      },
      10_000,
    );
    const grown = rss.stop();
    clearInterval(timer);
    assert.deepEqual(statuses(r.text), [413]);
    assert.ok(r.closed);
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${(grown / 1e6).toFixed(1)} MB`);
    await assertClean();
  });

  test('a declared 1 GB body: 413 at once, nothing read', async () => {
    const r = await exchange(
      server.port,
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${1024 ** 3}\r\n\r\n`,
    );
    assert.deepEqual(statuses(r.text), [413]);
    assert.ok(r.closed);
    await assertClean();
  });

  test('../../etc/passwd and friends are saved inside the upload directory, by their base name', async () => {
    const names = ['../../etc/passwd', '/etc/shadow', '..\\..\\win.ini', '....//x', '.'];
    const body = `${names.map((n, i) => field(`name="f${i}"; filename="${n}"`, 'pwned')).join('')}--${B}--\r\n`;
    const res = await post('/upload', body);
    assert.equal(res.statusCode, 200);
    assert.deepEqual((res.json as { saved: string[] }).saved, ['passwd', 'shadow', 'win.ini', 'x']);
    const inside = (await readdir(dir)).sort();
    assert.deepEqual(inside, ['passwd', 'shadow', 'win.ini', 'x']);
    for (const f of inside) await rm(join(dir, f));
    await assertClean();
  });

  test('NUL, CR or LF in a name or file name: 400', async () => {
    const before = handled;
    for (const bad of ['a\u0000b', 'a\rb', 'a\nb', 'a\r\nb']) {
      for (const disposition of [`name="${bad}"`, `name="f"; filename="${bad}.txt"`]) {
        for (const path of ['/upload', '/iterate']) {
          const res = await post(path, `${field(disposition)}--${B}--\r\n`);
          assert.equal(res.statusCode, 400, `${JSON.stringify(disposition)} on ${path}`);
        }
      }
    }
    assert.equal(handled, before, 'withFormData never ran the handler');
    await assertClean();
  });

  test('a missing, empty or overlong boundary: 400', async () => {
    const body = `${field('name="a"')}--${B}--\r\n`;
    for (const type of [
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=""',
      `multipart/form-data; boundary=${'b'.repeat(71)}`,
    ]) {
      const res = await rawRequest(
        server.port,
        'POST',
        '/upload',
        { 'content-type': type },
        Buffer.from(body),
      );
      assert.equal(res.statusCode, 400, type);
    }
    const long = 'q'.repeat(5000);
    const res = await post(
      '/upload',
      `--${long}\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--${long}--\r\n`,
      long,
    );
    assert.equal(res.statusCode, 400);
    await assertClean();
  });

  test('a cut-off body (no closing delimiter, or cut mid-file): 400, no temporary file', async () => {
    const big = 'z'.repeat(200_000);
    for (const body of [
      field('name="a"'),
      `${field('name="f"; filename="f.bin"', big)}--${B}`,
      `--${B}\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n${big}`,
      `--${B}\r\nContent-Disposition: form-data; name="f"`,
      'not multipart at all',
      '',
    ]) {
      const res = await post('/upload', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body.slice(0, 60)));
    }
    await assertClean();
  });

  test('a client that disconnects mid-file: no handler, no temporary file, no server error', async () => {
    const before = handled;
    await new Promise<void>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', () => resolve());
      const head = `--${B}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n`;
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n${head}`,
      );
      socket.write(Buffer.alloc(3 * 1024 * 1024, 7), () => {
        setTimeout(() => socket.destroy(), 100);
      });
    });
    assert.equal(handled, before);
    await assertClean();
  });

  test('a 100 MB upload goes to disk with memory bounded', async () => {
    const rss = rssGrowth();
    let timer: NodeJS.Timeout | undefined;
    const size = 100 * 1024 * 1024;
    const head = Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${B}--\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 1);
    const r = await exchange(
      server.port,
      (write) => {
        write(
          `POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${head.length + size + tail.length}\r\n\r\n`,
        );
        write(head);
        let sent = 0;
        const pump = () => {
          while (sent < size) {
            sent += chunk.length;
            if (!write(chunk)) return;
          }
          if (sent >= size && sent < size + 1) {
            sent++;
            write(tail);
          }
        };
        timer = setInterval(pump, 1);
        pump();
      },
      30_000,
    );
    const grown = rss.stop();
    clearInterval(timer);
    assert.deepEqual(statuses(r.text), [200], r.text.slice(0, 200));
    assert.ok(grown < 80 * 1024 * 1024, `RSS grew by ${(grown / 1e6).toFixed(1)} MB`);
    await rm(join(dir, 'big.bin'));
    await assertClean();
  });
});

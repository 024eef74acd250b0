// Our own SSE cases: the multi-line data fix, hostile event fields, keep-alive, Last-Event-ID,
// disconnects (send rejects, finally runs, no timer left) and option checks.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Microdot, type RunningServer } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import { SSEClosedError, sseResponse, withSSE } from '../../src/sse/index.js';
import { MODES, quietApp } from '../helpers/clients.js';
import { deferred } from '../helpers/deferred.js';
import { openStream } from '../helpers/stream-client.js';

const servers: RunningServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function serve(app: Microdot): Promise<number> {
  const server = await app.startServer({ port: 0 });
  servers.push(server);
  return server.port;
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Opens /sse on `port`, waits for `text` in the stream, then hangs up; resolves to that time. */
async function hangUpAfter(port: number, text: string): Promise<number> {
  const stream = await openStream(port, '/sse');
  await stream.until((t) => t.includes(text));
  const left = Date.now();
  stream.destroy();
  return left;
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

for (const mode of MODES) {
  describe(`SSE [${mode.name}]`, () => {
    test('data with line breaks is sent as several data: lines (Microdot sends them raw)', async () => {
      const app = new Microdot();
      app.get(
        '/sse',
        withSSE(async (_req, sse) => {
          await sse.send('line 1\nline 2');
          await sse.send('a\r\nb\rc');
          await sse.send('\nevent: forged\ndata: x', { event: 'note' });
          await sse.send('');
        }),
      );
      const res = await (await mode.client(app)).get('/sse');
      assert.equal(
        res.text,
        'data: line 1\ndata: line 2\n\n' +
          'data: a\ndata: b\ndata: c\n\n' +
          'event: note\ndata: \ndata: event: forged\ndata: data: x\n\n' +
          'data: \n\n',
      );
      assert.deepEqual(
        res.events!.map((e) => [e.event, e.data]),
        [
          [undefined, 'line 1\nline 2'],
          [undefined, 'a\nb\nc'],
          ['note', '\nevent: forged\ndata: x'],
          [undefined, ''],
        ],
      );
    });

    test('an event name or id with CR/LF (or an id with NUL) is refused, not sent', async () => {
      const app = new Microdot();
      const refused: unknown[] = [];
      app.get(
        '/sse',
        withSSE(async (_req, sse) => {
          for (const options of [
            { event: 'a\nevent: b' },
            { event: 'a\rb' },
            { id: '1\ndata: forged' },
            { id: 'a\0b' },
            { retry: -1 },
            { retry: Number.NaN },
          ]) {
            await sse.send('x', options).catch((err: unknown) => refused.push(err));
          }
          await sse.send(undefined).catch((err: unknown) => refused.push(err));
          await sse.send('ok');
        }),
      );
      const res = await (await mode.client(app)).get('/sse');
      assert.equal(res.text, 'data: ok\n\n');
      assert.equal(refused.length, 7);
      for (const err of refused) assert.ok(err instanceof TypeError);
    });

    test('comments and retry', async () => {
      const app = new Microdot();
      app.get(
        '/sse',
        withSSE(async (_req, sse) => {
          await sse.send('still here', { comment: true });
          await sse.send('two\nlines', { comment: true });
          await sse.send('x', { retry: 2.5, id: '' });
        }),
      );
      const res = await (await mode.client(app)).get('/sse');
      assert.equal(res.text, ': still here\n\n: two\n: lines\n\nid: \nretry: 2500\ndata: x\n\n');
      assert.deepEqual(res.events, [{ event: undefined, data: 'x', id: '', json: undefined }]);
    });

    test('Last-Event-ID, URL arguments, sseResponse and extra headers', async () => {
      const app = new Microdot();
      app.get(
        '/sse/<int:room>',
        withSSE(async (req, sse, { room }) => {
          await sse.send({ room, last: sse.lastEventId ?? null, header: req.header('x-a') });
        }),
      );
      app.get('/feed', (req) =>
        sseResponse(
          req,
          async (sse) => {
            for (let n = 1; n <= 3; n++) await sse.send({ n }, { id: String(n) });
          },
          { headers: { 'X-Accel-Buffering': 'no', 'content-type': 'text/plain' } },
        ),
      );
      const client = await mode.client(app);
      let res = await client.get('/sse/7', { headers: { 'Last-Event-ID': '41', 'X-A': 'b' } });
      assert.deepEqual(res.events![0]!.json, { room: 7, last: '41', header: 'b' });
      res = await client.get('/sse/8');
      assert.deepEqual(res.events![0]!.json, { room: 8, last: null });
      res = await client.get('/feed');
      assert.equal(res.headers['content-type'], 'text/event-stream');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['x-accel-buffering'], 'no');
      assert.deepEqual(
        res.events!.map((e) => [e.id, e.json]),
        [
          ['1', { n: 1 }],
          ['2', { n: 2 }],
          ['3', { n: 3 }],
        ],
      );
    });

    test('withSession(withSSE(…)): the session comes before the URL arguments', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: 'an-sse-test-secret-that-is-long-enough!!' });
      app.post(
        '/login',
        withSession((_req, session) => {
          session.user = 'alice';
          session.save();
          return '';
        }),
      );
      app.get(
        '/sse/<int:n>',
        withSession<{ user?: string }, { n: number }>(
          withSSE(async (_req, sse, session, { n }) => {
            await sse.send({ user: session.user ?? null, n });
          }),
        ),
      );
      const client = await mode.client(app);
      await client.post('/login');
      const res = await client.get('/sse/3');
      assert.deepEqual(res.events![0]!.json, { user: 'alice', n: 3 });
    });

    test('HEAD answers the headers without running the handler', async () => {
      const app = new Microdot();
      let runs = 0;
      app.get(
        '/sse',
        withSSE(async (_req, sse) => {
          runs++;
          await sse.send('x');
        }),
      );
      const res = await (await mode.client(app)).head('/sse');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/event-stream');
      assert.equal(res.text, '');
      await sleep(20);
      assert.equal(runs, 0);
    });

    test('a keep-alive comment is sent while the handler is quiet', async () => {
      const app = new Microdot();
      app.get(
        '/sse',
        withSSE(
          async (_req, sse) => {
            await sleep(130);
            await sse.send('done');
          },
          { keepAlive: 50 },
        ),
      );
      const res = await (await mode.client(app)).get('/sse');
      // Two or so: timers run late on a busy machine, so only "at least one" is certain.
      assert.match(res.text, /^(: keep-alive\n\n)+data: done\n\n$/);
      assert.deepEqual(
        res.events!.map((e) => e.data),
        ['done'],
      );
    });
  });
}

describe('SSE disconnects (over HTTP)', () => {
  test('the next send rejects, the signal aborts, finally runs, and no timer is left', async () => {
    const app = new Microdot();
    const seen: string[] = [];
    const { promise: finished, resolve: done } = deferred();
    app.get(
      '/sse',
      withSSE(async (_req, sse) => {
        try {
          for (let n = 0; ; n++) {
            await sse.send({ n });
            await sleep(10);
          }
        } catch (err) {
          seen.push(err instanceof SSEClosedError ? err.code : String(err));
          seen.push(sse.signal.aborted ? 'aborted' : 'not aborted');
          throw err;
        } finally {
          seen.push('finally');
          done();
        }
      }),
    );
    const port = await serve(app);
    const before = timers();
    await hangUpAfter(port, 'data: {"n":2}');
    await finished;
    assert.deepEqual(seen, ['ERR_SSE_CLOSED', 'aborted', 'finally']);
    await sleep(20);
    assert.equal(timers(), before);
  });

  test('a quiet handler learns of the disconnect through its signal; the timer is gone', async () => {
    const app = new Microdot();
    const { promise: finished, resolve: done } = deferred();
    app.get(
      '/sse',
      withSSE(
        async (_req, sse) => {
          try {
            await sse.send('hello');
            await aborted(sse.signal);
            assert.equal(sse.closed, true);
            await assert.rejects(sse.send('too late'), SSEClosedError);
          } finally {
            done();
          }
        },
        { keepAlive: 30 },
      ),
    );
    const port = await serve(app);
    const before = timers();
    await hangUpAfter(port, 'data: hello');
    await finished;
    await sleep(20);
    assert.equal(timers(), before);
  });

  test('with no keep-alive at all, a disconnect still reaches a quiet handler at once', async () => {
    const app = new Microdot();
    const { promise: finished, resolve: done } = deferred();
    app.get(
      '/sse',
      withSSE(
        async (_req, sse) => {
          await sse.send('hello');
          await aborted(sse.signal);
          done();
        },
        { keepAlive: 0 },
      ),
    );
    const port = await serve(app);
    const left = await hangUpAfter(port, 'data: hello');
    await finished;
    assert.ok(Date.now() - left < 1_000);
  });

  test('the response head goes out before the first event', async () => {
    const app = new Microdot();
    const { promise: gate, resolve: release } = deferred();
    app.get(
      '/sse',
      withSSE(async (_req, sse) => {
        await gate;
        await sse.send('late');
      }),
    );
    const port = await serve(app);
    // openStream resolves on the response head: it must come while the handler still waits.
    const stream = await openStream(port, '/sse');
    assert.equal(stream.res.headers['content-type'], 'text/event-stream');
    release();
    await stream.until((t) => t.includes('data: late'));
    await stream.ended;
  });

  test('a send that is not awaited does not crash the process after a disconnect', async () => {
    const app = quietApp(new Microdot());
    const { promise: finished, resolve: done } = deferred();
    app.get(
      '/sse',
      withSSE(
        async (_req, sse) => {
          void sse.send('first');
          await aborted(sse.signal);
          void sse.send('after the client left');
          done();
        },
        { keepAlive: 20 },
      ),
    );
    const port = await serve(app);
    await hangUpAfter(port, 'data: first');
    await finished;
    await sleep(20);
    assert.deepEqual(app.errors, []);
  });

  test('an error thrown after the client left is logged, not lost', async () => {
    const app = quietApp(new Microdot());
    const { promise: finished, resolve: done } = deferred();
    app.get(
      '/sse',
      withSSE(
        async (_req, sse) => {
          try {
            await sse.send('first');
            await aborted(sse.signal);
            throw new Error('cleanup failed');
          } finally {
            setImmediate(done);
          }
        },
        { keepAlive: 20 },
      ),
    );
    const port = await serve(app);
    await hangUpAfter(port, 'data: first');
    await finished;
    await sleep(10);
    assert.equal(app.errors.length, 1);
    assert.equal((app.errors[0] as Error).message, 'cleanup failed');
  });
});

describe('SSE options', () => {
  test('a bad keepAlive is refused when the route is defined', () => {
    for (const keepAlive of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      assert.throws(() => withSSE(async () => {}, { keepAlive }), /keepAlive must be/);
    }
    assert.doesNotThrow(() => withSSE(async () => {}, { keepAlive: 0 }));
  });
});

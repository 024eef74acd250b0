// Ports Microdot's tests/test_sse.py, case by case (each test named after the Python test);
// each runs in-process (TestClient) and over a real node:http server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import { withSSE } from '../../src/sse/index.js';
import { MODES, quietApp } from '../helpers/clients.js';

for (const mode of MODES) {
  describe(`SSE, Microdot's tests [${mode.name}]`, () => {
    test('test_sse', async () => {
      const app = new Microdot();
      app.get(
        '/sse',
        withSSE(async (_req, sse) => {
          await sse.send('foo');
          await sse.send('bar', { event: 'test' });
          await sse.send('bar', { event: 'test', id: 'id42' });
          await sse.send('bar', { id: 'id42' });
          await sse.send({ foo: 'bar' });
          await sse.send([42, 'foo', 'bar']);
          await sse.send(new RangeError('foo'));
          await sse.send(Buffer.from('foo'));
        }),
      );
      const client = await mode.client(app);
      const res = await client.get('/sse');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/event-stream');
      // JSON is spelled as JavaScript writes it: no spaces after `:` and `,`, where Python's
      // json.dumps puts them. The parsed values below are Microdot's.
      assert.equal(
        res.text,
        'data: foo\n\n' +
          'event: test\ndata: bar\n\n' +
          'event: test\nid: id42\ndata: bar\n\n' +
          'id: id42\ndata: bar\n\n' +
          'data: {"foo":"bar"}\n\n' +
          'data: [42,"foo","bar"]\n\n' +
          'data: foo\n\n' +
          'data: foo\n\n',
      );
      const events = res.events!;
      const expected = [
        { data: 'foo' },
        { data: 'bar', event: 'test' },
        { data: 'bar', event: 'test', id: 'id42' },
        { data: 'bar', id: 'id42' },
        { data: '{"foo":"bar"}', json: { foo: 'bar' } },
        { data: '[42,"foo","bar"]', json: [42, 'foo', 'bar'] },
        { data: 'foo' },
        { data: 'foo' },
      ];
      assert.equal(events.length, expected.length);
      const none = { event: undefined, id: undefined, json: undefined };
      for (const [i, event] of expected.entries()) {
        assert.deepEqual(events[i], { ...none, ...event }, `event ${i}`);
      }
    });

    test('test_sse_exception', async () => {
      const app = quietApp(new Microdot());
      class ZeroDivisionError extends Error {}
      app.get(
        '/sse',
        withSSE(async (_req, sse) => {
          await sse.send('foo');
          throw new ZeroDivisionError('division by zero');
        }),
      );
      const client = await mode.client(app);
      if (mode.name === 'test-client') {
        // In-process, the handler's error reaches the caller, as in Microdot's test client.
        await assert.rejects(client.get('/sse'), ZeroDivisionError);
      } else {
        // Over HTTP the headers are out: the connection is cut and the error logged.
        await assert.rejects(client.get('/sse'));
        assert.ok(app.errors.some((err) => err instanceof ZeroDivisionError));
      }
    });
  });
}

// Behaviours where microdot-ts differed from Microdot (issue #15, part 4), each run in-process
// and over real HTTP: local mounts keep their error handlers, `[status, headers]` results, the
// Allow header of a 405, both errors logged when an error handler throws, MultiDict defaults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abort, Microdot, MultiDict } from '../src/index.js';
import { MODES, quietApp } from './helpers/clients.js';

for (const mode of MODES) {
  describe(`parity with Microdot [${mode.name}]`, () => {
    test('a local mount keeps its error handlers and after-error hooks', async () => {
      const app = quietApp(new Microdot());
      const sub = new Microdot();
      sub.errorHandler(418, () => ['sub teapot', 418]);
      sub.errorHandler(RangeError, (_req, err) => [`sub range: ${err.message}`, 400]);
      sub.afterErrorRequest((_req, res) => {
        res.setHeader('X-Sub-Error', '1');
      });
      sub.get('/tea', () => abort(418));
      sub.get('/range', () => {
        throw new RangeError('out');
      });
      app.afterErrorRequest((_req, res) => {
        res.setHeader('X-App-Error', '1');
      });
      app.get('/tea', () => abort(418));
      app.mount(sub, '/sub', { local: true });
      const client = await mode.client(app);

      let res = await client.get('/sub/tea');
      assert.equal(res.statusCode, 418);
      assert.equal(res.text, 'sub teapot');
      assert.equal(res.headers['x-sub-error'], '1');
      assert.equal(res.headers['x-app-error'], '1', "the app's own after-error hooks run too");

      res = await client.get('/sub/range');
      assert.equal(res.statusCode, 400);
      assert.equal(res.text, 'sub range: out');
      assert.deepEqual(app.errors, []);

      // The app's own routes never see the sub-application's handlers or hooks.
      res = await client.get('/tea');
      assert.equal(res.statusCode, 418);
      assert.notEqual(res.text, 'sub teapot');
      assert.equal(res.headers['x-sub-error'], undefined);
      assert.equal(res.headers['x-app-error'], '1');
    });

    test("a local mount falls back to the app's error handlers", async () => {
      const app = new Microdot();
      const sub = new Microdot();
      sub.get('/gone', () => abort(410));
      app.errorHandler(410, () => ['app gone', 410]);
      app.mount(sub, '/sub', { local: true });
      const client = await mode.client(app);
      const res = await client.get('/sub/gone');
      assert.equal(res.statusCode, 410);
      assert.equal(res.text, 'app gone');
    });

    test('[status, headers] sends that status with an empty body', async () => {
      const app = new Microdot();
      app.get('/status-headers', () => [202, { 'Content-Type': 'text/html; charset=UTF-8' }]);
      app.get('/not-found', () => [404, { 'X-Why': 'gone' }]);
      const client = await mode.client(app);
      let res = await client.get('/status-headers');
      assert.equal(res.statusCode, 202);
      assert.equal(res.text, '');
      assert.equal(res.headers['content-type'], 'text/html; charset=UTF-8');
      res = await client.get('/not-found');
      assert.equal(res.statusCode, 404);
      assert.equal(res.text, '');
      assert.equal(res.headers['x-why'], 'gone');
    });

    test('a 405 says which methods are allowed', async () => {
      const app = new Microdot();
      app.route('/', () => 'foo', { methods: ['GET', 'DELETE'] });
      app.post('/', () => 'bar');
      app.route('/foo', () => 'baz', { methods: ['POST', 'PUT'] });
      app.get('/handled', () => 'x');
      app.errorHandler(405, () => ['custom 405', 405]);
      const client = await mode.client(app);
      let res = await client.put('/');
      assert.equal(res.statusCode, 405);
      assert.equal(res.headers.allow, 'GET, DELETE, POST, HEAD, OPTIONS');
      res = await client.get('/foo');
      assert.equal(res.statusCode, 405);
      assert.equal(res.headers.allow, 'POST, PUT, OPTIONS');
      res = await client.post('/handled');
      assert.equal(res.statusCode, 405);
      assert.equal(res.text, 'custom 405');
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS', 'kept with a 405 handler too');
    });

    test('an error handler that throws logs both errors, the original as the cause', async () => {
      const app = quietApp(new Microdot());
      const original = new TypeError('original');
      const second = new Error('handler failed');
      app.errorHandler(TypeError, () => {
        throw second;
      });
      app.get('/', () => {
        throw original;
      });
      app.errorHandler(418, () => {
        throw 'not even an Error';
      });
      app.get('/tea', () => abort(418));
      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 500);
      assert.equal(app.errors.length, 1);
      assert.equal(app.errors[0], second);
      assert.equal((app.errors[0] as Error).cause, original);

      res = await client.get('/tea');
      assert.equal(res.statusCode, 500);
      assert.equal(app.errors.length, 2);
      const logged = app.errors[1] as AggregateError;
      assert.ok(logged instanceof AggregateError);
      assert.equal(logged.errors[0], 'not even an Error');
      assert.equal((logged.cause as { status: number }).status, 418);
    });

    test('an error handler whose error already has a cause keeps it', async () => {
      const app = quietApp(new Microdot());
      const inner = new Error('inner');
      const thrown = new Error('handler failed', { cause: inner });
      app.errorHandler(RangeError, () => {
        throw thrown;
      });
      app.get('/', () => {
        throw new RangeError('original');
      });
      const client = await mode.client(app);
      assert.equal((await client.get('/')).statusCode, 500);
      const logged = app.errors[0] as AggregateError;
      assert.ok(logged instanceof AggregateError);
      assert.equal(logged.errors[0], thrown);
      assert.equal(thrown.cause, inner, "the handler's error is not changed");
      assert.ok(logged.cause instanceof RangeError);
    });
  });
}

test('MultiDict.get(key, default) gives the default for a missing key', () => {
  const d = new MultiDict<string>({ a: ['1', '2'] });
  assert.equal(d.get('a', 'x'), '1');
  assert.equal(d.get('b', 'x'), 'x');
  assert.equal(d.get('b'), undefined);
  const n: number = new MultiDict<number>().get('n', 7);
  assert.equal(n, 7);
});

test('MultiDict.get(key, default, convert) converts a present value only', () => {
  const d = new MultiDict<string>({ page: '3', bad: 'x' });
  assert.equal(d.get('page', 1, Number), 3);
  assert.equal(d.get('missing', 1, Number), 1);
  assert.ok(Number.isNaN(d.get('bad', 1, Number)));
  const strict = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new TypeError('not an integer');
    return n;
  };
  assert.equal(d.get('bad', 1, strict), 1, 'a converter that throws gives the default');
});

// Ports Microdot's tests/test_microdot.py; every case runs in-process and over real HTTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abort, HTTPException, Microdot, Response } from '../src/index.js';
import { MODES, quietApp } from './helpers/clients.js';

const TEXT = 'text/plain; charset=UTF-8';

for (const mode of MODES) {
  describe(`Microdot [${mode.name}]`, () => {
    test('GET request, sync and async handlers', async () => {
      const app = new Microdot();
      app.get('/', () => 'foo');
      app.get('/async', async () => 'foo-async');
      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.headers['content-length'], '3');
      assert.equal(res.text, 'foo');
      assert.equal(res.json, undefined);
      res = await client.get('/async');
      assert.equal(res.headers['content-length'], '9');
      assert.equal(res.text, 'foo-async');
    });

    test('POST request next to a GET route on the same path', async () => {
      const app = new Microdot();
      app.get('/', () => 'foo');
      app.post('/', () => new Response('bar'));
      app.route('/async', async () => new Response('bar-async'), { methods: ['POST'] });
      const client = await mode.client(app);
      assert.equal((await client.post('/')).text, 'bar');
      assert.equal((await client.get('/')).text, 'foo');
      const res = await client.post('/async');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'bar-async');
    });

    test('HEAD is served by GET routes, without a body', async () => {
      const app = new Microdot();
      app.get('/foo', () => 'foo');
      const client = await mode.client(app);
      const res = await client.head('/foo');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.headers['content-length'], '3');
      assert.equal(res.body.length, 0);
    });

    test('OPTIONS is answered with Allow', async () => {
      const app = new Microdot();
      app.route('/', () => 'foo', { methods: ['GET', 'DELETE'] });
      app.post('/', () => 'bar');
      app.route('/foo', () => 'baz', { methods: ['POST', 'PUT'] });
      const client = await mode.client(app);
      let res = await client.options('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.allow, 'GET, DELETE, POST, HEAD, OPTIONS');
      res = await client.options('/foo');
      assert.equal(res.headers.allow, 'POST, PUT, OPTIONS');
    });

    test('method shortcuts', async () => {
      const app = new Microdot();
      app.get('/get', () => 'GET');
      app.post('/post', async () => 'POST');
      app.put('/put', () => 'PUT');
      app.patch('/patch', async () => 'PATCH');
      app.delete('/delete', () => 'DELETE');
      const client = await mode.client(app);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await client.request(method, `/${method.toLowerCase()}`);
        assert.equal(res.statusCode, 200);
        assert.equal(res.text, method);
      }
    });

    test('request headers are case-insensitive', async () => {
      const app = new Microdot();
      app.get(
        '/',
        (req) => `${req.headers.get('X-Foo')}|${req.headers.get('x-foo')}|${req.header('x-foo')}`,
      );
      const client = await mode.client(app);
      const res = await client.get('/', { headers: { 'X-Foo': 'bar' } });
      assert.equal(res.text, 'bar|bar|bar');
    });

    test('cookies: read, set, delete, and the client jar follows', async () => {
      const app = new Microdot();
      app.get('/', (req) => {
        const res = new Response(`${req.cookies.one}${req.cookies.two}${req.cookies.three}`);
        res.setCookie('four', '4');
        res.deleteCookie('two', { path: '/' });
        return res;
      });
      const client = await mode.client(app, { cookies: { one: '1', two: '2' } });
      const res = await client.get('/', { headers: { Cookie: 'three=3' } });
      assert.equal(res.text, '123');
      assert.deepEqual(client.cookies(), { one: '1', four: '4' });
      const setCookie = res.headers['set-cookie'];
      assert.ok(
        Array.isArray(setCookie) && setCookie.length === 2,
        'one Set-Cookie header per cookie',
      );
      assert.match(
        setCookie[1]!,
        /^two=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0/,
      );
    });

    test('binary and JSON request bodies', async () => {
      const app = new Microdot();
      app.post('/bin', (req) => req.body);
      app.post('/dict', (req) => String((req.json as { foo: string }).foo));
      app.post('/list', (req) => String((req.json as string[])[0]));
      const client = await mode.client(app);
      let res = await client.post('/bin', { body: 'foo' });
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.text, 'foo');
      res = await client.post('/dict', { json: { foo: 'bar' } });
      assert.equal(res.text, 'bar');
      res = await client.post('/list', { json: ['foo', 'bar'] });
      assert.equal(res.text, 'foo');
    });

    test('tuple results: body, status, headers', async () => {
      const app = new Microdot();
      app.get('/body', () => 'one');
      app.get('/body-status', () => ['two', 202] as const);
      app.get('/body-headers', () => ['<p>three</p>', { 'Content-Type': 'text/html' }] as const);
      app.get(
        '/body-status-headers',
        () => ['<p>four</p>', 202, { 'Content-Type': 'text/html; charset=UTF-8' }] as const,
      );
      app.get('/status', () => 202);
      app.get('/status-headers', () => [202, { 'Content-Type': 'text/html; charset=UTF-8' }]);
      const client = await mode.client(app);
      let res = await client.get('/body');
      assert.deepEqual([res.statusCode, res.headers['content-type'], res.text], [200, TEXT, 'one']);
      res = await client.get('/body-status');
      assert.deepEqual([res.statusCode, res.headers['content-type'], res.text], [202, TEXT, 'two']);
      res = await client.get('/body-headers');
      assert.deepEqual(
        [res.statusCode, res.headers['content-type'], res.text],
        [200, 'text/html', '<p>three</p>'],
      );
      res = await client.get('/body-status-headers');
      assert.deepEqual(
        [res.statusCode, res.headers['content-type'], res.text],
        [202, 'text/html; charset=UTF-8', '<p>four</p>'],
      );
      res = await client.get('/status');
      assert.deepEqual([res.statusCode, res.text], [202, '']);
      res = await client.get('/status-headers');
      assert.deepEqual(
        [res.statusCode, res.headers['content-type'], res.text],
        [202, 'text/html; charset=UTF-8', ''],
      );
    });

    test('a list of lists is a JSON body; a result that cannot be sent is a 500, sync or async', async () => {
      const app = quietApp(new Microdot());
      app.get('/lists', () => [['a', 'b', 'c'], ['d']]);
      app.get('/lists-async', async () => [['a', 'b', 'c'], ['d']]);
      app.get('/pairs', () => ['body', [['X-One', '1']]] as const);
      app.get('/bigint', () => ({ n: 1n }) as never);
      app.get('/bigint-async', async () => ({ n: 1n }) as never);
      const client = await mode.client(app);
      assert.deepEqual((await client.get('/lists')).json, [['a', 'b', 'c'], ['d']]);
      assert.deepEqual((await client.get('/lists-async')).json, [['a', 'b', 'c'], ['d']]);
      const pairs = await client.get('/pairs');
      assert.deepEqual([pairs.text, pairs.headers['x-one']], ['body', '1']);
      for (const path of ['/bigint', '/bigint-async']) {
        assert.equal((await client.get(path)).statusCode, 500, path);
      }
    });

    test('a number is a status with an empty body; undefined is 204', async () => {
      const app = new Microdot();
      app.get('/teapot', () => 418);
      app.get('/nothing', () => undefined);
      const client = await mode.client(app);
      let res = await client.get('/teapot');
      assert.equal(res.statusCode, 418);
      assert.equal(res.text, '');
      res = await client.get('/nothing');
      assert.equal(res.statusCode, 204);
      assert.equal(res.text, '');
    });

    test('before and after request hooks', async () => {
      const app = new Microdot();
      app.beforeRequest((req) => {
        if (req.path === '/bar') {
          req.afterRequest(async (_req, res) => {
            res.setHeader('X-Two', '2');
            return res;
          });
          return ['bar', 202] as const;
        }
        req.g.message = 'baz';
        return undefined;
      });
      app.afterRequest((_req, res) => {
        res.setHeader('X-One', '1');
      });
      app.afterRequest(async (_req, res) => {
        res.setCookie('foo', 'bar');
        return res;
      });
      app.get('/bar', () => 'foo');
      app.get('/baz', (req) => String(req.g.message));
      const client = await mode.client(app);
      let res = await client.get('/bar');
      assert.equal(res.statusCode, 202);
      assert.deepEqual(res.headers['set-cookie'], ['foo=bar']);
      assert.equal(res.headers['x-one'], '1');
      assert.equal(res.headers['x-two'], '2');
      assert.equal(res.text, 'bar');
      assert.equal(client.cookies().foo, 'bar');
      res = await client.get('/baz');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-one'], '1');
      assert.equal(res.headers['x-two'], undefined);
      assert.equal(res.headers['content-length'], '3');
      assert.equal(res.text, 'baz');
    });

    test('req.cookie reads one cookie as req.cookies does', async () => {
      const app = new Microdot();
      app.get('/', (req) => {
        const before = `${req.cookie('b')}|${req.cookie('nope')}`;
        req.cookies.b = 'changed';
        return `${before}|${req.cookie('b')}`;
      });
      const client = await mode.client(app);
      const res = await client.get('/', { headers: { Cookie: 'a=1; b="two"; b=3' } });
      assert.equal(res.text, 'two|undefined|changed');
    });

    test('after-request hooks run in order, sync or async, and may add hooks', async () => {
      const app = quietApp(new Microdot());
      const sub = new Microdot();
      const order: string[] = [];
      sub.afterRequest(async () => {
        order.push('sub');
      });
      app.afterRequest((_req, res) => {
        order.push('app-sync');
        return new Response(`${String(res.body)}+app`);
      });
      app.afterRequest(async (req, res) => {
        order.push('app-async');
        req.afterRequest((_req, r) => {
          order.push('added');
          r.setHeader('X-Added', '1');
        });
        return res;
      });
      sub.get('/', (req) => {
        req.afterRequest(() => {
          order.push('own');
        });
        return 'body';
      });
      sub.get('/boom', (req) => {
        req.afterRequest(() => {
          throw new Error('hook failed');
        });
        return 'never';
      });
      app.mount(sub, '/sub', { local: true });
      const client = await mode.client(app);
      let res = await client.get('/sub/');
      assert.equal(res.text, 'body+app');
      assert.equal(res.headers['x-added'], '1');
      assert.deepEqual(order, ['sub', 'app-sync', 'app-async', 'own', 'added']);
      res = await client.get('/sub/boom');
      assert.equal(res.statusCode, 500);
      assert.equal(app.errors.length, 1);
    });

    test('after-error-request hooks run only for error responses', async () => {
      const app = new Microdot();
      app.afterErrorRequest((_req, res) => {
        res.setHeader('X-One', '1');
      });
      app.afterErrorRequest((_req, res) => res.setCookie('foo', 'bar'));
      app.get('/foo', () => 'foo');
      const client = await mode.client(app);
      let res = await client.get('/foo');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-one'], undefined);
      assert.equal(res.headers['set-cookie'], undefined);
      res = await client.get('/bar');
      assert.equal(res.statusCode, 404);
      assert.deepEqual(res.headers['set-cookie'], ['foo=bar']);
      assert.equal(res.headers['x-one'], '1');
    });

    test('request after-request hooks do not run when the handler throws', async () => {
      const app = quietApp(new Microdot());
      let ran = false;
      app.get('/', (req) => {
        req.afterRequest(() => {
          ran = true;
        });
        throw new Error('boom');
      });
      const client = await mode.client(app);
      const res = await client.get('/');
      assert.equal(res.statusCode, 500);
      assert.equal(ran, false);
      assert.equal(app.errors.length, 1);
    });

    test('404 and its handler', async () => {
      const app = new Microdot();
      app.get('/', () => 'foo');
      const client = await mode.client(app);
      let res = await client.post('/foo');
      assert.equal(res.statusCode, 404);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.text, 'Not found');
      app.errorHandler(404, async () => '404');
      res = await client.post('/foo');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '404');
    });

    test('routing 404/405 reach handlers as HTTPException, the stack-trace limit untouched', async () => {
      const app = new Microdot();
      app.get('/foo', () => 'foo');
      const seen: unknown[] = [];
      app.errorHandler(404, (_req, err) => {
        seen.push(err);
        return [`${err.status} ${err.message}`, 404] as const;
      });
      app.errorHandler(405, (_req, err) => {
        seen.push(err);
        return [`${err.status} ${err.message}`, 405] as const;
      });
      const limit = Error.stackTraceLimit;
      const client = await mode.client(app);
      assert.equal((await client.get('/bar')).text, '404 Not found');
      assert.equal((await client.post('/foo')).text, '405 Method not allowed');
      assert.equal(Error.stackTraceLimit, limit);
      assert.equal(seen.length, 2);
      for (const err of seen) {
        assert.ok(err instanceof HTTPException);
        assert.equal(typeof err.stack, 'string');
      }
    });

    test('405 and its handler', async () => {
      const app = new Microdot();
      app.get('/foo', () => 'foo');
      const client = await mode.client(app);
      let res = await client.post('/foo');
      assert.equal(res.statusCode, 405);
      // Microdot answers "Not found" here; we name the real problem.
      assert.equal(res.text, 'Method not allowed');
      app.errorHandler(405, () => ['405', 405] as const);
      res = await client.patch('/foo');
      assert.equal(res.statusCode, 405);
      assert.equal(res.text, '405');
    });

    test('413 for a body over maxContentLength, and its handler', async () => {
      const app = new Microdot();
      app.post('/foo', () => 'foo');
      const client = await mode.client(app);
      let res = await client.post('/foo', { body: 'x'.repeat(17000) });
      assert.equal(res.statusCode, 413);
      assert.equal(res.text, 'Payload too large');
      app.errorHandler(413, () => ['413', 400] as const);
      res = await client.post('/foo', { body: 'x'.repeat(17000) });
      assert.equal(res.statusCode, 400);
      assert.equal(res.text, '413');
      res = await client.post('/foo', { body: 'x'.repeat(16 * 1024) });
      assert.equal(res.statusCode, 200, 'exactly the limit is accepted');
    });

    test('500 and its handler', async () => {
      const app = quietApp(new Microdot());
      app.get('/', () => {
        throw new TypeError('bad');
      });
      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 500);
      assert.equal(res.text, 'Internal server error');
      assert.ok(app.errors[0] instanceof TypeError, 'the error is logged');
      app.errorHandler(500, () => ['501', 501] as const);
      res = await client.get('/');
      assert.equal(res.statusCode, 501);
      assert.equal(res.text, '501');
    });

    test('exception handlers: exact class, parent class, nearest parent wins, no viable parent', async () => {
      class LookupError extends Error {}
      class IndexError extends LookupError {}
      const app = quietApp(new Microdot());
      app.get('/', () => {
        throw new IndexError('x');
      });
      const client = await mode.client(app);
      app.errorHandler(RangeError, () => ['RangeError', 501] as const);
      assert.equal((await client.get('/')).statusCode, 500, 'no viable parent');
      app.errorHandler(Error, () => ['Error', 501] as const);
      assert.equal((await client.get('/')).text, 'Error');
      app.errorHandler(LookupError, (_req, err) => [err.constructor.name, 501] as const);
      const res = await client.get('/');
      assert.equal(res.statusCode, 501);
      assert.equal(res.text, 'IndexError');
      app.errorHandler(IndexError, () => ['exact', 501] as const);
      assert.equal((await client.get('/')).text, 'exact');
    });

    test('abort with a reason, and with a status handler', async () => {
      const app = new Microdot();
      app.get('/', () => abort(406, 'Not acceptable'));
      app.get('/plain', () => abort(406));
      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 406);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.text, 'Not acceptable');
      app.errorHandler(406, (_req, err) => [`406 ${err.status}`, 406] as const);
      res = await client.get('/plain');
      assert.equal(res.text, '406 406');
    });

    test('HTTPException carrying its own response', async () => {
      const app = new Microdot();
      app.get('/', () => {
        throw new HTTPException(401, {
          res: new Response('log in', 401, { 'WWW-Authenticate': 'Basic' }),
        });
      });
      const client = await mode.client(app);
      const res = await client.get('/');
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Basic');
      assert.equal(res.text, 'log in');
    });

    test('JSON and binary responses', async () => {
      const app = new Microdot();
      app.get('/dict', async () => ({ foo: 'bar' }));
      app.get('/list', () => ['foo', 'bar']);
      app.get(
        '/bin',
        () =>
          [new Uint8Array([0xff, 0xfe]), { 'Content-Type': 'application/octet-stream' }] as const,
      );
      const client = await mode.client(app);
      let res = await client.get('/dict');
      assert.equal(res.headers['content-type'], 'application/json; charset=UTF-8');
      assert.deepEqual(res.json, { foo: 'bar' });
      res = await client.get('/list');
      assert.deepEqual(res.json, ['foo', 'bar']);
      res = await client.get('/bin');
      assert.equal(res.headers['content-type'], 'application/octet-stream');
      assert.deepEqual([...res.body], [0xff, 0xfe]);
    });

    test('streamed responses', async () => {
      const app = new Microdot();
      app.get('/', () => {
        async function* stream() {
          yield 'foo';
          yield new TextEncoder().encode('bar');
        }
        return stream();
      });
      const client = await mode.client(app);
      const res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.text, 'foobar');
    });

    test('mount: prefix, hooks and error handlers join the parent', async () => {
      const sub = new Microdot();
      sub.beforeRequest((req) => {
        req.g.before = 'before';
      });
      sub.afterRequest((_req, res) => {
        res.body = `${res.body}:after`;
      });
      sub.afterErrorRequest((_req, res) => {
        res.body = `${res.body}:errorafter`;
      });
      sub.errorHandler(404, () => ['404', 404] as const);
      sub.get('/app', (req) => `${req.g.before}:foo:${req.urlPrefix}`);
      const app = new Microdot();
      app.mount(sub, '/sub');
      const client = await mode.client(app);
      let res = await client.get('/app');
      assert.equal(res.statusCode, 404);
      assert.equal(res.text, '404:errorafter');
      res = await client.get('/sub/app');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'before:foo:/sub:after');
    });

    test('mount with local hooks keeps them to the sub-application', async () => {
      const sub = new Microdot();
      sub.afterRequest((_req, res) => {
        res.setHeader('X-Sub', '1');
      });
      sub.get('/x', () => 'x');
      const app = new Microdot();
      app.get('/y', () => 'y');
      app.mount(sub, '/sub', { local: true });
      const client = await mode.client(app);
      assert.equal((await client.get('/sub/x')).headers['x-sub'], '1');
      assert.equal((await client.get('/y')).headers['x-sub'], undefined);
    });

    test('URL arguments reach the handler and req.urlArgs', async () => {
      const app = new Microdot();
      app.get('/users/<int:id>/<name>', (req, { id, name }) => ({
        id,
        name,
        same: req.urlArgs.id === id,
      }));
      app.get('/files/<path:rest>', (_req, { rest }) => rest);
      const client = await mode.client(app);
      assert.deepEqual((await client.get('/users/-42/al%20ice')).json, {
        id: -42,
        name: 'al ice',
        same: true,
      });
      assert.equal((await client.get('/files/a/b/c.txt')).text, 'a/b/c.txt');
      assert.equal((await client.get('/users/x/y')).statusCode, 404);
    });

    test('routes match in the order they were added, static or not', async () => {
      const app = new Microdot();
      app.get('/<name>', (_req, { name }) => `dynamic ${name}`);
      app.get('/about', () => 'static');
      app.get('/static-first', () => 'static-first');
      const client = await mode.client(app);
      assert.equal((await client.get('/about')).text, 'dynamic about');
      assert.equal((await client.get('/static-first')).text, 'dynamic static-first');
    });

    test('patterns are normalised as Microdot does: "users" is "/users"', async () => {
      const app = new Microdot();
      app.get('users', () => 'users');
      app.get('//items/<int:id>', (_req, { id }) => `item ${id}`);
      const client = await mode.client(app);
      assert.equal((await client.get('/users')).text, 'users');
      assert.equal((await client.get('/items/3')).text, 'item 3');
    });

    test('a static route after a dynamic one that also matches still loses to it', async () => {
      const app = new Microdot();
      app.get('/a', () => 'static a');
      app.route('/<name>', (_req, { name }) => `dynamic ${name}`, { methods: ['GET', 'POST'] });
      app.get('/b', () => 'static b');
      app.post('/a', () => 'static post a');
      const client = await mode.client(app);
      assert.equal((await client.get('/a')).text, 'static a');
      assert.equal((await client.get('/b')).text, 'dynamic b');
      assert.equal((await client.post('/a')).text, 'dynamic a');
    });

    test('malformed input gets a 4xx, never a 500', async () => {
      const app = quietApp(new Microdot());
      app.get('/q', (req) => req.args.get('a') ?? '');
      app.post('/json', (req) => JSON.stringify(req.json));
      app.post('/form', (req) => req.form?.get('a') ?? '');
      app.get('/seg/<name>', (_req, { name }) => name);
      const client = await mode.client(app);
      assert.equal((await client.get('/q?a=%E0%A4%A')).statusCode, 400);
      assert.equal((await client.get('/q?a=%FF')).statusCode, 400);
      assert.equal((await client.get('/q?a=x%20y')).text, 'x y');
      const bad = { 'Content-Type': 'application/json' };
      assert.equal((await client.post('/json', { body: '{"a":', headers: bad })).statusCode, 400);
      const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
      assert.equal((await client.post('/form', { body: 'a=%zz', headers: form })).statusCode, 400);
      assert.equal((await client.post('/form', { body: 'a=b+c', headers: form })).text, 'b c');
      assert.equal((await client.get('/seg/%C3%28')).statusCode, 400);
      assert.deepEqual(app.errors, [], 'nothing was logged as a server error');
    });

    test('a CR/LF that a handler puts in a header or cookie never splits the header', async () => {
      const app = quietApp(new Microdot());
      app.get('/header', () => new Response('x', 200, { 'X-Evil': 'a\r\nSet-Cookie: pwned=1' }));
      app.get('/cookie', () => new Response('x').setCookie('a', 'b\r\nX-Evil: 1'));
      app.get('/redirect', () => Response.redirect('/x\r\nSet-Cookie: pwned=1'));
      const client = await mode.client(app);
      for (const path of ['/cookie', '/redirect']) {
        const res = await client.get(path);
        assert.equal(res.statusCode, 500, path);
        assert.equal(res.headers['set-cookie'], undefined);
        assert.equal(res.headers['x-evil'], undefined);
      }
      if (mode.name === 'http') {
        const res = await client.get('/header');
        assert.equal(res.statusCode, 500);
        assert.equal(res.headers['set-cookie'], undefined);
      }
    });
  });
}

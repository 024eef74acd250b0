// app.optionsHandler (Microdot's options_handler) and req.route (Microdot's request.route).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Handler, Microdot, type Request } from '../src/index.js';
import { MODES, quietApp } from './helpers/clients.js';

for (const mode of MODES) {
  describe(`optionsHandler and req.route [${mode.name}]`, () => {
    test('the default answer lists the methods; a replacement changes it', async () => {
      const app = new Microdot();
      app.route('/', () => 'x', { methods: ['GET', 'POST'] });
      const c = await mode.client(app);
      let res = await c.options('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.allow, 'GET, POST, HEAD, OPTIONS');
      app.optionsHandler = async (_req, allow) => ({ Allow: allow.join(','), 'X-Extra': '1' });
      res = await c.options('/');
      assert.equal(res.headers.allow, 'GET,POST,HEAD,OPTIONS');
      assert.equal(res.headers['x-extra'], '1');
      assert.equal((await c.options('/nowhere')).statusCode, 404);
    });

    test('undefined turns the automatic answer off: 405, as any other method', async () => {
      const app = new Microdot();
      app.get('/', () => 'x');
      app.optionsHandler = undefined;
      const c = await mode.client(app);
      assert.equal((await c.options('/')).statusCode, 405);
    });

    test('after-error hooks run on the answer; before-request and after-request hooks do not', async () => {
      const app = new Microdot();
      const seen: string[] = [];
      app.beforeRequest(() => {
        seen.push('before');
        return ['no', 401];
      });
      app.afterRequest(() => {
        seen.push('after');
      });
      app.afterErrorRequest((_req, res) => {
        seen.push('after-error');
        res.setHeader('X-Hooked', 'yes');
      });
      app.get('/', () => 'x');
      const c = await mode.client(app);
      const res = await c.options('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-hooked'], 'yes');
      assert.deepEqual(seen, ['after-error']);
    });

    test('a handler that throws gives a 500 (logged), not a crash', async () => {
      const app = quietApp(new Microdot());
      app.get('/', () => 'x');
      app.optionsHandler = () => {
        throw new Error('boom');
      };
      const c = await mode.client(app);
      assert.equal((await c.options('/')).statusCode, 500);
      assert.equal(app.errors.length, 1);
    });

    test('req.route is the handler as registered, seen by before-request hooks', async () => {
      const app = new Microdot();
      const routes: (Handler | undefined)[] = [];
      app.beforeRequest((req: Request) => {
        routes.push(req.route);
      });
      const index: Handler = () => 'index';
      const sub = new Microdot();
      const inner: Handler = () => 'inner';
      sub.get('/x', inner);
      app.get('/', index);
      app.mount(sub, '/sub');
      const c = await mode.client(app);
      await c.get('/');
      await c.get('/sub/x');
      assert.deepEqual(routes, [index, inner]);
      let seen: unknown = 'unset';
      app.afterErrorRequest((req) => {
        seen = req.route;
      });
      assert.equal((await c.get('/missing')).statusCode, 404);
      assert.equal(seen, undefined);
    });
  });
}

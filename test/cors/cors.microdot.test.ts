// Port of Microdot's tests/test_cors.py, case by case, run in-process and over HTTP.
// Where issue #13 fixes a flaw, the expected value differs and the line says so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CORS } from '../../src/cors/index.js';
import { Microdot } from '../../src/index.js';
import { MODES } from '../helpers/clients.js';

for (const mode of MODES) {
  describe(`test_cors.py [${mode.name}]`, () => {
    test('test_origin', async () => {
      const app = new Microdot();
      const cors = new CORS(undefined, {
        allowedOrigins: ['https://example.com'],
        allowCredentials: true,
      });
      cors.initialize(app);
      app.get('/', () => 'foo');
      const client = await mode.client(app);

      let res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
      // Microdot: no Vary, so a shared cache may give this answer to https://example.com.
      assert.equal(res.headers.vary, 'Origin');

      res = await client.get('/', { headers: { Origin: 'https://example.com' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], 'https://example.com');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers.vary, 'Origin');

      cors.allowCredentials = false;

      res = await client.get('/foo', { headers: { Origin: 'https://example.com' } });
      assert.equal(res.statusCode, 404);
      assert.equal(res.headers['access-control-allow-origin'], 'https://example.com');
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
      assert.equal(res.headers.vary, 'Origin');

      res = await client.get('/', { headers: { Origin: 'https://bad.com' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
      assert.equal(res.headers.vary, 'Origin'); // Microdot: none
    });

    test('test_all_origins', async () => {
      const app = new Microdot();
      new CORS(app, { allowedOrigins: '*', exposeHeaders: ['X-Test', 'X-Test2'] });
      app.get('/', () => 'foo');
      app.get('/foo', () => ['foo', { Vary: 'X-Foo, X-Bar' }] as const);
      const client = await mode.client(app);

      let res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers.vary, undefined);
      assert.equal(res.headers['access-control-expose-headers'], 'X-Test, X-Test2');

      res = await client.get('/', { headers: { Origin: 'https://example.com' } });
      assert.equal(res.statusCode, 200);
      // Microdot echoes the origin ('https://example.com') with Vary: Origin. Issue #13: '*'
      // sends a literal *, the same for every origin, so nothing varies.
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers.vary, undefined);
      assert.equal(res.headers['access-control-expose-headers'], 'X-Test, X-Test2');

      res = await client.get('/bad', { headers: { Origin: 'https://example.com' } });
      assert.equal(res.statusCode, 404);
      assert.equal(res.headers['access-control-allow-origin'], '*'); // Microdot: the origin
      assert.equal(res.headers.vary, undefined); // Microdot: 'Origin'
      assert.equal(res.headers['access-control-expose-headers'], 'X-Test, X-Test2');

      res = await client.get('/foo', { headers: { Origin: 'https://example.com' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.vary, 'X-Foo, X-Bar'); // Microdot: 'X-Foo, X-Bar, Origin'
    });

    test('test_cors_preflight', async () => {
      const app = new Microdot();
      new CORS(app, { allowedOrigins: '*' });
      app.route('/', () => 'foo', { methods: ['GET', 'POST'] });
      const client = await mode.client(app);

      let res = await client.options('/', {
        headers: {
          Origin: 'https://example.com',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'X-Test, X-Test2',
        },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*'); // Microdot: the origin
      assert.equal(res.headers['access-control-max-age'], undefined);
      assert.equal(res.headers['access-control-allow-methods'], 'POST');
      assert.equal(res.headers['access-control-allow-headers'], 'X-Test, X-Test2');

      res = await client.options('/', { headers: { Origin: 'https://example.com' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*'); // Microdot: the origin
      assert.equal(res.headers['access-control-max-age'], undefined);
      assert.equal(res.headers['access-control-allow-methods'], undefined);
      assert.equal(res.headers['access-control-allow-headers'], undefined);
    });

    test('test_cors_preflight_with_options', async () => {
      const app = new Microdot();
      new CORS(app, {
        allowedOrigins: '*',
        maxAge: 3600,
        allowedMethods: ['POST'],
        allowedHeaders: ['X-Test'],
      });
      app.route('/', () => 'foo', { methods: ['GET', 'POST'] });
      const client = await mode.client(app);

      let res = await client.options('/', {
        headers: {
          Origin: 'https://example.com',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'X-Test, X-Test2',
        },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*'); // Microdot: the origin
      assert.equal(res.headers['access-control-max-age'], '3600');
      assert.equal(res.headers['access-control-allow-methods'], 'POST');
      assert.equal(res.headers['access-control-allow-headers'], 'X-Test');

      res = await client.options('/', {
        headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-methods'], undefined);
      assert.equal(res.headers['access-control-allow-headers'], undefined);
    });

    test('test_cors_disabled', async () => {
      const app = new Microdot();
      new CORS(app, { allowedOrigins: '*', handleCors: false });
      app.get('/', () => 'foo');
      const client = await mode.client(app);

      const res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers.vary, undefined);
    });
  });
}

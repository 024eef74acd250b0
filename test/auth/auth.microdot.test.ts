// Port of Microdot's tests/test_auth.py, case by case (each test is named after the Python
// one), run in-process and over a real socket. Python's binascii.b2a_base64 appends "\n" to
// the credentials; a header value cannot carry a newline over HTTP, so it is left out here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BasicAuth, TokenAuth } from '../../src/auth/index.js';
import { Microdot } from '../../src/index.js';
import { MODES } from '../helpers/clients.js';

const basic = (credentials: string) => ({
  headers: { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
});

for (const mode of MODES) {
  describe(`test_auth (${mode.name})`, () => {
    test('test_basic_auth', async () => {
      const app = new Microdot();
      const basicAuth = new BasicAuth<{ username: string }>();
      basicAuth.authenticate((_req, username, password) =>
        username === 'foo' && password === 'bar' ? { username } : undefined,
      );
      app.route(
        '/',
        basicAuth.required((req) => (req.g.currentUser as { username: string }).username),
      );

      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 401);

      res = await client.get('/', basic('foo:bar'));
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'foo');

      res = await client.get('/', basic('foo:baz'));
      assert.equal(res.statusCode, 401);
    });

    test('test_basic_optional_auth', async () => {
      const app = new Microdot();
      const basicAuth = new BasicAuth<{ username: string }>();
      basicAuth.authenticate((_req, username, password) =>
        username === 'foo' && password === 'bar' ? { username } : undefined,
      );
      app.route(
        '/',
        basicAuth.optional((req) => {
          const user = req.g.currentUser as { username: string } | undefined;
          return user ? user.username : '';
        }),
      );

      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '');

      res = await client.get('/', basic('foo:bar'));
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'foo');

      res = await client.get('/', basic('foo:baz'));
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '');
    });

    test('test_token_auth', async () => {
      const app = new Microdot();
      const tokenAuth = new TokenAuth<string>();
      tokenAuth.authenticate((_req, token) => (token === 'foo' ? 'user' : undefined));
      app.route(
        '/',
        tokenAuth.required((req) => req.g.currentUser as string),
      );

      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { Authorization: 'Basic foo' } });
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { Authorization: 'invalid' } });
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { Authorization: 'Bearer foo' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'user');
    });

    test('test_token_optional_auth', async () => {
      const app = new Microdot();
      const tokenAuth = new TokenAuth<string>();
      tokenAuth.authenticate((_req, token) => (token === 'foo' ? 'user' : undefined));
      app.route(
        '/',
        tokenAuth.optional((req) => (req.g.currentUser as string | undefined) ?? ''),
      );

      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '');

      res = await client.get('/', { headers: { Authorization: 'Basic foo' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '');

      res = await client.get('/', { headers: { Authorization: 'foo' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '');

      res = await client.get('/', { headers: { Authorization: 'Bearer foo' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'user');
    });

    test('test_token_auth_custom_header', async () => {
      const app = new Microdot();
      const tokenAuth = new TokenAuth<string>({ header: 'X-Auth-Token' });
      tokenAuth.authenticate((_req, token) => (token === 'foo' ? 'user' : undefined));
      app.route(
        '/',
        tokenAuth.required((req) => req.g.currentUser as string),
      );

      const client = await mode.client(app);
      let res = await client.get('/');
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { Authorization: 'Basic foo' } });
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { Authorization: 'foo' } });
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { Authorization: 'Bearer foo' } });
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { 'X-Token-Auth': 'Bearer foo' } });
      assert.equal(res.statusCode, 401);

      res = await client.get('/', { headers: { 'X-Auth-Token': 'foo' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'user');

      res = await client.get('/', { headers: { 'x-auth-token': 'foo' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'user');

      tokenAuth.errorHandler(() => [{ status_code: 403 }, 403]);

      res = await client.get('/');
      assert.equal(res.statusCode, 403);
      assert.deepEqual(res.json, { status_code: 403 });
    });
  });
}

// Port of Microdot's tests/test_auth.py, case by case (each test is named after the Python
// one), run in-process and over a real socket. Python's binascii.b2a_base64 appends "\n" to
// the credentials; a header value cannot carry a newline over HTTP, so it is left out here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BasicAuth, TokenAuth, type TokenAuthOptions } from '../../src/auth/index.js';
import { Microdot } from '../../src/index.js';
import type { TestClient, TestResponse } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';

/** The Authorization header of Basic `credentials` ("user:password"). */
const basic = (credentials: string) => ({
  Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
});

/** GETs `/` with `headers` and checks the status, and the body when `text` is given. */
async function expectGet(
  client: TestClient,
  headers: Record<string, string>,
  status: number,
  text?: string,
): Promise<TestResponse> {
  const res = await client.get('/', { headers });
  assert.equal(res.statusCode, status, JSON.stringify(headers));
  if (text !== undefined) assert.equal(res.text, text, JSON.stringify(headers));
  return res;
}

/** A BasicAuth that knows one user, foo, with the password bar (as the Python tests). */
function fooBasicAuth() {
  const basicAuth = new BasicAuth<{ username: string }>();
  basicAuth.authenticate((_req, username, password) =>
    username === 'foo' && password === 'bar' ? { username } : undefined,
  );
  return basicAuth;
}

/** A TokenAuth (with `options`) that knows one token, foo, of the user "user". */
function fooTokenAuth(options?: TokenAuthOptions) {
  const tokenAuth = new TokenAuth<string>(options);
  tokenAuth.authenticate((_req, token) => (token === 'foo' ? 'user' : undefined));
  return tokenAuth;
}

for (const mode of MODES) {
  describe(`test_auth (${mode.name})`, () => {
    test('test_basic_auth', async () => {
      const app = new Microdot();
      const basicAuth = fooBasicAuth();
      app.route(
        '/',
        basicAuth.required((req) => (req.g.currentUser as { username: string }).username),
      );

      const client = await mode.client(app);
      await expectGet(client, {}, 401);
      await expectGet(client, basic('foo:bar'), 200, 'foo');
      await expectGet(client, basic('foo:baz'), 401);
    });

    test('test_basic_optional_auth', async () => {
      const app = new Microdot();
      const basicAuth = fooBasicAuth();
      app.route(
        '/',
        basicAuth.optional((req) => {
          const user = req.g.currentUser as { username: string } | undefined;
          return user ? user.username : '';
        }),
      );

      const client = await mode.client(app);
      await expectGet(client, {}, 200, '');
      await expectGet(client, basic('foo:bar'), 200, 'foo');
      await expectGet(client, basic('foo:baz'), 200, '');
    });

    test('test_token_auth', async () => {
      const app = new Microdot();
      const tokenAuth = fooTokenAuth();
      app.route(
        '/',
        tokenAuth.required((req) => req.g.currentUser as string),
      );

      const client = await mode.client(app);
      await expectGet(client, {}, 401);
      await expectGet(client, { Authorization: 'Basic foo' }, 401);
      await expectGet(client, { Authorization: 'invalid' }, 401);
      await expectGet(client, { Authorization: 'Bearer foo' }, 200, 'user');
    });

    test('test_token_optional_auth', async () => {
      const app = new Microdot();
      const tokenAuth = fooTokenAuth();
      app.route(
        '/',
        tokenAuth.optional((req) => (req.g.currentUser as string | undefined) ?? ''),
      );

      const client = await mode.client(app);
      await expectGet(client, {}, 200, '');
      await expectGet(client, { Authorization: 'Basic foo' }, 200, '');
      await expectGet(client, { Authorization: 'foo' }, 200, '');
      await expectGet(client, { Authorization: 'Bearer foo' }, 200, 'user');
    });

    test('test_token_auth_custom_header', async () => {
      const app = new Microdot();
      const tokenAuth = fooTokenAuth({ header: 'X-Auth-Token' });
      app.route(
        '/',
        tokenAuth.required((req) => req.g.currentUser as string),
      );

      const client = await mode.client(app);
      await expectGet(client, {}, 401);
      await expectGet(client, { Authorization: 'Basic foo' }, 401);
      await expectGet(client, { Authorization: 'foo' }, 401);
      await expectGet(client, { Authorization: 'Bearer foo' }, 401);
      await expectGet(client, { 'X-Token-Auth': 'Bearer foo' }, 401);
      await expectGet(client, { 'X-Auth-Token': 'foo' }, 200, 'user');
      await expectGet(client, { 'x-auth-token': 'foo' }, 200, 'user');

      tokenAuth.errorHandler(() => [{ status_code: 403 }, 403]);

      const res = await expectGet(client, {}, 403);
      assert.deepEqual(res.json, { status_code: 403 });
    });
  });
}

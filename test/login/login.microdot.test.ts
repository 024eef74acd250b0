// Port of Microdot's tests/test_login.py, case by case (each test is named after the Python
// one), run in-process and over a real socket. Microdot's tests use the key 'secret'; ours must
// be at least 32 bytes. "del client.cookies['session']" becomes a new client that keeps only the
// `_remember` cookie.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Microdot, type Request } from '../../src/index.js';
import { Login } from '../../src/login/index.js';
import { Session } from '../../src/session/index.js';
import type { TestResponse } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { setCookies } from './helpers.js';

const KEY = 'login-port-secret-key-0123456789abcdefgh';

class User {
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

/** An app with sessions and a Login whose user loader is `loader`, as each Python test starts. */
function loginApp(loader: Parameters<Login<User>['userLoader']>[0]) {
  const app = new Microdot();
  new Session(app, { secretKey: KEY });
  const login = new Login<User>();
  login.userLoader(loader);
  return { app, login };
}

/** Checks that `res` is a 302, to `location` when given (the asserts on status and Location). */
function expectRedirect(res: TestResponse, location?: string): void {
  assert.equal(res.statusCode, 302);
  if (location !== undefined) assert.equal(res.headers.location, location);
}

/** Checks that `res` is a 200, with the body `text` when given. */
function expectOk(res: TestResponse, text?: string): void {
  assert.equal(res.statusCode, 200);
  if (text !== undefined) assert.equal(res.text, text);
}

for (const mode of MODES) {
  describe(`test_login (${mode.name})`, () => {
    test('test_login', async () => {
      const { app, login } = loginApp((userId) => new User(userId, `user${userId}`));

      app.get(
        '/',
        login.required(async (req: Request) => {
          assert.equal(await login.currentUser(req), req.g.currentUser);
          return (req.g.currentUser as User).name;
        }),
      );
      app.post('/login', (req) => login.loginUser(req, new User(123, 'user123')));
      app.post('/logout', async (req) => {
        await login.logoutUser(req);
        return 'ok';
      });

      const client = await mode.client(app);
      expectRedirect(await client.get('/?foo=bar'), '/login?next=/%3Ffoo%3Dbar');

      const res = await client.post('/login?next=/%3Ffoo=bar');
      expectRedirect(res, '/?foo=bar');
      assert.equal(setCookies(res).length, 1);
      assert.ok('session' in client.cookies());

      expectOk(await client.get('/'), 'user123');
      expectOk(await client.post('/logout'));
      expectRedirect(await client.get('/'));
    });

    test('test_login_bad_user_id', async () => {
      const { app, login } = loginApp(() => undefined);

      app.get(
        '/foo',
        login.required(() => 'ok'),
      );
      app.post('/login', (req) => login.loginUser(req, new User(1, 'user')));

      const client = await mode.client(app);
      expectRedirect(await client.post('/login?next=/'), '/');
      expectRedirect(await client.get('/foo'), '/login?next=/foo');
    });

    test('test_login_bad_redirect', async () => {
      const { app, login } = loginApp((userId) => new User(userId, 'user'));

      app.get(
        '/',
        login.required(() => 'ok'),
      );
      app.post('/login', (req) => login.loginUser(req, new User(1, 'user')));

      const client = await mode.client(app);
      expectRedirect(await client.post('/login?next=http://example.com'), '/');
    });

    test('test_login_remember', async () => {
      const { app, login } = loginApp((userId) => new User(userId, `user${userId}`));

      app.get(
        '/',
        login.required((req) => ({ user: (req.g.currentUser as User).id })),
      );
      app.post('/login', (req) => login.loginUser(req, new User(1, 'user1'), { remember: true }));
      app.post('/logout', async (req) => {
        await login.logoutUser(req);
        return 'ok';
      });
      app.get(
        '/fresh',
        login.fresh((req) => `fresh ${(req.g.currentUser as User).id}`),
      );

      let client = await mode.client(app);
      const res = await client.post('/login?next=/%3Ffoo=bar');
      expectRedirect(res, '/?foo=bar');
      assert.equal(setCookies(res).length, 2);
      assert.ok('session' in client.cookies());
      assert.ok('_remember' in client.cookies());

      expectOk(await client.get('/'), '{"user":1}'); // Python's json.dumps writes '{"user": 1}'
      expectOk(await client.get('/fresh'), 'fresh 1');

      client = await mode.client(app, { cookies: { _remember: client.cookies()._remember! } });
      expectOk(await client.get('/'));
      expectRedirect(await client.get('/fresh'), '/login?next=/fresh');

      expectOk(await client.post('/logout'));
      assert.ok(!('_remember' in client.cookies()));

      expectRedirect(await client.get('/'));
    });
  });
}

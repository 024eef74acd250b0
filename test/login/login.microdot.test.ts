// Port of Microdot's tests/test_login.py, case by case (each test is named after the Python
// one), run in-process and over a real socket. Microdot's tests use the key 'secret'; ours must
// be at least 32 bytes. "del client.cookies['session']" becomes a new client that keeps only the
// `_remember` cookie.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Microdot, type Request } from '../../src/index.js';
import { Login } from '../../src/login/index.js';
import { Session } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';

const KEY = 'login-port-secret-key-0123456789abcdefgh';

class User {
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

const setCookies = (res: { headers: Record<string, string | string[]> }) => {
  const v = res.headers['set-cookie'];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
};

for (const mode of MODES) {
  describe(`test_login (${mode.name})`, () => {
    test('test_login', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: KEY });
      const login = new Login<User>();
      login.userLoader((userId) => new User(userId as number, `user${userId}`));

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
      let res = await client.get('/?foo=bar');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?next=/%3Ffoo%3Dbar');

      res = await client.post('/login?next=/%3Ffoo=bar');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/?foo=bar');
      assert.equal(setCookies(res).length, 1);
      assert.ok('session' in client.cookies());

      res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'user123');

      res = await client.post('/logout');
      assert.equal(res.statusCode, 200);

      res = await client.get('/');
      assert.equal(res.statusCode, 302);
    });

    test('test_login_bad_user_id', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: KEY });
      const login = new Login<User>();
      login.userLoader(() => undefined);

      app.get(
        '/foo',
        login.required(() => 'ok'),
      );
      app.post('/login', (req) => login.loginUser(req, new User(1, 'user')));

      const client = await mode.client(app);
      let res = await client.post('/login?next=/');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/');
      res = await client.get('/foo');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?next=/foo');
    });

    test('test_login_bad_redirect', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: KEY });
      const login = new Login<User>();
      login.userLoader((userId) => new User(userId as number, 'user'));

      app.get(
        '/',
        login.required(() => 'ok'),
      );
      app.post('/login', (req) => login.loginUser(req, new User(1, 'user')));

      const client = await mode.client(app);
      const res = await client.post('/login?next=http://example.com');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/');
    });

    test('test_login_remember', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: KEY });
      const login = new Login<User>();
      login.userLoader((userId) => new User(userId as number, `user${userId}`));

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
      let res = await client.post('/login?next=/%3Ffoo=bar');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/?foo=bar');
      assert.equal(setCookies(res).length, 2);
      assert.ok('session' in client.cookies());
      assert.ok('_remember' in client.cookies());

      res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '{"user":1}'); // Python's json.dumps writes '{"user": 1}'
      res = await client.get('/fresh');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'fresh 1');

      client = await mode.client(app, { cookies: { _remember: client.cookies()._remember! } });
      res = await client.get('/');
      assert.equal(res.statusCode, 200);
      res = await client.get('/fresh');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?next=/fresh');

      res = await client.post('/logout');
      assert.equal(res.statusCode, 200);
      assert.ok(!('_remember' in client.cookies()));

      res = await client.get('/');
      assert.equal(res.statusCode, 302);
    });
  });
}

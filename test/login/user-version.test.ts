// Login's userVersion (Django's session auth hash): a session or remember-me token made for one
// version of a user is refused once the user has another, e.g. an account deleted and recreated
// under the same id (an attack review found a new user 1 inheriting a stranger's live session),
// or a password changed. Cookie mode, MemoryStore and Redis; in-process and over real HTTP.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import { Login, LoginConfigError } from '../../src/login/index.js';
import { MemoryStore, Session, type SessionStore } from '../../src/session/index.js';
import { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { redisTestPrefix } from '../helpers/redis-prefix.js';
import { cookieLine, KEY, payloadOf } from './helpers.js';

interface User {
  id: number;
  name: string;
  /** Changed when the account is recreated or its password changes. */
  stamp: string;
}

const redis = redisTestPrefix('microdot-user-version-test');

const STORES: { name: string; make: () => SessionStore | undefined }[] = [
  { name: 'cookie', make: () => undefined },
  { name: 'memory', make: () => new MemoryStore() },
  // A prefix per store: user 1 of one test is not user 1 of the next.
  { name: 'redis', make: () => redis.store() },
];

const stamp = () => randomBytes(9).toString('base64url');

/**
 * An app whose users live in a table the test can empty and refill. `versioned: false` is the
 * same app without userVersion (Microdot's behaviour), sharing the key and the store.
 */
function usersApp(store: SessionStore | undefined, users: Map<number, User>, versioned = true) {
  const app = new Microdot();
  const errors: unknown[] = [];
  app.logError = (err) => errors.push(err);
  const session = new Session(app, { secretKey: KEY, ...(store ? { store } : {}) });
  const login = new Login<User>(versioned ? { userVersion: (user) => user.stamp } : {});
  login.userLoader((id) => users.get(Number(id)));
  app.get('/who', async (req) => (await login.currentUser(req))?.name ?? 'nobody');
  app.post('/login/<int:id>', (req, { id }) => {
    const remember = new URL(req.url, 'http://x').searchParams.has('remember');
    return login.loginUser(req, users.get(id)!, { remember });
  });
  app.post(
    '/password',
    login.fresh(async (req) => {
      const user = (await login.currentUser(req))!;
      users.set(user.id, { ...user, stamp: stamp() }); // a new password hash
      return String(await login.updateUserVersion(req, users.get(user.id)!));
    }),
  );
  return { app, session, login, errors };
}

/** User 1 deleted and a new account made with the reused id 1 (a table emptied and refilled). */
function recreate(users: Map<number, User>) {
  users.clear();
  users.set(1, { id: 1, name: 'eve', stamp: stamp() });
}

for (const { name, make } of STORES) {
  for (const mode of MODES) {
    describe(`userVersion with ${name} sessions (${mode.name})`, () => {
      test('a session made for user 1 is refused once user 1 is a recreated account', async () => {
        const store = make();
        const users = new Map([[1, { id: 1, name: 'ana', stamp: stamp() }]]);
        const { app, session, errors } = usersApp(store, users);
        const ana = await mode.client(app);
        await ana.post('/login/1');
        assert.equal((await ana.get('/who')).text, 'ana');
        recreate(users);
        // Without userVersion this answers 'eve': ana's browser is logged in as the new user.
        const res = await ana.get('/who');
        assert.equal(res.text, 'nobody');
        // The stale login is ended, not just ignored: no user in the new session, and (with a
        // store) nothing left under user 1 for eve's "your sessions" page.
        if (store === undefined)
          assert.equal(payloadOf(ana.cookies().session!)._user_id, undefined);
        else assert.deepEqual(await session.listSessions(1), []);
        assert.equal((await ana.get('/who')).text, 'nobody');
        const eve = await mode.client(app);
        await eve.post('/login/1');
        assert.equal((await eve.get('/who')).text, 'eve');
        assert.deepEqual(errors, []);
      });

      test('a remember-me cookie made for user 1 is refused, and revoked, once user 1 is recreated', async () => {
        const store = make();
        const users = new Map([[1, { id: 1, name: 'ana', stamp: stamp() }]]);
        const { app, errors } = usersApp(store, users);
        const ana = await mode.client(app);
        await ana.post('/login/1?remember');
        const token = ana.cookies()._remember!;
        assert.equal(typeof payloadOf(token).user_v, 'string');
        // Restored before the change: the renewed token and the new session keep the version.
        const restored = await mode.client(app, { cookies: { _remember: token } });
        assert.equal((await restored.get('/who')).text, 'ana');
        const renewed = restored.cookies()._remember!;
        assert.equal(payloadOf(renewed).user_v, payloadOf(token).user_v);
        assert.equal((await restored.get('/who')).text, 'ana');
        recreate(users);
        assert.equal((await restored.get('/who')).text, 'nobody');
        const later = await mode.client(app, { cookies: { _remember: renewed } });
        const res = await later.get('/who');
        assert.equal(res.text, 'nobody');
        assert.match(cookieLine(res, '_remember') ?? '', /^_remember=; .*Max-Age=0/);
        if (store !== undefined) {
          assert.equal(await store.get(payloadOf(renewed).rid as string), undefined);
        }
        // The first browser, with its session and its (older) token: refused too.
        assert.equal((await ana.get('/who')).text, 'nobody');
        assert.deepEqual(errors, []);
      });

      test('sessions and remember tokens without a version (Microdot, or before the option) are refused', async () => {
        const store = make();
        const users = new Map([[1, { id: 1, name: 'ana', stamp: stamp() }]]);
        const plain = usersApp(store, users, false);
        const versioned = usersApp(store, users);
        const before = await mode.client(plain.app);
        await before.post('/login/1?remember');
        assert.equal((await before.get('/who')).text, 'ana');
        assert.equal(payloadOf(before.cookies()._remember!).user_v, undefined);
        const session = before.cookies().session!;
        const remember = before.cookies()._remember!;
        // Without the option, the same cookies still log in (Microdot compatibility).
        const again = await mode.client(plain.app, { cookies: { session } });
        assert.equal((await again.get('/who')).text, 'ana');
        const withSession = await mode.client(versioned.app, { cookies: { session } });
        assert.equal((await withSession.get('/who')).text, 'nobody');
        const withRemember = await mode.client(versioned.app, { cookies: { _remember: remember } });
        assert.equal((await withRemember.get('/who')).text, 'nobody');
        assert.deepEqual(versioned.errors, []);
      });

      test('a password change logs out the other sessions and remember tokens, and keeps this one', async () => {
        const store = make();
        const users = new Map([[1, { id: 1, name: 'ana', stamp: stamp() }]]);
        const { app, errors } = usersApp(store, users);
        const laptop = await mode.client(app);
        await laptop.post('/login/1?remember');
        const phone = await mode.client(app);
        await phone.post('/login/1?remember');
        const phoneToken = phone.cookies()._remember!;
        const res = await laptop.post('/password');
        assert.equal(res.text, 'true');
        assert.equal((await laptop.get('/who')).text, 'ana');
        assert.equal((await phone.get('/who')).text, 'nobody');
        const stolen = await mode.client(app, { cookies: { _remember: phoneToken } });
        assert.equal((await stolen.get('/who')).text, 'nobody');
        // This browser's remember cookie was renewed with the new version.
        const laptopLater = await mode.client(app, {
          cookies: { _remember: laptop.cookies()._remember! },
        });
        assert.equal((await laptopLater.get('/who')).text, 'ana');
        assert.deepEqual(errors, []);
      });
    });
  }
}

describe('userVersion: what is kept, and configuration', () => {
  test('the session keeps a digest of the version, never the value; 7 and "7" are one version', async () => {
    const users = new Map<number, User>([[1, { id: 1, name: 'ana', stamp: 'secret-hash' }]]);
    const { app } = usersApp(undefined, users);
    const client = new TestClient(app);
    await client.post('/login/1?remember');
    const digest = payloadOf(client.cookies().session!)._user_v as string;
    assert.match(digest, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(!JSON.stringify(payloadOf(client.cookies().session!)).includes('secret-hash'));
    assert.equal(payloadOf(client.cookies()._remember!).user_v, digest);

    const numeric = new Microdot();
    new Session(numeric, { secretKey: KEY });
    let version: string | number = 7;
    const login = new Login<{ id: number }>({ userVersion: () => version });
    login.userLoader((id) => ({ id: Number(id) }));
    numeric.post('/in', (req) => login.loginUser(req, { id: 1 }));
    numeric.get('/who', async (req) => String((await login.currentUser(req))?.id));
    const c = new TestClient(numeric);
    await c.post('/in');
    version = '7';
    assert.equal((await c.get('/who')).text, '1');
    version = 8;
    assert.equal((await c.get('/who')).text, 'undefined');
  });

  test('no version for a user means no login: loginUser fails, a session is refused', async () => {
    const app = new Microdot();
    const errors: unknown[] = [];
    app.logError = (err) => errors.push(err);
    new Session(app, { secretKey: KEY });
    let version: string | undefined = 'v1';
    const login = new Login<{ id: number }>({ userVersion: () => version });
    login.userLoader((id) => ({ id: Number(id) }));
    app.post('/in', (req) => login.loginUser(req, { id: 1 }));
    app.get('/who', async (req) => String((await login.currentUser(req))?.id));
    const c = new TestClient(app);
    await c.post('/in');
    assert.equal((await c.get('/who')).text, '1');
    for (const none of [undefined, '']) {
      version = none;
      assert.equal((await new TestClient(app).post('/in')).statusCode, 500);
      assert.equal((await c.get('/who')).text, 'undefined');
    }
    assert.equal(errors.length, 2);
    assert.match(String(errors[0]), /userVersion\(user\) must give a non-empty string/);
  });

  test('a bad userVersion, or updateUserVersion without it, says what to do', async () => {
    assert.throws(
      () => new Login({ userVersion: 'stamp' } as never),
      /userVersion must be a function \(user\) =>/,
    );
    const app = new Microdot();
    const errors: unknown[] = [];
    app.logError = (err) => errors.push(err);
    new Session(app, { secretKey: KEY });
    const login = new Login<{ id: number }>().userLoader((id) => ({ id: Number(id) }));
    app.post('/update', (req) => login.updateUserVersion(req, { id: 1 }).then(String));
    assert.equal((await new TestClient(app).post('/update')).statusCode, 500);
    assert.ok(errors[0] instanceof LoginConfigError);
    assert.match(String(errors[0]), /needs the userVersion option/);
  });

  test('updateUserVersion for another user than the logged-in one changes nothing', async () => {
    const users = new Map<number, User>([
      [1, { id: 1, name: 'ana', stamp: 'a' }],
      [2, { id: 2, name: 'bo', stamp: 'b' }],
    ]);
    const { app, login } = usersApp(undefined, users);
    app.post('/update/<int:id>', (req, { id }) =>
      login.updateUserVersion(req, users.get(id)!).then(String),
    );
    const c = new TestClient(app);
    assert.equal((await c.post('/update/1')).text, 'false'); // nobody logged in
    await c.post('/login/1');
    assert.equal((await c.post('/update/2')).text, 'false');
    assert.equal((await c.get('/who')).text, 'ana');
  });

  test('updateUserVersion does not move a stale session to the new version (attack review)', async () => {
    // A route that changes the version without checking the login first (a password reset,
    // say): a session made for the old version must stay refused, not be upgraded.
    for (const mode of STORES) {
      const users = new Map<number, User>([[1, { id: 1, name: 'ana', stamp: 'old' }]]);
      const { app, login } = usersApp(mode.make(), users);
      app.post('/reset/<int:id>', (req, { id }) =>
        login.updateUserVersion(req, users.get(id)!).then(String),
      );
      app.get(
        '/fresh',
        login.fresh(() => 'FRESH-OK'),
      );
      const victim = new TestClient(app);
      await victim.post('/login/1?remember');
      const stolen = new TestClient(app, { cookies: victim.cookies() });
      users.set(1, { id: 1, name: 'eve', stamp: 'new' }); // recreated, or its password reset
      assert.equal((await stolen.post('/reset/1')).text, 'false', mode.name);
      assert.equal((await stolen.get('/who')).text, 'nobody', mode.name);
      assert.notEqual((await stolen.get('/fresh')).text, 'FRESH-OK', mode.name);
    }
  });
});

// The account example over real HTTP (MemoryStore and Redis): "Log out everywhere else" logs out
// every copy of every remember-me cookie of the user, this device's own included (a thief who
// copied it, whether they used it already or not), while this device stays remembered under a
// fresh remember-me token.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAccountApp } from '../../examples/account/account-app.js';
import { MemoryStore, type SessionStore } from '../../src/session/index.js';
import type { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { redisTestPrefix } from '../helpers/redis-prefix.js';

const redis = redisTestPrefix('microdot-account-others-test');
const http = MODES.find((m) => m.name === 'http')!;
const KEY = 'account-others-test-key-0123456789abcdefghij';
const FAST = { logN: 6, r: 8, p: 1 };
const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
});
const STORES: { name: string; make: () => SessionStore }[] = [
  { name: 'memory', make: () => new MemoryStore() },
  { name: 'redis', make: () => redis.store() },
];

/** The account app, and a victim logged in as ana with "remember me" ticked. */
async function setUp(store: SessionStore) {
  const app = await createAccountApp({ secretKey: KEY, passwordCost: FAST, store });
  const victim = await http.client(app);
  const password = 'correct horse';
  await victim.post('/register', form({ name: 'ana', password, confirm: password }));
  await victim.post('/logout');
  const res = await victim.post('/login', form({ name: 'ana', password, remember: 'on' }));
  assert.equal(res.statusCode, 302);
  const token = victim.cookies()._remember!;
  assert.ok(token);
  return { app, victim, token };
}

/** The victim's device, its session cookie dropped (browser restarted), restored from `_remember`. */
async function stillRemembered(app: Parameters<typeof http.client>[0], victim: TestClient) {
  const later = await http.client(app, { cookies: { _remember: victim.cookies()._remember! } });
  const res = await later.get('/');
  assert.equal(res.statusCode, 200, 'this device is no longer remembered');
  assert.match(res.text, /Hello, <bdi>ana<\/bdi>/);
}

for (const { name, make } of STORES) {
  describe(`account example, "log out everywhere else" with ${name} over HTTP`, () => {
    for (const used of [true, false]) {
      test(`a copy of this device's remember cookie (${used ? 'used' : 'unused'}) is logged out`, async () => {
        const { app, victim, token } = await setUp(make());
        const thief = await http.client(app, { cookies: { _remember: token } });
        if (used) assert.equal((await thief.get('/')).statusCode, 200);
        const res = await victim.post('/sessions/others');
        assert.equal(res.statusCode, 302);
        assert.equal(res.headers.location, '/sessions');
        for (let i = 0; i < 2; i++) {
          const r = await thief.get('/');
          assert.equal(r.statusCode, 302, 'the thief is still logged in');
          assert.equal(r.headers.location, '/login?next=/');
        }
        // This device: still logged in, under a new remember token that still restores it.
        assert.equal((await victim.get('/')).statusCode, 200);
        assert.notEqual(victim.cookies()._remember, token);
        await stillRemembered(app, victim);
        // The victim's old token (the thief's copy) does not come back either.
        const copy = await http.client(app, { cookies: { _remember: token } });
        assert.equal((await copy.get('/')).statusCode, 302);
      });
    }

    test('a login restored from a stolen remember cookie must enter the password to end sessions', async () => {
      const { app, victim, token } = await setUp(make());
      const thief = await http.client(app, { cookies: { _remember: token } });
      assert.equal((await thief.get('/')).statusCode, 200);
      const page = (await thief.get('/sessions')).text;
      const handles = [...page.matchAll(/action="\/sessions\/([^"/]+)\/end"/g)].map((m) => m[1]!);
      assert.equal(handles.length, 1, page);
      for (const path of ['/sessions/others', `/sessions/${handles[0]}/end`]) {
        const res = await thief.post(path);
        assert.equal(res.statusCode, 302);
        assert.equal(res.headers.location, `/login?next=${path}`);
      }
      assert.equal((await victim.get('/')).statusCode, 200, 'the victim was logged out');
      // Asked again, the user types the password in, and is taken back to the sessions page.
      const login = await thief.post(
        '/login?next=/sessions/others',
        form({ name: 'ana', password: 'correct horse' }),
      );
      assert.equal(login.headers.location, '/sessions/others');
      const back = await thief.get('/sessions/others');
      assert.equal(back.statusCode, 302);
      assert.equal(back.headers.location, '/sessions');
      assert.equal((await thief.post('/sessions/others')).headers.location, '/sessions');
      assert.equal((await victim.get('/')).statusCode, 302);
    });

    test('other devices and their remember cookies end; a device without one gets none', async () => {
      const { app, victim } = await setUp(make());
      const phone = await http.client(app);
      await phone.post('/login', form({ name: 'ana', password: 'correct horse', remember: 'on' }));
      const phoneToken = phone.cookies()._remember!;
      const plain = await http.client(app);
      await plain.post('/login', form({ name: 'ana', password: 'correct horse' }));
      assert.equal((await plain.post('/sessions/others')).statusCode, 302);
      assert.equal(plain.cookies()._remember, undefined);
      for (const c of [victim, phone]) assert.equal((await c.get('/')).statusCode, 302);
      const copy = await http.client(app, { cookies: { _remember: phoneToken } });
      assert.equal((await copy.get('/')).statusCode, 302);
      assert.equal((await plain.get('/')).statusCode, 200);
    });
  });
}

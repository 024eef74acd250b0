// The account example, in-process: register, log in (remember me), flash, sessions, change
// password behind a fresh login, throttling, escaping, CSRF. Cookie mode and a MemoryStore.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAccountApp } from '../../examples/account/account-app.js';
import { browserOf, escapeHtml } from '../../examples/account/pages.js';
import { MemoryUsers, type Users } from '../../examples/account/users.js';
import { MemoryStore } from '../../src/session/index.js';
import { TestClient } from '../../src/test-client.js';

const KEY = 'account-example-test-key-0123456789abcdefgh';
const FAST = { logN: 6, r: 8, p: 1 };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: FORM,
});
const EVIL = '<img src=x onerror=alert(1)>';

async function app(store = true) {
  return createAccountApp({
    secretKey: KEY,
    passwordCost: FAST,
    ...(store ? { store: new MemoryStore() } : {}),
  });
}

async function register(client: TestClient, name: string, password = 'correct horse') {
  return client.post('/register', form({ name, password, confirm: password }));
}

describe('account example', () => {
  test('register, home with a flash message, the name escaped in <bdi>', async () => {
    const client = new TestClient(await app());
    let res = await register(client, 'Zoë');
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/');
    res = await client.get('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.text, /Hello, <bdi>Zoë<\/bdi>/);
    assert.match(res.text, /Welcome, Zoë! Your account is ready\./);
    assert.doesNotMatch((await client.get('/')).text, /Welcome, Zoë/); // flashed once
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  });

  test('hostile user names are refused; what is shown is escaped', async () => {
    const client = new TestClient(await app());
    const res = await register(client, EVIL);
    assert.equal(res.statusCode, 400);
    assert.doesNotMatch(res.text, /<img/);
    assert.ok(res.text.includes(escapeHtml(EVIL)));
    // Bidirectional text: a right-to-left name is isolated in <bdi>; a U+202E override is refused.
    const rtl = new TestClient(await app());
    assert.equal((await register(rtl, 'אבג ana')).statusCode, 302);
    assert.match((await rtl.get('/')).text, /<bdi>אבג ana<\/bdi>/);
    assert.equal((await register(new TestClient(await app()), 'ana\u202egnp')).statusCode, 400);
    assert.equal((await register(new TestClient(await app()), 'a'.repeat(65))).statusCode, 400);
  });

  test('log in with remember me; a new browser with only _remember is logged in, not fresh', async () => {
    const a = await app();
    await register(new TestClient(a), 'ana');
    const client = new TestClient(a);
    let res = await client.post(
      '/login',
      form({ name: 'ANA', password: 'correct horse', remember: 'on' }),
    );
    assert.equal(res.statusCode, 302);
    assert.ok(client.cookies()._remember);
    assert.match((await client.get('/')).text, /Welcome back, ana!/);
    const later = new TestClient(a, { cookies: { _remember: client.cookies()._remember! } });
    res = await later.get('/');
    assert.match(res.text, /logged in by your “remember me” cookie/);
    res = await later.get('/password');
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/login?next=/password');
  });

  test('wrong passwords: 401, then 429 with Retry-After after 5; unknown names alike', async () => {
    const a = await app();
    await register(new TestClient(a), 'bo');
    const client = new TestClient(a);
    for (let i = 0; i < 5; i++) {
      const res = await client.post('/login', form({ name: 'bo', password: `guess ${i}` }));
      assert.equal(res.statusCode, 401);
      assert.match(res.text, /Wrong user name or password/);
    }
    const res = await client.post('/login', form({ name: 'bo', password: 'correct horse' }));
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.match(res.text, /Too many failed logins/);
    assert.equal(
      (await client.post('/login', form({ name: 'nobody', password: 'x' }))).statusCode,
      429,
    ); // same address
  });

  test('change password: fresh login needed; other sessions end; the new password works', async () => {
    const a = await app();
    const mine = new TestClient(a);
    await register(mine, 'cy');
    const other = new TestClient(a);
    await other.post('/login', form({ name: 'cy', password: 'correct horse' }));
    assert.equal((await other.get('/')).statusCode, 200);
    assert.equal((await mine.get('/password')).statusCode, 200);
    let res = await mine.post(
      '/password',
      form({ current: 'wrong', password: 'battery staple', confirm: 'battery staple' }),
    );
    assert.equal(res.statusCode, 400);
    res = await mine.post(
      '/password',
      form({ current: 'correct horse', password: 'battery staple', confirm: 'battery staple' }),
    );
    assert.equal(res.statusCode, 302);
    assert.match(
      (await mine.get('/')).text,
      /Password changed\. Your other sessions were logged out\./,
    );
    assert.equal((await other.get('/')).statusCode, 302);
    const again = new TestClient(a);
    assert.equal(
      (await again.post('/login', form({ name: 'cy', password: 'battery staple' }))).statusCode,
      302,
    );
  });

  test('cookie mode: a password change logs out the other browsers too, remember-me included', async () => {
    const a = await app(false);
    const mine = new TestClient(a);
    await register(mine, 'gil');
    const other = new TestClient(a);
    await other.post('/login', form({ name: 'gil', password: 'correct horse', remember: 'on' }));
    const remember = other.cookies()._remember!;
    assert.equal((await other.get('/')).statusCode, 200);
    const res = await mine.post(
      '/password',
      form({ current: 'correct horse', password: 'battery staple', confirm: 'battery staple' }),
    );
    assert.equal(res.statusCode, 302);
    assert.equal((await mine.get('/')).statusCode, 200); // this session moved to the new version
    assert.equal((await other.get('/')).statusCode, 302);
    const onlyRemember = new TestClient(a, { cookies: { _remember: remember } });
    assert.equal((await onlyRemember.get('/')).statusCode, 302);
  });

  test('a users table emptied and refilled: the new user 1 gets nothing of the old user 1', async () => {
    for (const store of [undefined, new MemoryStore()]) {
      // A users table the test can drop: ids start again at 1, as after DROP TABLE.
      let table = new MemoryUsers();
      const users: Users = {
        byId: (id) => table.byId(id),
        byName: (name) => table.byName(name),
        add: (name, hash) => table.add(name, hash),
        setPasswordHash: (id, hash) => table.setPasswordHash(id, hash),
      };
      const a = await createAccountApp({
        secretKey: KEY,
        passwordCost: FAST,
        users,
        ...(store ? { store } : {}),
      });
      const stranger = new TestClient(a);
      await register(stranger, 'stranger');
      await stranger.post(
        '/login',
        form({ name: 'stranger', password: 'correct horse', remember: 'on' }),
      );
      const remember = stranger.cookies()._remember!;
      table = new MemoryUsers();
      const newcomer = new TestClient(a);
      await register(newcomer, 'newcomer', 'another password');
      assert.match((await newcomer.get('/')).text, /Hello, <bdi>newcomer<\/bdi>/);
      // The stranger's live session and remember-me cookie named user 1: now refused.
      const mode = store ? 'store' : 'cookie';
      assert.equal((await stranger.get('/')).statusCode, 302, mode);
      const onlyRemember = new TestClient(a, { cookies: { _remember: remember } });
      assert.equal((await onlyRemember.get('/')).statusCode, 302, mode);
      if (store) {
        const page = (await newcomer.get('/sessions')).text;
        assert.equal([...page.matchAll(/action="\/sessions\/[^"/]+\/end"/g)].length, 0, page);
      }
    }
  });

  test('your sessions: listed with browser and address; ending one takes effect at once', async () => {
    const a = await app();
    const laptop = new TestClient(a);
    await register(laptop, 'dee');
    const phone = new TestClient(a);
    await phone.post('/login', form({ name: 'dee', password: 'correct horse' }));
    const res = await laptop.get('/sessions');
    assert.match(res.text, /this device/);
    const handles = [...res.text.matchAll(/action="\/sessions\/([^"/]+)\/end"/g)].map((m) => m[1]!);
    assert.equal(handles.length, 1);
    await laptop.post(`/sessions/${handles[0]}/end`);
    assert.equal((await phone.get('/')).statusCode, 302);
    assert.equal((await laptop.get('/')).statusCode, 200);
  });

  test('your sessions: ending a device that ticked "remember me" logs it out, no new row', async () => {
    const a = await app();
    const laptop = new TestClient(a);
    await register(laptop, 'eve');
    const phone = new TestClient(a);
    await phone.post('/login', form({ name: 'eve', password: 'correct horse', remember: 'on' }));
    assert.ok(phone.cookies()._remember);
    const res = await laptop.get('/sessions');
    const handles = [...res.text.matchAll(/action="\/sessions\/([^"/]+)\/end"/g)].map((m) => m[1]!);
    assert.equal(handles.length, 1);
    await laptop.post(`/sessions/${handles[0]}/end`);
    assert.equal((await phone.get('/')).statusCode, 302);
    assert.equal(phone.cookies()._remember, undefined);
    const after = await laptop.get('/sessions');
    assert.equal([...after.text.matchAll(/action="\/sessions\/[^"/]+\/end"/g)].length, 0);
  });

  test('cookie mode: the sessions page explains why it cannot list them', async () => {
    const client = new TestClient(await app(false));
    await register(client, 'eve');
    const res = await client.get('/sessions');
    assert.match(res.text, /cannot list them/);
  });

  test('a cross-site form post is refused (CSRF), a same-origin one is served', async () => {
    const client = new TestClient(await app());
    const cross = {
      ...form({ name: 'mallory', password: 'correct horse', confirm: 'correct horse' }),
    };
    const res = await client.post('/register', {
      ...cross,
      headers: { ...cross.headers, 'Sec-Fetch-Site': 'cross-site' },
    });
    assert.equal(res.statusCode, 403);
    const ok = await client.post('/register', {
      ...cross,
      headers: { ...cross.headers, 'Sec-Fetch-Site': 'same-origin' },
    });
    assert.equal(ok.statusCode, 302);
  });

  test('login keeps a safe next and drops an unsafe one', async () => {
    const a = await app();
    await register(new TestClient(a), 'fay');
    let res = await new TestClient(a).post(
      '/login?next=/sessions',
      form({ name: 'fay', password: 'correct horse' }),
    );
    assert.equal(res.headers.location, '/sessions');
    res = await new TestClient(a).post(
      '/login?next=//evil.example',
      form({ name: 'fay', password: 'correct horse' }),
    );
    assert.equal(res.headers.location, '/');
    const page = await new TestClient(a).get('/login?next=/password%3Fa%3D%22%3E%3Cx');
    assert.doesNotMatch(page.text, /"><x/);
  });

  test('browserOf names common browsers', () => {
    assert.equal(
      browserOf(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36',
      ),
      'Headless Chrome on Linux',
    );
    assert.equal(
      browserOf('Mozilla/5.0 (Windows NT 10.0; rv:120.0) Gecko/20100101 Firefox/120.0'),
      'Firefox on Windows',
    );
    assert.equal(browserOf(undefined), 'Unknown browser');
  });
});

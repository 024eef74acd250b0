// Our own cases for microdot-ts/login: each flaw of Microdot's login.py fixed (a test that
// fails on Microdot's behaviour), re-authentication by age, and what we add beyond it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CSRF } from '../../src/csrf/index.js';
import { Microdot } from '../../src/index.js';
import { encodeNext, isSafeNext, Login, LoginConfigError } from '../../src/login/index.js';
import { KeyRing, MemoryStore, Session } from '../../src/session/index.js';
import { signToken } from '../../src/session/token.js';
import { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { cookieLine, KEY, loginApp, payloadOf, setCookies } from './helpers.js';

const now = () => Math.floor(Date.now() / 1000);
const ring = new KeyRing(KEY);
const sessionCookie = (payload: Record<string, unknown>) =>
  `session=${signToken(payload, ring.current)}`;

for (const mode of MODES) {
  describe(`open redirect (${mode.name})`, () => {
    test('a next that leaves the site is replaced by redirectUrl (Microdot follows //evil.example)', async () => {
      const { app } = loginApp();
      for (const next of [
        '//evil.example',
        '/\\evil.example',
        '/%5Cevil.example',
        '%2F%2Fevil.example',
        '/%09/evil.example',
        'https://evil.example',
        'javascript:alert(1)',
        '/%0d%0aSet-Cookie:%20x=1',
        '///evil.example',
        '/%E2%80%8B/x',
        '/..//evil.example',
        '/%2e%2e//evil.example',
        '/%252e%252e//evil.example',
        '/.//evil.example',
        '/a/../..//evil.example',
      ]) {
        const client = await mode.client(app);
        const res = await client.post(`/login/1?next=${next}`);
        assert.equal(res.statusCode, 302, next);
        assert.equal(res.headers.location, '/home', next);
      }
    });

    test('a path on this site, with its query, is followed', async () => {
      const { app } = loginApp();
      const client = await mode.client(app);
      const res = await client.post('/login/1?next=/account%3Ftab%3Dsecurity%26x%3D%252F');
      assert.equal(res.headers.location, '/account?tab=security&x=%2F');
    });

    test('the next of the login redirect decodes to the exact path and query', async () => {
      const { app } = loginApp();
      const client = await mode.client(app);
      const res = await client.get('/?q=a+b%20c&x=%2B');
      const location = res.headers.location as string;
      assert.equal(location, '/login?next=/%3Fq%3Da%2Bb%2520c%26x%3D%252B');
      assert.equal(new URL(location, 'http://x').searchParams.get('next'), '/?q=a+b%20c&x=%2B');
    });
  });

  describe(`session fixation (${mode.name})`, () => {
    test('cookie mode: loginUser gives a new iat and auth_time (Microdot keeps the planted session)', async () => {
      const { app } = loginApp();
      const planted = { cart: 3, iat: now() - 500, exp: now() + 5000, auth_time: now() - 500 };
      const client = await mode.client(app, {
        cookies: { session: sessionCookie(planted).slice(8) },
      });
      const res = await client.post('/login/1');
      const token = cookieLine(res, 'session')!.split(';')[0]!.slice(8);
      const claims = payloadOf(token);
      assert.ok((claims.iat as number) >= now() - 2);
      assert.ok((claims.auth_time as number) >= now() - 2);
      assert.equal(claims.cart, 3); // the data are kept
      assert.equal(claims._user_id, 1);
      assert.equal(claims._fresh, true);
    });

    test('store mode: a session id planted before the login is dead after it', async () => {
      const { app } = loginApp({ store: new MemoryStore() });
      const attacker = await mode.client(app);
      await attacker.get('/who'); // nothing saved yet: make a session first
      const seed = new TestClient(app);
      await seed.post('/logout'); // logout saves a (user-less) session: a real, planted id
      const planted = seed.cookies().session!;
      const victim = await mode.client(app, { cookies: { session: planted } });
      const res = await victim.post('/login/1');
      assert.notEqual(victim.cookies().session, planted);
      assert.equal((await victim.get('/who')).text, 'ana');
      const replay = await mode.client(app, { cookies: { session: planted } });
      assert.equal((await replay.get('/who')).text, 'nobody');
      assert.equal(res.statusCode, 302);
    });
  });

  describe(`the remember-me cookie (${mode.name})`, () => {
    test('has the session cookie attributes and Max-Age = days (Microdot: none of them)', async () => {
      const { app } = loginApp();
      const client = await mode.client(app);
      const res = await client.post('/login/1?remember=7');
      const line = cookieLine(res, '_remember')!;
      assert.match(line, /; Max-Age=604800(;|$)/);
      assert.match(line, /; Path=\//);
      assert.match(line, /; HttpOnly/);
      assert.match(line, /; SameSite=Lax/);
      assert.doesNotMatch(line, /; Secure/);
    });

    test('is Secure over https, as the session cookie', async () => {
      const { app } = loginApp({ trustProxy: true });
      const client = await mode.client(app);
      const res = await client.post('/login/1?remember=true', {
        headers: { 'X-Forwarded-Proto': 'https' },
      });
      assert.match(cookieLine(res, '_remember')!, /; Secure/);
      assert.match(cookieLine(res, 'session')!, /; Secure/);
      assert.match(cookieLine(res, '_remember')!, /; Max-Age=2592000/);
    });

    test("carries Microdot's claims user_id, days, exp, signed with the ring (kid), or encrypted", async () => {
      const { app } = loginApp();
      const client = await mode.client(app);
      await client.post('/login/2?remember=7');
      const token = client.cookies()._remember!;
      const claims = payloadOf(token);
      assert.equal(claims.user_id, 2);
      assert.equal(claims.days, 7);
      assert.ok(Math.abs((claims.exp as number) - (now() + 7 * 86400)) <= 2);
      assert.equal(
        JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid,
        ring.current.kid,
      );

      const encrypted = loginApp({ encrypt: true });
      const c2 = await mode.client(encrypted.app);
      await c2.post('/login/2?remember=7');
      assert.equal(c2.cookies()._remember!.split('.').length, 5); // a compact JWE
      const restored = await mode.client(encrypted.app, {
        cookies: { _remember: c2.cookies()._remember! },
      });
      assert.equal((await restored.get('/who')).text, 'bo');
    });

    test('its days are honoured on renewal (Microdot reads _days and renews for 30)', async () => {
      const { app } = loginApp();
      const first = await mode.client(app);
      await first.post('/login/1?remember=7');
      const client = await mode.client(app, { cookies: { _remember: first.cookies()._remember! } });
      const res = await client.get('/who');
      assert.equal(res.text, 'ana');
      const line = cookieLine(res, '_remember')!;
      assert.match(line, /; Max-Age=604800/);
      assert.equal(payloadOf(client.cookies()._remember!).days, 7);
    });

    test('restoring gives a new session that is not fresh; fresh sends it to log in', async () => {
      const { app } = loginApp();
      const first = await mode.client(app);
      await first.post('/login/1?remember=true');
      const client = await mode.client(app, { cookies: { _remember: first.cookies()._remember! } });
      const res = await client.get('/fresh');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?next=/fresh');
      const session = payloadOf(client.cookies().session!);
      assert.equal(session._user_id, 1);
      assert.equal(session._fresh, false);
      assert.ok((session.auth_time as number) >= now() - 2);
    });

    test('a forged, foreign or garbled remember cookie is nobody, and is removed: never a 500', async () => {
      const { app, errors } = loginApp();
      const other = signToken(
        { user_id: 1, days: 30, exp: now() + 1000 },
        new KeyRing('another-key-of-at-least-32-bytes-000000').current,
      );
      for (const value of [
        'garbage',
        other,
        signToken({ user_id: { x: 1 }, exp: now() + 99 }, ring.current),
        signToken({ user_id: 1, exp: now() - 999 }, ring.current),
        '',
      ]) {
        const client = await mode.client(app, { cookies: { _remember: value } });
        const res = await client.get('/who');
        assert.equal(res.text, 'nobody', value);
        if (value !== '')
          assert.match(cookieLine(res, '_remember') ?? '', /^_remember=; .*Max-Age=0/);
      }
      assert.deepEqual(errors, []);
    });
  });

  describe(`logging out (${mode.name})`, () => {
    test('removes _user_id and _fresh, clears _remember with its attributes', async () => {
      const { app } = loginApp();
      const client = await mode.client(app);
      await client.post('/login/1?remember=true');
      const res = await client.post('/logout');
      const session = payloadOf(client.cookies().session!);
      assert.equal(session._user_id, undefined);
      assert.equal(session._fresh, undefined);
      assert.match(
        cookieLine(res, '_remember')!,
        /^_remember=; Path=\/; .*Max-Age=0; HttpOnly; SameSite=Lax$/,
      );
      assert.equal((await client.get('/who')).text, 'nobody');
    });
  });

  describe(`re-authentication by age (${mode.name})`, () => {
    test('fresh with maxAge: a login older than maxAge goes to the login page', async () => {
      const { app } = loginApp();
      const at = (age: number) => ({
        _user_id: 1,
        _fresh: true,
        iat: now() - age,
        exp: now() + 3600,
        auth_time: now() - age,
      });
      let client = await mode.client(app, {
        cookies: { session: sessionCookie(at(700)).slice(8) },
      });
      assert.equal((await client.get('/fresh')).text, 'fresh');
      let res = await client.get('/password');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?next=/password');
      client = await mode.client(app, { cookies: { session: sessionCookie(at(100)).slice(8) } });
      res = await client.get('/password');
      assert.equal(res.statusCode, 200);
      // A Python Microdot session has no auth_time: fresh, but of unknown age.
      client = await mode.client(app, {
        cookies: { session: sessionCookie({ _user_id: 1, _fresh: true }).slice(8) },
      });
      assert.equal((await client.get('/fresh')).text, 'fresh');
      assert.equal((await client.get('/password')).statusCode, 302);
    });

    test('logging in again makes it pass', async () => {
      const { app } = loginApp();
      const old = {
        _user_id: 1,
        _fresh: true,
        iat: now() - 900,
        exp: now() + 3600,
        auth_time: now() - 900,
      };
      const client = await mode.client(app, { cookies: { session: sessionCookie(old).slice(8) } });
      const res = await client.get('/password');
      assert.equal(res.statusCode, 302);
      const next = new URL(res.headers.location as string, 'http://x').searchParams.get('next')!;
      const back = await client.post(`/login/1?next=${encodeURIComponent(next)}`);
      assert.equal(back.headers.location, '/password');
      assert.equal((await client.get('/password')).text, 'change it');
    });
  });
}

describe('isSafeNext', () => {
  const base = 'https://app.example';
  it_('never accepts a value that a browser would resolve to another origin', () => {
    const piece = fc.constantFrom(
      '/',
      '\\',
      '//',
      '/\\',
      '\t',
      '\n',
      '\r',
      ' ',
      '%2F',
      '%5C',
      'evil.example',
      ':',
      '@',
      '?',
      '#',
      '.',
      '..',
      '%2e',
      '%2E',
      'https:',
      'javascript:',
      '\u3002',
      '\uff0f',
      '\u0000',
      'a',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: piece, maxLength: 8 }),
          fc.string({ unit: 'binary', maxLength: 30 }),
        ),
        (value) => {
          if (!isSafeNext(value)) return;
          assert.ok(value.startsWith('/') && !value.startsWith('//'));
          assert.equal(new URL(value, base).origin, base, value);
          // What a browser does with a Location header: strip tabs and newlines, then resolve.
          assert.equal(new URL(value.replace(/[\t\n\r]/g, ''), base).origin, base, value);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it_('never accepts a path with dot segments, whose resolution could start with //', () => {
    const piece = fc.constantFrom('/', '.', '..', '%2e', '%2E', '%2e.', 'a', '?', '#', '%2f');
    fc.assert(
      fc.property(fc.string({ unit: piece, maxLength: 10 }), (value) => {
        if (!isSafeNext(value)) return;
        const url = new URL(value, base);
        assert.ok(!url.pathname.startsWith('//'), value);
        // No segment was removed or folded: the path is the one written.
        const end = value.search(/[?#]/);
        const path = end === -1 ? value : value.slice(0, end);
        assert.equal(url.pathname.split('/').length, path.split('/').length, value);
      }),
      { numRuns: 2000 },
    );
  });

  it_('refuses dot segments in any spelling, and accepts dots inside a segment', () => {
    for (const value of [
      '/..//evil.example',
      '/.//evil.example',
      '/%2e%2e//evil.example',
      '/%2E%2e//evil.example',
      '/.%2e//evil.example',
      '/%2e.//evil.example',
      '/%2e//evil.example',
      '/a/../b',
      '/a/./b',
      '/a/%2E',
      '/..',
      '/.',
      '/a/..?x=1',
    ])
      assert.ok(!isSafeNext(value), value);
    for (const value of [
      '/...',
      '/a..b',
      '/.well-known/x',
      '/a/.b',
      '/a?x=/../y',
      '/a?..',
      '/%2e%2e%2e',
    ])
      assert.ok(isSafeNext(value), value);
  });

  it_('accepts ordinary paths with queries', () => {
    for (const value of ['/', '/a', '/a/b?c=d&e=%2F', '/~user/x;y', '/a:b@c'])
      assert.ok(isSafeNext(value), value);
    for (const value of [
      '',
      'a',
      '//x',
      '/\\x',
      '/a\\b',
      '/a b',
      '/\u00e9',
      `/${'a'.repeat(3000)}`,
      42,
    ])
      assert.ok(!isSafeNext(value), String(value));
  });
});

describe('the next parameter', () => {
  test('encodeNext round-trips any well-formed path and query through the query string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (tail) => {
        const url = `/${tail}`;
        const encoded = encodeNext(url);
        assert.match(encoded, /^[A-Za-z0-9\-._~!$'()*,;:@/%]*$/);
        assert.equal(new URLSearchParams(`next=${encoded}`).get('next'), url);
      }),
      { numRuns: 500 },
    );
  });

  test('whatever next a client sends, loginUser answers 302 to it (when safe) or to redirectUrl', async () => {
    const { app, errors } = loginApp();
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.constantFrom(
            '/',
            '\\',
            '%2F',
            '%5C',
            '%09',
            '%0A',
            '%00',
            'e',
            '.',
            ':',
            '?',
            '&',
            '=',
            '%',
            '%E2%80%AE',
            '+',
            '#',
          ),
          maxLength: 10,
        }),
        async (raw) => {
          const res = await new TestClient(app).post(`/login/1?next=${raw.replace(/#/g, '%23')}`);
          assert.equal(res.statusCode, 302);
          const location = res.headers.location as string;
          assert.ok(location === '/home' || isSafeNext(location), location);
        },
      ),
      { numRuns: 300 },
    );
    assert.deepEqual(errors, []);
  });
});

describe('composition', () => {
  test('csrf.exempt and csrf.protect work inside and outside required and fresh (wraps)', async () => {
    const { app } = loginApp();
    const csrf = new CSRF(app);
    app.post('/hook', login_.required(csrf.exempt(() => 204)));
    app.post('/hook2', csrf.exempt(login_.fresh(() => 204)));
    app.get('/danger', login_.required(csrf.protect(() => 204)));
    const client = new TestClient(app);
    await client.post('/login/1');
    const cross = { headers: { 'Sec-Fetch-Site': 'cross-site' } };
    assert.equal((await client.post('/hook', cross)).statusCode, 204);
    assert.equal((await client.post('/hook2', cross)).statusCode, 204);
    assert.equal((await client.get('/danger', cross)).statusCode, 403);
    assert.equal((await client.get('/danger')).statusCode, 204);
  });
});

describe('configuration', () => {
  test('unknown options, a bad loginUrl, a bad maxAge or remember are refused with a hint', async () => {
    assert.throws(() => new Login({ loginURL: '/x' } as never), /unknown option "loginURL"/);
    assert.throws(() => new Login({ loginUrl: '/login\r\nX: y' }), LoginConfigError);
    assert.throws(() => new Login().fresh(() => 'x', { maxAge: -1 }), /maxAge must be/);
    const { app } = loginApp();
    app.post('/bad', (req) =>
      new Login().userLoader(() => undefined).loginUser(req, { id: 1 }, { remember: -3 }),
    );
    assert.equal((await new TestClient(app).post('/bad')).statusCode, 500);
  });

  test('a Login without a Session, or without a userLoader, says what to do', async () => {
    const app = new Microdot();
    const errors: unknown[] = [];
    app.logError = (err) => errors.push(err);
    const login = new Login();
    app.get(
      '/',
      login.required(() => 'x'),
    );
    await new TestClient(app).get('/');
    assert.match(String(errors[0]), /call userLoader/);
    login.userLoader(() => undefined);
    await new TestClient(app).get('/');
    assert.match(String(errors[1]), /needs a Session attached/);
    new Session(app, { secretKey: KEY });
    assert.equal((await new TestClient(app).get('/')).statusCode, 302);
  });
});

function it_(name: string, fn: () => void) {
  test(name, fn);
}

void setCookies;

/** A Login over the test users, for routes added to a loginApp. */
const login_ = new Login<{ id: number }>().userLoader((id) => ({ id: Number(id) }));

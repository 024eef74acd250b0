// The public hooks of Session that extensions (microdot-ts/login's remember-me) build on:
// issueToken / verifyToken, cookieAttributes, store, tokenClaims.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import { MemoryStore, Session, withSession } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';

const KEY = 'extension-api-secret-key-0123456789abcdefgh';
const OLD = 'extension-api-old-secret-key-0123456789abcd';
const now = () => Math.floor(Date.now() / 1000);

describe('Session.issueToken / verifyToken', () => {
  for (const encrypt of [false, true]) {
    test(`round trip, ${encrypt ? 'encrypted' : 'signed'}`, () => {
      const session = new Session(null, { secretKey: KEY, encrypt });
      const claims = { user_id: 42, days: 30, exp: now() + 30 * 86400 };
      const token = session.issueToken(claims);
      assert.equal(token.split('.').length, encrypt ? 5 : 3);
      if (!encrypt) {
        const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
        assert.deepEqual(
          payload,
          claims,
          'signed: readable, as Microdot reads its remember cookie',
        );
      }
      assert.deepEqual(session.verifyToken(token), claims);
    });
  }

  test('refuses tampered, expired, future and foreign tokens; accepts older keys of the ring', () => {
    const session = new Session(null, { secretKey: [KEY, OLD] });
    const token = session.issueToken({ user_id: 1, exp: now() + 60 });
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ user_id: 2, exp: now() + 60 })).toString(
      'base64url',
    );
    assert.equal(session.verifyToken(`${h}.${forged}.${s}`), undefined);
    assert.equal(session.verifyToken(`${h}.${p}.${s.slice(0, -2)}AA`), undefined);
    assert.equal(session.verifyToken(session.issueToken({ exp: now() - 3600 })), undefined);
    assert.equal(session.verifyToken(session.issueToken({ nbf: now() + 3600 })), undefined);
    assert.equal(session.verifyToken(session.issueToken({ iat: now() + 3600 })), undefined);
    for (const bad of ['', 'x', 'a.b.c', 'a.b.c.d.e', '.'.repeat(10_000)])
      assert.equal(session.verifyToken(bad), undefined);
    const other = new Session(null, { secretKey: 'another-secret-key-entirely-0123456789abc' });
    assert.equal(other.verifyToken(token), undefined);
    const byOld = new Session(null, { secretKey: OLD }).issueToken({ user_id: 3 });
    assert.deepEqual(session.verifyToken(byOld), { user_id: 3 });
    // The session's lifetime does not apply to these tokens: a 30-day token outlives maxAge.
    const short = new Session(null, { secretKey: KEY, maxAge: 60 });
    const long = short.issueToken({ iat: now() - 3600, exp: now() + 30 * 86400 });
    assert.deepEqual(short.verifyToken(long)?.exp, now() + 30 * 86400);
  });
});

describe('Session.cookieAttributes, store, tokenClaims', () => {
  test('cookieAttributes are the session cookie’s, Secure over https, and a copy', () => {
    const session = new Session(null, {
      secretKey: KEY,
      trustProxy: true,
      cookieOptions: { sameSite: 'Strict', path: '/app' },
    });
    const app = new Microdot();
    const seen: unknown[] = [];
    app.get('/', (req) => {
      const attrs = session.cookieAttributes(req);
      seen.push({ ...attrs });
      attrs.httpOnly = false;
      return 'ok';
    });
    return (async () => {
      const client = await MODES[0]!.client(app);
      await client.get('/');
      await client.get('/', { headers: { 'X-Forwarded-Proto': 'https' } });
      await client.get('/');
      assert.deepEqual(seen[0], { path: '/app', httpOnly: true, sameSite: 'Strict' });
      assert.deepEqual(seen[1], { path: '/app', httpOnly: true, sameSite: 'Strict', secure: true });
      assert.deepEqual(seen[2], seen[0], 'changing the copy changed nothing');
    })();
  });

  test('store is the configured store, or undefined in cookie mode', () => {
    const store = new MemoryStore();
    assert.equal(new Session(null, { secretKey: KEY, store }).store, store);
    assert.equal(new Session(null, { secretKey: KEY }).store, undefined);
  });

  for (const storeMode of [false, true]) {
    for (const mode of MODES) {
      test(`tokenClaims gives iat, exp and auth_time of the request's session (${storeMode ? 'store' : 'cookie'}) [${mode.name}]`, async () => {
        const app = new Microdot();
        const session = new Session(app, {
          secretKey: KEY,
          maxAge: 3600,
          ...(storeMode ? { store: new MemoryStore() } : {}),
        });
        app.post(
          '/login',
          withSession((_req, s) => {
            s.userId = 'ana';
            s.regenerate();
            s.save();
            return 'ok';
          }),
        );
        app.get('/claims', async (req) => await session.tokenClaims(req));
        const client = await mode.client(app);
        assert.deepEqual((await client.get('/claims')).json, {});
        const before = now();
        await client.post('/login');
        const claims = (await client.get('/claims')).json as Record<string, number>;
        assert.deepEqual(Object.keys(claims).sort(), ['auth_time', 'exp', 'iat']);
        assert.ok(claims.auth_time! >= before - 1 && claims.auth_time! <= now());
        assert.equal(claims.exp, claims.iat! + 3600);
      });
    }
  }
});

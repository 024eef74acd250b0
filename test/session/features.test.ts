// Issue 4's features, beyond Microdot: lifetimes, rolling renewal, key ring, encryption, size
// budget, secure cookie defaults, save modes, regenerate, flash, validation, diagnostics.
import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { jwtDecrypt, jwtVerify } from 'jose';
import { Microdot, Request } from '../../src/index.js';
import {
  type InvalidReason,
  KeyRing,
  Session,
  type SessionOptions,
  SessionTooLargeError,
  type StandardSchemaV1,
  withSession,
} from '../../src/session/index.js';
import { signToken } from '../../src/session/token.js';
import { TestClient, type TestResponse } from '../../src/test-client.js';
import { sessionApp } from '../helpers/session-app.js';

const KEY = 'feature-tests-secret-key-0123456789abcdef';
const OLD = 'the-previous-secret-key-0123456789abcdefgh';
const now = () => Math.floor(Date.now() / 1000);

function setCookie(res: TestResponse): string | undefined {
  const list = res.headers['set-cookie'];
  if (list === undefined) return undefined;
  const lines = typeof list === 'string' ? [list] : list;
  assert.ok(lines.length <= 1, 'at most one session Set-Cookie');
  return lines[0];
}

function tokenOf(res: TestResponse): string {
  const line = setCookie(res);
  assert.ok(line !== undefined, 'expected a Set-Cookie');
  return line.split(';', 1)[0]!.split('=').slice(1).join('=');
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

function header(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
}

/** An app with routes that read, write and count, under the given session options. */
const makeApp = (options: SessionOptions = {}) => sessionApp(KEY, options);

function cookieFor(payload: Record<string, unknown>, secret = KEY): string {
  return `session=${signToken(payload, new KeyRing(secret).current)}`;
}

describe('lifetimes inside the token', () => {
  test('every token carries iat, exp and auth_time; maxAge sets exp and Max-Age; claims are not data', async () => {
    const { client } = makeApp({ maxAge: 3600 });
    const res = await client.get('/count');
    const token = tokenOf(res);
    const c = claims(token);
    assert.equal(typeof c.iat, 'number');
    assert.equal(c.exp, (c.iat as number) + 3600);
    assert.equal(c.auth_time, c.iat);
    assert.match(setCookie(res)!, /Max-Age=(3600|3599);/);
    assert.equal((await client.get('/read')).text, '{"n":1}');
  });

  test('the default lifetime is 14 days', async () => {
    const { client } = makeApp();
    const c = claims(tokenOf(await client.get('/count')));
    assert.equal((c.exp as number) - (c.iat as number), 14 * 24 * 3600);
  });

  test('expired, idle, past the absolute timeout, or issued in the future: an empty session', async () => {
    const t = now();
    const cases: [string, SessionOptions, Record<string, unknown>, InvalidReason | undefined][] = [
      ['fresh', {}, { n: 1, iat: t, exp: t + 60 }, undefined],
      ['within clock skew', {}, { n: 1, iat: t - 100, exp: t - 30 }, undefined],
      ['expired', {}, { n: 1, iat: t - 100, exp: t - 90 }, 'expired'],
      [
        'lifetime shortened since issue',
        { maxAge: 60 },
        { n: 1, iat: t - 3600, exp: t + 3600 },
        'expired',
      ],
      ['idle too long', { idleTimeout: 300 }, { n: 1, iat: t - 1000, exp: t + 3600 }, 'expired'],
      [
        'past the absolute timeout',
        { absoluteTimeout: 600 },
        { n: 1, iat: t, exp: t + 60, auth_time: t - 3600 },
        'expired',
      ],
      ['iat in the future', {}, { n: 1, iat: t + 3600, exp: t + 7200 }, 'malformed'],
      ['exp not a number', {}, { n: 1, exp: 'never' }, 'malformed'],
      ['no claims at all (Python Microdot)', {}, { n: 1 }, undefined],
    ];
    for (const [name, options, payload, reason] of cases) {
      const { client, reasons } = makeApp(options);
      const res = await client.get('/read', { headers: { Cookie: cookieFor(payload) } });
      assert.equal(res.statusCode, 200, name);
      assert.equal(res.text, reason === undefined ? '{"n":1}' : '{}', name);
      assert.deepEqual(reasons, reason === undefined ? [] : [reason], name);
    }
  });

  test('absoluteTimeout is counted from the first login and kept across renewals', async () => {
    const t = now();
    const { client } = makeApp({ absoluteTimeout: 3600 });
    const res = await client.get('/count', {
      headers: { Cookie: cookieFor({ n: 1, iat: t - 1000, exp: t + 1000, auth_time: t - 1000 }) },
    });
    const c = claims(tokenOf(res));
    assert.equal(c.auth_time, t - 1000, 'auth_time kept');
    assert.equal(c.exp, t - 1000 + 3600, 'exp capped by the absolute timeout');
  });
});

describe('rolling renewal', () => {
  test('re-issues the cookie without save() once the share of the lifetime has passed', async () => {
    const t = now();
    const { client } = makeApp({ maxAge: 1000, rolling: 0.5 });
    const young = await client.get('/read', {
      headers: { Cookie: cookieFor({ n: 1, iat: t - 100, exp: t + 900, auth_time: t - 100 }) },
    });
    assert.equal(setCookie(young), undefined, 'not yet');
    const old = await client.get('/read', {
      headers: { Cookie: cookieFor({ n: 1, iat: t - 600, exp: t + 400, auth_time: t - 600 }) },
    });
    const c = claims(tokenOf(old));
    assert.ok((c.iat as number) >= t, 'new iat');
    assert.equal(c.auth_time, t - 600, 'auth_time kept');
    assert.equal(c.n, 1, 'same data');
  });

  test('without rolling, a read never re-writes the cookie', async () => {
    const t = now();
    const { client } = makeApp({ maxAge: 1000 });
    const res = await client.get('/read', {
      headers: { Cookie: cookieFor({ n: 1, iat: t - 900, exp: t + 100 }) },
    });
    assert.equal(setCookie(res), undefined);
  });
});

describe('key ring', () => {
  test('signs with the first key and a kid; accepts older keys and re-issues with the newest', async () => {
    const { client, reasons } = makeApp({ secretKey: [KEY, OLD] });
    const t = now();
    const res = await client.get('/read', {
      headers: { Cookie: cookieFor({ n: 7, iat: t, exp: t + 60 }, OLD) },
    });
    assert.equal(res.text, '{"n":7}');
    const token = tokenOf(res);
    assert.equal(header(token).kid, new KeyRing(KEY).current.kid);
    const { payload } = await jwtVerify(token, new TextEncoder().encode(KEY), {
      algorithms: ['HS256'],
    });
    assert.equal(payload.n, 7);
    assert.equal(payload.exp, t + 60, 'a key rotation does not extend the session');
    assert.deepEqual(reasons, []);
  });

  test('reissue: false leaves older tokens as they are; a key removed from the ring is refused', async () => {
    const t = now();
    const keep = makeApp({ secretKey: [KEY, OLD], reissue: false });
    const res = await keep.client.get('/read', {
      headers: { Cookie: cookieFor({ n: 7, iat: t, exp: t + 60 }, OLD) },
    });
    assert.equal(res.text, '{"n":7}');
    assert.equal(setCookie(res), undefined);
    const removed = makeApp({ secretKey: [KEY] });
    const res2 = await removed.client.get('/read', {
      headers: { Cookie: cookieFor({ n: 7 }, OLD) },
    });
    assert.equal(res2.text, '{}');
    assert.deepEqual(removed.reasons, ['unknown-key']);
  });
});

describe('encryption', () => {
  test('encrypt: true issues a compact JWE that jose decrypts with the HKDF-derived key', async () => {
    const { client } = makeApp({ encrypt: true });
    const token = tokenOf(await client.get('/count'));
    assert.equal(token.split('.').length, 5);
    assert.ok(!token.includes(Buffer.from('"n":1').toString('base64url')), 'data not readable');
    const key = new Uint8Array(
      hkdfSync('sha256', KEY, new Uint8Array(0), 'microdot-ts session encryption v1', 32),
    );
    const { payload, protectedHeader } = await jwtDecrypt(token, key);
    assert.equal(protectedHeader.alg, 'dir');
    assert.equal(protectedHeader.enc, 'A256GCM');
    assert.equal(payload.n, 1);
    assert.equal((await client.get('/count')).text, '2');
  });
});

describe('size budget', () => {
  test('save() throws SessionTooLargeError with the size and limit; no cookie is silently dropped', async () => {
    const app = new Microdot();
    app.logError = () => {};
    new Session(app, { secretKey: KEY });
    app.get(
      '/big',
      withSession((_req, s) => {
        s.blob = 'x'.repeat(5000);
        try {
          s.save();
          return 'saved';
        } catch (err) {
          assert.ok(err instanceof SessionTooLargeError);
          assert.ok(err.size > 4096);
          assert.equal(err.limit, 4096);
          return `too large: ${err.size} > ${err.limit}`;
        }
      }),
    );
    app.get(
      '/big-uncaught',
      withSession((_req, s) => {
        s.blob = 'x'.repeat(5000);
        s.save();
        return 'saved';
      }),
    );
    app.get(
      '/fits',
      withSession((_req, s) => {
        s.blob = 'x'.repeat(2000);
        s.save();
        return 'saved';
      }),
    );
    const client = new TestClient(app);
    const res = await client.get('/big');
    assert.match(res.text, /^too large: \d+ > 4096$/);
    assert.equal(setCookie(res), undefined);
    const res2 = await client.get('/big-uncaught');
    assert.equal(res2.statusCode, 500);
    assert.equal(setCookie(res2), undefined);
    const res3 = await client.get('/fits');
    assert.ok(setCookie(res3)!.length <= 4096);
  });
});

describe('secure cookie defaults', () => {
  test('HttpOnly and SameSite=Lax by default; Secure only over https', async () => {
    const { app } = makeApp();
    const res = await new TestClient(app).get('/count');
    assert.match(setCookie(res)!, /; HttpOnly; SameSite=Lax$/);
    assert.doesNotMatch(setCookie(res)!, /Secure/);
    const https = await app.dispatch(
      new Request({ app, method: 'GET', url: '/count', headers: {}, scheme: 'https' }),
    );
    assert.match(https.cookies[0]!, /; Secure;/);
  });

  test('X-Forwarded-Proto is honoured only with trustProxy', async () => {
    const headers = { headers: { 'X-Forwarded-Proto': 'https' } };
    const plain = makeApp();
    assert.doesNotMatch(setCookie(await plain.client.get('/count', headers))!, /Secure/);
    const proxied = makeApp({ trustProxy: true });
    assert.match(setCookie(await proxied.client.get('/count', headers))!, /; Secure;/);
  });

  test('hostPrefix names the cookie __Host-session with Secure and Path=/', async () => {
    const { client } = makeApp({ hostPrefix: true });
    assert.match(
      setCookie(await client.get('/count'))!,
      /^__Host-session=[^;]+; Path=\/; Max-Age=\d+; Secure; HttpOnly; SameSite=Lax$/,
    );
  });

  test('a response that read the session gets Vary: Cookie and Cache-Control: private, unless it set its own', async () => {
    const app = new Microdot();
    new Session(app, { secretKey: KEY });
    app.get(
      '/',
      withSession(() => 'x'),
    );
    app.get(
      '/own',
      withSession(() => ['x', 200, { 'Cache-Control': 'no-store', Vary: 'Accept' }] as const),
    );
    app.get('/none', () => 'x');
    const client = new TestClient(app);
    let res = await client.get('/');
    assert.equal(res.headers.vary, 'Cookie');
    assert.equal(res.headers['cache-control'], 'private');
    res = await client.get('/own');
    assert.equal(res.headers.vary, 'Accept, Cookie');
    assert.equal(res.headers['cache-control'], 'no-store');
    res = await client.get('/none');
    assert.equal(res.headers.vary, undefined);
  });
});

describe('save model', () => {
  test('explicit save() is the default: changes without save() are not written', async () => {
    const { client } = makeApp();
    assert.equal(setCookie(await client.get('/touch')), undefined);
  });

  test('autoSave writes at the end only when the data changed', async () => {
    const { client } = makeApp({ autoSave: true });
    assert.ok(setCookie(await client.get('/touch')), 'changed: written');
    assert.equal((await client.get('/read')).text, '{"n":1}');
    assert.equal(setCookie(await client.get('/read')), undefined, 'untouched: not re-written');
  });
});

describe('regenerate and flash', () => {
  test('regenerate() issues a new iat, exp and auth_time', async () => {
    const t = now();
    const app = new Microdot();
    new Session(app, { secretKey: KEY });
    app.post(
      '/login',
      withSession((_req, s) => {
        s.user = 'joe';
        s.regenerate();
        return 'ok';
      }),
    );
    const res = await new TestClient(app).post('/login', {
      headers: { Cookie: cookieFor({ pre: 1, iat: t - 500, exp: t + 500, auth_time: t - 500 }) },
    });
    const c = claims(tokenOf(res));
    assert.ok((c.auth_time as number) >= t);
    assert.ok((c.iat as number) >= t);
    assert.equal(c.user, 'joe');
  });

  test('a flash message is consumed exactly once, and is never session data', async () => {
    const app = new Microdot();
    new Session(app, { secretKey: KEY });
    app.post(
      '/flash',
      withSession((_req, s) => {
        s.flash('notice', 'Saved!');
        return 'ok';
      }),
    );
    app.get(
      '/show',
      withSession((_req, s) => `${String(s.consumeFlash('notice'))} ${JSON.stringify(s)}`),
    );
    const client = new TestClient(app);
    await client.post('/flash');
    assert.equal((await client.get('/show')).text, 'Saved! {}');
    assert.equal((await client.get('/show')).text, 'undefined {}');
  });
});

describe('validated data', () => {
  const schema: StandardSchemaV1<unknown, { n: number }> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) =>
        typeof (value as { n?: unknown }).n === 'number'
          ? { value: value as { n: number } }
          : { issues: [{ message: 'n must be a number' }] },
    },
  };

  test('data that fail the schema count as tampered', async () => {
    const { client, reasons } = makeApp({ validate: schema });
    let res = await client.get('/read', { headers: { Cookie: cookieFor({ n: 'one' }) } });
    assert.equal(res.text, '{}');
    assert.deepEqual(reasons, ['invalid-data']);
    res = await client.get('/read', { headers: { Cookie: cookieFor({ n: 1 }) } });
    assert.equal(res.text, '{"n":1}');
  });
});

describe('properties', () => {
  test('any cookie string gives an empty session or valid data, never an error', async () => {
    const { client } = makeApp({ secretKey: [KEY, OLD] });
    const valid = signToken({ n: 1 }, new KeyRing(KEY).current);
    const cookieValue = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .constantFrom(valid)
        .chain((t) =>
          fc
            .tuple(fc.nat(t.length), fc.nat(t.length), fc.string({ maxLength: 3 }))
            .map(([i, j, s]) => t.slice(0, Math.min(i, j)) + s + t.slice(Math.max(i, j))),
        ),
    );
    await fc.assert(
      fc.asyncProperty(cookieValue, async (value) => {
        const safe = value.replace(/[;\r\n\0]/g, '');
        const res = await client.get('/read', { headers: { Cookie: `session=${safe}` } });
        assert.equal(res.statusCode, 200);
        assert.ok(res.text === '{}' || res.text === '{"n":1}', res.text);
      }),
      { numRuns: 300 },
    );
  });
});

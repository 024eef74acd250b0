// Our own CSRF cases: the flaws issue #13 fixes (each fails on Microdot's behaviour), the HTML
// 403 page, exempt/protect in any order with other wrappers, and hostile headers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TokenAuth } from '../../src/auth/index.js';
import { CORS } from '../../src/cors/index.js';
import { CSRF } from '../../src/csrf/index.js';
import { type Handler, Microdot, wraps } from '../../src/index.js';
import { Login } from '../../src/login/index.js';
import { Session, withSession } from '../../src/session/index.js';
import { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const HOST = 'app.example:5000';
const OWN = 'http://app.example:5000';

/** An app with a checked POST /submit, and a counter of the times its handler ran. */
function appWith(options: ConstructorParameters<typeof CSRF>[1] = {}) {
  const app = new Microdot();
  const csrf = new CSRF(app, options);
  const calls = { n: 0 };
  app.post('/submit', () => {
    calls.n++;
    return 204;
  });
  return { app, csrf, calls };
}

for (const mode of MODES) {
  describe(`CSRF flaws fixed (issue #13) [${mode.name}]`, () => {
    test('Origin: null is refused unless listed verbatim (Microdot: 204 without CORS, 500 with subdomains)', async () => {
      const cors = new CORS(undefined, { allowedOrigins: ['https://bar.com'] });
      for (const options of [{}, { cors }, { cors, allowSubdomains: true }]) {
        const { app, calls } = appWith(options);
        const c = await mode.client(app);
        const res = await c.post('/submit', { headers: { Origin: 'null', Host: HOST } });
        assert.equal(res.statusCode, 403);
        assert.equal(calls.n, 0);
      }
      const listed = new CORS(undefined, { allowedOrigins: ['null'] });
      const { app } = appWith({ cors: listed });
      const c = await mode.client(app);
      assert.equal((await c.post('/submit', { headers: { Origin: 'null' } })).statusCode, 204);
    });

    test('an older browser posting from the app itself is allowed, even with a CORS list (Microdot: 403)', async () => {
      const cors = new CORS(undefined, { allowedOrigins: ['https://partner.example'] });
      for (const options of [{}, { cors }]) {
        const { app, calls } = appWith(options);
        const c = await mode.client(app);
        const res = await c.post('/submit', { headers: { Origin: OWN, Host: HOST, ...FORM } });
        assert.equal(res.statusCode, 204);
        assert.equal(calls.n, 1);
      }
    });

    test('an older browser posting from another site is refused without a CORS list (Microdot: 204)', async () => {
      const { app, calls } = appWith();
      const c = await mode.client(app);
      for (const origin of [
        'https://evil.example',
        'http://app.example:5001',
        'https://app.example:5000',
      ]) {
        const res = await c.post('/submit', { headers: { Origin: origin, Host: HOST } });
        assert.equal(res.statusCode, 403, origin);
      }
      assert.equal(calls.n, 0);
    });

    test('behind a proxy, the own origin comes from X-Forwarded-* only with trustProxy', async () => {
      const headers = {
        Host: 'internal:8080',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'app.example',
        Origin: 'https://app.example',
      };
      const plain = await mode.client(appWith().app);
      assert.equal((await plain.post('/submit', { headers })).statusCode, 403);
      const proxied = await mode.client(appWith({ trustProxy: true }).app);
      assert.equal((await proxied.post('/submit', { headers })).statusCode, 204);
      const direct = await mode.client(appWith().app);
      const own = { Host: 'internal:8080', Origin: 'http://internal:8080' };
      assert.equal((await direct.post('/submit', { headers: own })).statusCode, 204);
    });

    test('with allowSubdomains, an older browser on a subdomain of the app is allowed', async () => {
      const { app } = appWith({ allowSubdomains: true });
      const c = await mode.client(app);
      const sub = { Host: HOST, Origin: 'http://admin.app.example:5000' };
      assert.equal((await c.post('/submit', { headers: sub })).statusCode, 204);
      const parent = { Host: HOST, Origin: 'http://example:5000' };
      assert.equal((await c.post('/submit', { headers: parent })).statusCode, 403);
    });

    test('a listed CORS origin is trusted even when the browser says cross-site (Microdot: 403)', async () => {
      const cors = new CORS(undefined, { allowedOrigins: ['https://spa.example'] });
      const { app } = appWith({ cors });
      const c = await mode.client(app);
      const listed = { Origin: 'https://spa.example', 'Sec-Fetch-Site': 'cross-site' };
      assert.equal((await c.post('/submit', { headers: listed })).statusCode, 204);
      const other = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
      assert.equal((await c.post('/submit', { headers: other })).statusCode, 403);
    });

    test('a refused form post gets a short HTML page; other requests a plain Forbidden', async () => {
      const { app } = appWith();
      const c = await mode.client(app);
      let res = await c.post('/submit', {
        headers: { 'Sec-Fetch-Site': 'cross-site', ...FORM },
        body: 'username=attacker',
      });
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers['content-type'], 'text/html; charset=UTF-8');
      assert.match(res.text, /sent from another web site/);
      assert.match(res.text, /Nothing was changed/);
      assert.doesNotMatch(res.text, /attacker/);
      res = await c.post('/submit', {
        headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Dest': 'document' },
      });
      assert.match(res.text, /<h1>Forbidden<\/h1>/);
      res = await c.post('/submit', { headers: { 'Sec-Fetch-Site': 'cross-site' }, json: {} });
      assert.equal(res.statusCode, 403);
      assert.equal(res.text, 'Forbidden');
    });

    test('the 403 goes through the app: its 403 handler and its after-error hooks (CORS)', async () => {
      const app = new Microdot();
      const cors = new CORS(app, { allowedOrigins: ['https://spa.example'] });
      new CSRF(app, { cors });
      app.post('/submit', () => 204);
      const c = await mode.client(app);
      let res = await c.post('/submit', {
        headers: { Origin: 'https://spa.example', 'Sec-Fetch-Site': 'cross-site' },
      });
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers['access-control-allow-origin'], 'https://spa.example');
      app.errorHandler(403, () => ['Go away', 403]);
      res = await c.post('/submit', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
      assert.equal(res.statusCode, 403);
      assert.equal(res.text, 'Go away');
    });
  });

  describe(`CSRF exempt and protect, in any order [${mode.name}]`, () => {
    test('with withSession inside or outside, and with any wrapper that uses wraps()', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: 'csrf-test-secret-key-0123456789abcdef' });
      const csrf = new CSRF(app, { protectAll: true });
      const timed = <P>(h: Handler<P>): Handler<P> => wraps((req, p: P) => h(req, p), h);
      const ok = () => 204;
      app.post('/e1', withSession(csrf.exempt(ok)));
      app.post('/e2', csrf.exempt(withSession(ok)));
      app.post('/e3', timed(withSession(csrf.exempt(ok))));
      app.get('/p1', withSession(csrf.protect(ok)));
      app.get('/p2', csrf.protect(withSession(ok)));
      app.get('/p3', timed(csrf.protect(csrf.exempt(ok))));
      app.post('/checked', withSession(ok));
      const c = await mode.client(app);
      const cross = { headers: { 'Sec-Fetch-Site': 'cross-site' } };
      for (const path of ['/e1', '/e2', '/e3']) {
        assert.equal((await c.post(path, cross)).statusCode, 204, path);
      }
      for (const path of ['/p1', '/p2', '/p3']) {
        assert.equal((await c.get(path, cross)).statusCode, 403, path);
        assert.equal((await c.get(path)).statusCode, 204, path);
      }
      assert.equal((await c.post('/checked', cross)).statusCode, 403);
    });

    test('with TokenAuth.required inside or outside', async () => {
      const app = new Microdot();
      const csrf = new CSRF(app);
      const token = new TokenAuth<{ id: number }>();
      token.authenticate((_req, t) => (t === 'good' ? { id: 1 } : undefined));
      app.post('/a', token.required(csrf.exempt(() => 204)));
      app.post('/b', csrf.exempt(token.optional(() => 204)));
      app.get('/c', token.required(csrf.protect(() => 204)));
      const c = await mode.client(app);
      const headers = { 'Sec-Fetch-Site': 'cross-site', Authorization: 'Bearer good' };
      assert.equal((await c.post('/a', { headers })).statusCode, 204);
      assert.equal((await c.post('/b', { headers })).statusCode, 204);
      assert.equal((await c.get('/c', { headers })).statusCode, 403);
    });

    test('with Login.required and Login.fresh inside or outside', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: 'csrf-test-secret-key-0123456789abcdef' });
      const csrf = new CSRF(app);
      const login = new Login<{ id: number }>();
      login.userLoader((id) => (id === 1 ? { id: 1 } : undefined));
      app.get('/in', (req) => login.loginUser(req, { id: 1 }));
      app.post('/a', login.required(csrf.exempt(() => 204)));
      app.post('/b', csrf.exempt(login.fresh(() => 204)));
      app.get('/c', login.required(csrf.protect(() => 204)));
      const c = await mode.client(app);
      await c.get('/in');
      const cross = { headers: { 'Sec-Fetch-Site': 'cross-site' } };
      assert.equal((await c.post('/a', cross)).statusCode, 204);
      assert.equal((await c.post('/b', cross)).statusCode, 204);
      assert.equal((await c.get('/c', cross)).statusCode, 403);
      assert.equal((await c.get('/c')).statusCode, 204);
    });

    test('a wrapper that does not record itself hides an exemption: the route stays checked', async () => {
      const app = new Microdot();
      const csrf = new CSRF(app);
      const opaque =
        <P>(h: Handler<P>): Handler<P> =>
        (req, p) =>
          h(req, p);
      app.post('/hidden', opaque(csrf.exempt(() => 204)));
      const c = await mode.client(app);
      const res = await c.post('/hidden', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
      assert.equal(res.statusCode, 403);
    });

    test('marks on a mounted sub-application route are seen', async () => {
      const app = new Microdot();
      const csrf = new CSRF(app);
      const api = new Microdot();
      api.post(
        '/hook',
        csrf.exempt(() => 204),
      );
      api.post('/change', () => 204);
      app.mount(api, '/api');
      const c = await mode.client(app);
      const cross = { headers: { 'Sec-Fetch-Site': 'cross-site' } };
      assert.equal((await c.post('/api/hook', cross)).statusCode, 204);
      assert.equal((await c.post('/api/change', cross)).statusCode, 403);
    });
  });
}

describe('CSRF options and hostile input', () => {
  test('an unknown option throws and names the known ones', () => {
    assert.throws(
      () => new CSRF(undefined, { protect_all: true } as never),
      /unknown option 'protect_all'; known: cors, protectAll/,
    );
  });

  test('check() gives the reason', () => {
    const csrf = new CSRF();
    const app = new Microdot();
    let reason = '';
    app.post('/', (req) => {
      reason = csrf.check(req).reason;
      return 204;
    });
    return new TestClient(app)
      .post('/', { headers: { 'Sec-Fetch-Site': 'cross-site' } })
      .then(() => assert.equal(reason, 'cross-site'));
  });

  test('any Sec-Fetch-Site, Origin and Host give 204 or 403, never an error (property)', async () => {
    const cors = new CORS(undefined, { allowedOrigins: ['https://bar.com:8888', 'null'] });
    const apps = [appWith().app, appWith({ cors, allowSubdomains: true, trustProxy: true }).app];
    const clients = apps.map((a) => new TestClient(a));
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(
        'null',
        'same-origin',
        'none',
        'https://bar.com:8888',
        'https://x.bar.com:8888',
      ),
      fc.constant(`https://${'a.'.repeat(3000)}com`),
    );
    const headers = fc.record(
      { 'Sec-Fetch-Site': value, Origin: value, Host: value, 'X-Forwarded-Host': value },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(headers, fc.nat(1), async (h, i) => {
        const res = await clients[i]!.post('/submit', { headers: h });
        assert.ok(res.statusCode === 204 || res.statusCode === 403, String(res.statusCode));
      }),
      { numRuns: 500 },
    );
  });
});

// Port of Microdot's tests/test_csrf.py (the Sec-Fetch-Site version), case by case, run
// in-process and over HTTP. Every expected status is Microdot's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CORS } from '../../src/cors/index.js';
import { CSRF } from '../../src/csrf/index.js';
import { Microdot } from '../../src/index.js';
import type { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';

/** Sends a request and checks its status, as each `self.assertEqual(res.status_code, …)`. */
async function expectStatus(
  client: TestClient,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  status: number,
): Promise<void> {
  const res = await client.request(method, path, { headers });
  assert.equal(res.statusCode, status, `${method} ${path} ${JSON.stringify(headers)}`);
}

const CROSS = { 'Sec-Fetch-Site': 'cross-site' };
const SAME_SITE = { 'Sec-Fetch-Site': 'same-site' };
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };
const EVIL = { Origin: 'https://evil.com' };

for (const mode of MODES) {
  describe(`test_csrf.py [${mode.name}]`, () => {
    test('test_protect_all_true', async () => {
      const app = new Microdot();
      const csrf = new CSRF(app);
      app.get('/', () => 204);
      app.post('/submit', () => 204);
      app.post(
        '/submit-exempt',
        csrf.exempt(() => 204),
      );
      app.get(
        '/get-protected',
        csrf.protect(() => 204),
      );
      const c = await mode.client(app);

      await expectStatus(c, 'GET', '/', {}, 204);
      await expectStatus(c, 'GET', '/', CROSS, 204);
      await expectStatus(c, 'GET', '/', EVIL, 204);

      await expectStatus(c, 'POST', '/submit', {}, 204);
      await expectStatus(c, 'POST', '/submit', CROSS, 403);
      await expectStatus(c, 'POST', '/submit', SAME_SITE, 403);
      await expectStatus(c, 'POST', '/submit', SAME_ORIGIN, 204);

      await expectStatus(c, 'POST', '/submit-exempt', {}, 204);
      await expectStatus(c, 'POST', '/submit-exempt', CROSS, 204);
      await expectStatus(c, 'GET', '/get-protected', {}, 204);
      await expectStatus(c, 'GET', '/get-protected', CROSS, 403);
    });

    test('test_protect_all_false', async () => {
      const app = new Microdot();
      const csrf = new CSRF(undefined, { protectAll: false });
      csrf.initialize(app);
      app.get('/', () => 204);
      app.post(
        '/submit',
        csrf.protect(() => 204),
      );
      app.post('/submit-exempt', () => 204);
      const c = await mode.client(app);

      await expectStatus(c, 'GET', '/', {}, 204);
      await expectStatus(c, 'GET', '/', CROSS, 204);
      await expectStatus(c, 'GET', '/', EVIL, 204);

      await expectStatus(c, 'POST', '/submit', {}, 204);
      await expectStatus(c, 'POST', '/submit', CROSS, 403);
      await expectStatus(c, 'POST', '/submit', SAME_SITE, 403);
      await expectStatus(c, 'POST', '/submit', SAME_ORIGIN, 204);

      await expectStatus(c, 'POST', '/submit-exempt', {}, 204);
      await expectStatus(c, 'POST', '/submit-exempt', CROSS, 204);
    });

    test('test_allow_subdomains', async () => {
      const app = new Microdot();
      const csrf = new CSRF(undefined, { allowSubdomains: true });
      csrf.initialize(app);
      app.get('/', () => 204);
      app.post('/submit', () => 204);
      app.post(
        '/submit-exempt',
        csrf.exempt(() => 204),
      );
      const c = await mode.client(app);

      await expectStatus(c, 'GET', '/', {}, 204);
      await expectStatus(c, 'GET', '/', CROSS, 204);
      await expectStatus(c, 'GET', '/', EVIL, 204);

      await expectStatus(c, 'POST', '/submit', {}, 204);
      await expectStatus(c, 'POST', '/submit', CROSS, 403);
      await expectStatus(c, 'POST', '/submit', SAME_SITE, 204);
      await expectStatus(c, 'POST', '/submit', SAME_ORIGIN, 204);

      await expectStatus(c, 'POST', '/submit-exempt', {}, 204);
      await expectStatus(c, 'POST', '/submit-exempt', CROSS, 204);
    });

    test('test_allowed_origins', async () => {
      const app = new Microdot();
      const cors = new CORS(undefined, {
        allowedOrigins: ['http://foo.com', 'https://bar.com:8888'],
      });
      const csrf = new CSRF();
      csrf.initialize(app, cors);
      app.get('/', () => 204);
      app.post('/submit', () => 204);
      const c = await mode.client(app);

      await expectStatus(c, 'GET', '/', {}, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'foo.com' }, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'http://foo.com' }, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'https://baz.com' }, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'http://x.baz.com' }, 204);

      await expectStatus(c, 'POST', '/submit', {}, 204);
      await expectStatus(c, 'POST', '/submit', { Origin: 'https://bar.com:8888' }, 204);
      await expectStatus(c, 'POST', '/submit', { Origin: 'http://bar.com:8888' }, 403);
      await expectStatus(c, 'POST', '/submit', { Origin: 'https://x.y.bar.com:8888' }, 403);
      await expectStatus(c, 'POST', '/submit', { Origin: 'http://baz.com' }, 403);
    });

    test('test_allowed_origins_with_subdomains', async () => {
      const app = new Microdot();
      const cors = new CORS(undefined, {
        allowedOrigins: ['http://foo.com', 'https://bar.com:8888'],
      });
      const csrf = new CSRF(undefined, { allowSubdomains: true });
      csrf.initialize(app, cors);
      app.get('/', () => 204);
      app.post('/submit', () => 204);
      const c = await mode.client(app);

      await expectStatus(c, 'GET', '/', {}, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'foo.com' }, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'http://foo.com' }, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'https://baz.com' }, 204);
      await expectStatus(c, 'GET', '/', { Origin: 'http://x.baz.com' }, 204);

      await expectStatus(c, 'POST', '/submit', {}, 204);
      await expectStatus(c, 'POST', '/submit', { Origin: 'https://bar.com:8888' }, 204);
      await expectStatus(c, 'POST', '/submit', { Origin: 'https://x.y.bar.com:8888' }, 204);
      await expectStatus(c, 'POST', '/submit', { Origin: 'http://x.y.bar.com:8888' }, 403);
      await expectStatus(c, 'POST', '/submit', { Origin: 'http://baz.com' }, 403);
    });
  });
}

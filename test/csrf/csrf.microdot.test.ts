// Port of Microdot's tests/test_csrf.py (the Sec-Fetch-Site version), case by case, run
// in-process and over HTTP. Every expected status is Microdot's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CORS } from '../../src/cors/index.js';
import { CSRF } from '../../src/csrf/index.js';
import { Microdot } from '../../src/index.js';
import type { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';

/** One request and the status Microdot's test expects: `['POST /submit', headers, 403]`. */
type Row = [
  request: `${'GET' | 'POST'} /${string}`,
  headers: Record<string, string>,
  status: number,
];

/** Sends each request of `rows` and checks its status (each `assertEqual(res.status_code, …)`). */
async function expectStatuses(client: TestClient, rows: Row[]): Promise<void> {
  for (const [request, headers, status] of rows) {
    const [method, path] = request.split(' ') as ['GET' | 'POST', string];
    const res = await client.request(method, path, { headers });
    assert.equal(res.statusCode, status, `${request} ${JSON.stringify(headers)}`);
  }
}

const CROSS = { 'Sec-Fetch-Site': 'cross-site' };
const SAME_SITE = { 'Sec-Fetch-Site': 'same-site' };
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };
const EVIL = { Origin: 'https://evil.com' };

/** The rows the first three Python tests share: a GET passes whatever it says of its origin. */
const GET_PASSES: Row[] = [
  ['GET /', {}, 204],
  ['GET /', CROSS, 204],
  ['GET /', EVIL, 204],
];
/** …and an exempt (or unprotected) POST passes too. */
const EXEMPT_PASSES: Row[] = [
  ['POST /submit-exempt', {}, 204],
  ['POST /submit-exempt', CROSS, 204],
];
/** POST /submit with no header, then from another site, the same site, the same origin. */
const submitFrom = (sameSiteStatus: number): Row[] => [
  ['POST /submit', {}, 204],
  ['POST /submit', CROSS, 403],
  ['POST /submit', SAME_SITE, sameSiteStatus],
  ['POST /submit', SAME_ORIGIN, 204],
];
/** The GET rows of the two allowed-origins tests. */
const GET_ANY_ORIGIN_PASSES: Row[] = [
  ['GET /', {}, 204],
  ['GET /', { Origin: 'foo.com' }, 204],
  ['GET /', { Origin: 'http://foo.com' }, 204],
  ['GET /', { Origin: 'https://baz.com' }, 204],
  ['GET /', { Origin: 'http://x.baz.com' }, 204],
];

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
      await expectStatuses(await mode.client(app), [
        ...GET_PASSES,
        ...submitFrom(403),
        ...EXEMPT_PASSES,
        ['GET /get-protected', {}, 204],
        ['GET /get-protected', CROSS, 403],
      ]);
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
      await expectStatuses(await mode.client(app), [
        ...GET_PASSES,
        ...submitFrom(403),
        ...EXEMPT_PASSES,
      ]);
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
      await expectStatuses(await mode.client(app), [
        ...GET_PASSES,
        ...submitFrom(204),
        ...EXEMPT_PASSES,
      ]);
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
      await expectStatuses(await mode.client(app), [
        ...GET_ANY_ORIGIN_PASSES,
        ['POST /submit', {}, 204],
        ['POST /submit', { Origin: 'https://bar.com:8888' }, 204],
        ['POST /submit', { Origin: 'http://bar.com:8888' }, 403],
        ['POST /submit', { Origin: 'https://x.y.bar.com:8888' }, 403],
        ['POST /submit', { Origin: 'http://baz.com' }, 403],
      ]);
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
      await expectStatuses(await mode.client(app), [
        ...GET_ANY_ORIGIN_PASSES,
        ['POST /submit', {}, 204],
        ['POST /submit', { Origin: 'https://bar.com:8888' }, 204],
        ['POST /submit', { Origin: 'https://x.y.bar.com:8888' }, 204],
        ['POST /submit', { Origin: 'http://x.y.bar.com:8888' }, 403],
        ['POST /submit', { Origin: 'http://baz.com' }, 403],
      ]);
    });
  });
}

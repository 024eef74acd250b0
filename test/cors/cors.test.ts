// Our own CORS cases: the flaws issue #13 fixes, option checks, hostile preflights, and a
// preflight that a login check cannot break.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type CorsPolicy, corsHeaders, mergeVary } from '../../src/cors/headers.js';
import { CORS } from '../../src/cors/index.js';
import { abort, Microdot } from '../../src/index.js';
import { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';

describe('CORS flaws fixed (issue #13)', () => {
  test("'*' with credentials is refused when CORS is built, and by the setter", () => {
    assert.throws(
      () => new CORS(undefined, { allowedOrigins: '*', allowCredentials: true }),
      /allowedOrigins '\*' with allowCredentials would let every site read.*list the origins/,
    );
    const cors = new CORS(undefined, { allowedOrigins: '*' });
    assert.throws(() => {
      cors.allowCredentials = true;
    }, TypeError);
    assert.equal(cors.allowCredentials, false);
  });

  test("'*' sends a literal * to every origin, null included, and never credentials", async () => {
    const app = new Microdot();
    new CORS(app, { allowedOrigins: '*' });
    app.get('/', () => 'x');
    const c = new TestClient(app);
    for (const origin of ['https://evil.example', 'null', 'garbage']) {
      const res = await c.get('/', { headers: { Origin: origin } });
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
      assert.equal(res.headers.vary, undefined);
    }
  });

  test('Origin: null gets no CORS headers unless listed verbatim', async () => {
    for (const [list, expected] of [
      [['https://a.example'], undefined],
      [['https://a.example', 'null'], 'null'],
    ] as const) {
      const app = new Microdot();
      new CORS(app, { allowedOrigins: list, allowCredentials: true });
      app.get('/', () => 'x');
      const res = await new TestClient(app).get('/', { headers: { Origin: 'null' } });
      assert.equal(res.headers['access-control-allow-origin'], expected);
    }
  });
});

for (const mode of MODES) {
  describe(`Vary: Origin and shared caches [${mode.name}]`, () => {
    // A cache that kept the answer to a request without Origin (or from a refused origin), with
    // no Vary: Origin, would hand it to an allowed origin, whose script then fails.
    test('every answer of a policy with listed origins varies by Origin, allowed or not', async () => {
      const app = new Microdot();
      new CORS(app, { allowedOrigins: ['https://app.example'], allowCredentials: true });
      app.get('/', () => 'x');
      app.get('/own', () => ['x', { Vary: 'Accept-Encoding' }] as const);
      const c = await mode.client(app);
      const cases: [string, Record<string, string>][] = [
        ['/', {}],
        ['/', { Origin: 'https://app.example' }],
        ['/', { Origin: 'https://evil.example' }],
        ['/', { Origin: 'null' }],
        ['/', { Origin: 'not an origin' }],
        ['/missing', {}],
        ['/missing', { Origin: 'https://evil.example' }],
      ];
      for (const [path, headers] of cases) {
        const res = await c.get(path, { headers });
        assert.equal(res.headers.vary, 'Origin', `${path} ${JSON.stringify(headers)}`);
      }
      const origins: Record<string, string>[] = [
        {},
        { Origin: 'https://evil.example' },
        { Origin: 'https://app.example' },
      ];
      for (const headers of origins) {
        const res = await c.get('/own', { headers });
        assert.equal(res.headers.vary, 'Accept-Encoding, Origin', JSON.stringify(headers));
      }
    });

    test('preflights vary by Origin too, and a replaced optionsHandler keeps its own Vary', async () => {
      const app = new Microdot();
      app.optionsHandler = (_req, allow) => ({ Allow: allow.join(', '), vary: 'Accept-Encoding' });
      new CORS(app, { allowedOrigins: ['https://app.example'] });
      app.route('/api', () => 'x', { methods: ['GET', 'PUT'] });
      const c = await mode.client(app);
      for (const origin of ['https://app.example', 'https://evil.example']) {
        const res = await c.options('/api', {
          headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' },
        });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers.vary, 'Accept-Encoding, Origin', origin);
      }
    });

    test("'*' and an empty list answer the same to every origin: no Vary", async () => {
      for (const options of [{ allowedOrigins: '*' as const }, {}, { allowedOrigins: [] }]) {
        const app = new Microdot();
        new CORS(app, options);
        app.get('/', () => 'x');
        const c = await mode.client(app);
        for (const headers of [{}, { Origin: 'https://a.example' }] as Record<string, string>[]) {
          const res = await c.get('/', { headers });
          assert.equal(res.headers.vary, undefined, JSON.stringify(options));
        }
      }
    });
  });
}

describe('CORS options', () => {
  test('malformed origins, names and numbers throw with what to write', () => {
    for (const origin of ['https://app.example/', 'app.example', 'https://app.example/path', '*']) {
      assert.throws(
        () => new CORS(undefined, { allowedOrigins: [origin] }),
        /is not an origin: write scheme:\/\/host\[:port\]/,
        origin,
      );
    }
    assert.throws(() => new CORS(undefined, { allowedOrigins: 'all' as never }), /'\*' or a list/);
    assert.throws(() => new CORS(undefined, { maxAge: -1 }), /maxAge must be a whole number/);
    assert.throws(() => new CORS(undefined, { maxAge: 1.5 }), /maxAge/);
    assert.throws(() => new CORS(undefined, { allowedHeaders: ['X Token'] }), /allowedHeaders/);
    assert.throws(() => new CORS(undefined, { origins: [] } as never), /unknown option 'origins'/);
  });

  test('listed origins match in any case and with the default port written out', async () => {
    const app = new Microdot();
    new CORS(app, { allowedOrigins: ['https://App.Example:443'] });
    app.get('/', () => 'x');
    const res = await new TestClient(app).get('/', { headers: { Origin: 'https://app.example' } });
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
  });
});

for (const mode of MODES) {
  describe(`CORS and the app [${mode.name}]`, () => {
    test('a preflight skips before-request hooks: a login check cannot break it', async () => {
      const app = new Microdot();
      new CORS(app, { allowedOrigins: ['https://spa.example'], allowCredentials: true });
      app.beforeRequest((req) => (req.header('authorization') ? undefined : abort(401)));
      app.route('/api', () => 'data', { methods: ['GET', 'PUT'] });
      const c = await mode.client(app);
      const res = await c.options('/api', {
        headers: {
          Origin: 'https://spa.example',
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'Authorization',
        },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.allow, 'GET, PUT, HEAD, OPTIONS');
      assert.equal(res.headers['access-control-allow-origin'], 'https://spa.example');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers['access-control-allow-methods'], 'PUT');
      assert.equal(res.headers['access-control-allow-headers'], 'Authorization');
      assert.equal(res.headers.vary, 'Origin');
      const denied = await c.get('/api', { headers: { Origin: 'https://spa.example' } });
      assert.equal(denied.statusCode, 401);
      assert.equal(denied.headers['access-control-allow-origin'], 'https://spa.example');
    });

    test('CORS wraps a replaced optionsHandler, and the answer keeps both', async () => {
      const app = new Microdot();
      app.optionsHandler = () => ({ Allow: 'GET', 'X-Custom': 'yes' });
      new CORS(app, { allowedOrigins: '*', maxAge: 0 });
      app.get('/', () => 'x');
      const c = await mode.client(app);
      const res = await c.options('/', { headers: { Origin: 'https://a.example' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.allow, 'GET');
      assert.equal(res.headers['x-custom'], 'yes');
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['access-control-max-age'], '0');
    });
  });
}

describe('CORS headers (pure) with hostile preflights', () => {
  const policy = (over: Partial<CorsPolicy> = {}): CorsPolicy => ({
    origins: new Set(['https://a.example']),
    credentials: false,
    methods: undefined,
    headers: undefined,
    expose: undefined,
    maxAge: undefined,
    ...over,
  });

  test('only well-formed method and header names are echoed', () => {
    const h = corsHeaders(policy(), {
      method: 'OPTIONS',
      origin: 'https://a.example',
      requestMethod: 'PO ST',
      requestHeaders: 'X-Ok, bad header, , X-\u00e9, x-two,\tX-Three',
    });
    assert.equal(h['Access-Control-Allow-Methods'], undefined);
    assert.equal(h['Access-Control-Allow-Headers'], 'X-Ok, x-two, X-Three');
  });

  test('any request headers give a list of at most 64 tokens (property)', () => {
    const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 })),
        fc.oneof(fc.string({ maxLength: 20 }), fc.constant('post')),
        fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
        (requestHeaders, requestMethod, origin) => {
          const h = corsHeaders(policy(), {
            method: 'OPTIONS',
            origin,
            requestMethod,
            requestHeaders,
          });
          const allowHeaders = h['Access-Control-Allow-Headers'];
          if (allowHeaders !== undefined) {
            const names = allowHeaders.split(', ');
            assert.ok(names.length <= 64);
            for (const n of names) assert.match(n, token);
          }
          const m = h['Access-Control-Allow-Methods'];
          if (m !== undefined) assert.match(m, token);
          const acao = h['Access-Control-Allow-Origin'];
          if (acao !== undefined) assert.equal(acao.toLowerCase(), 'https://a.example');
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('two requests that differ only in Origin get the same headers, or both Vary: Origin (property)', () => {
    const listed = ['https://a.example', 'http://localhost:5173', 'null'];
    const originArb = fc.option(
      fc.oneof(
        fc.constantFrom(...listed, 'https://A.example:443', 'https://b.example', 'garbage', ''),
        fc.string({ maxLength: 30 }),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant('*' as const),
          fc.subarray(listed).map((list) => new Set(list) as ReadonlySet<string>),
        ),
        fc.boolean(),
        fc.constantFrom('GET', 'POST', 'OPTIONS'),
        originArb,
        originArb,
        (origins, credentials, method, first, second) => {
          const p = policy({ origins, credentials: origins !== '*' && credentials });
          const a = corsHeaders(p, { method, origin: first, requestMethod: 'PUT' });
          const b = corsHeaders(p, { method, origin: second, requestMethod: 'PUT' });
          if (JSON.stringify(a) === JSON.stringify(b)) return;
          assert.equal(a.Vary, 'Origin');
          assert.equal(b.Vary, 'Origin');
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('a thousand requested headers are cut at 64', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `X-H${i}`).join(', ');
    const h = corsHeaders(policy(), { method: 'OPTIONS', origin: undefined, requestHeaders: many });
    assert.equal(h['Access-Control-Allow-Headers']!.split(', ').length, 64);
  });

  test('mergeVary adds each name once and keeps *', () => {
    assert.equal(mergeVary(undefined, 'Origin'), 'Origin');
    assert.equal(mergeVary('X-Foo, X-Bar', 'Origin'), 'X-Foo, X-Bar, Origin');
    assert.equal(mergeVary('origin, Accept', 'Origin'), 'origin, Accept');
    assert.equal(mergeVary('*', 'Origin'), '*');
    assert.equal(mergeVary(' , ', 'Origin'), 'Origin');
  });
});

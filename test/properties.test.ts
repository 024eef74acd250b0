// Property-based tests across modules (issue 7): the pieces glued together — routing and
// dispatch, handler results, the test client's cookie jar, Response.setCookie on the wire,
// MultiDict copies — hold for any input, not just the examples of the other suites.
import assert from 'node:assert/strict';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type CookieOptions,
  type HandlerResult,
  Microdot,
  MultiDict,
  Request,
  Response,
  toResponse,
} from '../src/index.js';
import { TestClient } from '../src/test-client.js';
import { CookieError } from '../src/utils/set-cookie.js';
import { quietApp } from './helpers/clients.js';

const RUNS = 300;

/** Characters that stress URL parsing: escapes, separators, non-ASCII, surrogates. */
const urlChar = fc.oneof(
  fc.constantFrom('/', '?', '&', '=', '+', '%', '%f', '%ff', '%2F', '%C3%A9', '%ED%A0%80', '#'),
  fc.constantFrom('a', 'Z', '0', '-', '.', '..', ' ', 'é', '\ud800', '\0', '<', '>'),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const urlString = fc.string({ unit: urlChar, maxLength: 30 });

function routedApp(): Microdot & { errors: unknown[] } {
  const app = quietApp(new Microdot());
  const echo = (req: Request, params: Record<string, unknown>) => ({
    params,
    args: [...req.args],
    cookies: Object.keys(req.cookies).length,
  });
  app.get('/', echo);
  app.get('/users/<int:id>', echo);
  app.get('/files/<path:rest>', echo);
  app.get('/<name>', echo);
  app.get('/re/<re:[a-f]+:hex>/<name>', echo);
  app.post('/form', (req) => ({ form: req.form === undefined ? null : [...req.form] }));
  app.post('/json', (req) => ({ json: req.json === undefined ? 'none' : 'parsed' }));
  return app;
}

describe('properties across modules', () => {
  it('dispatch answers any request target with a status under 500', async () => {
    const app = routedApp();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'PUT'),
        fc.oneof(
          urlString.map((s) => `/${s}`),
          urlString,
          fc.webPath(),
          fc
            .webUrl({ withQueryParameters: true })
            .map((u) => new URL(u).pathname + new URL(u).search),
        ),
        fc.option(fc.string({ unit: urlChar, maxLength: 20 }), { nil: undefined }),
        async (method, url, cookie) => {
          const headers = cookie === undefined ? {} : { cookie };
          const req = new Request({ app, method, url, headers });
          const res = await app.dispatch(req);
          assert.ok([200, 400, 404, 405].includes(res.statusCode), `${url} -> ${res.statusCode}`);
          // 400 only for a malformed escape.
          if (res.statusCode === 400) assert.ok(url.includes('%'), url);
          if (res.statusCode === 200 && method !== 'OPTIONS') {
            assert.equal(typeof res.body, 'string');
            JSON.parse(res.body as string);
          }
        },
      ),
      { numRuns: RUNS },
    );
    assert.deepEqual(app.errors, []);
  });

  it('dispatch answers any JSON or form body with 200 or 400', async () => {
    const app = routedApp();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/form', '/json'),
        fc.constantFrom(
          'application/json',
          'application/merge-patch+json; charset=utf-8',
          'application/x-www-form-urlencoded',
          'text/plain',
        ),
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
          fc.string({ unit: urlChar, maxLength: 30 }).map((s) => new TextEncoder().encode(s)),
        ),
        async (path, type, body) => {
          const req = new Request({
            app,
            method: 'POST',
            url: path,
            headers: { 'content-type': type, 'content-length': String(body.byteLength) },
            body,
          });
          const res = await app.dispatch(req);
          assert.ok(res.statusCode === 200 || res.statusCode === 400, String(res.statusCode));
          if (res.statusCode === 400) assert.notEqual(type, 'text/plain');
        },
      ),
      { numRuns: RUNS },
    );
    assert.deepEqual(app.errors, []);
  });

  it('toResponse sends any JSON value as Microdot does', () => {
    // The tuple forms: [body, status], [body, status, headers], [body, headers].
    const isTuple = (v: unknown): boolean =>
      Array.isArray(v) &&
      v.length >= 2 &&
      v.length <= 3 &&
      (typeof v[1] === 'number' || (v.length === 2 && v[1] !== null && typeof v[1] === 'object'));
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !isTuple(v)),
        (value) => {
          const res = toResponse(value as HandlerResult);
          assert.ok(res instanceof Response);
          if (typeof value === 'number') {
            assert.equal(res.statusCode, value);
            assert.equal(res.body, null);
          } else if (typeof value === 'string') {
            assert.equal(res.statusCode, 200);
            assert.equal(res.body, value);
            assert.equal(res.headers['content-type'], 'text/plain; charset=UTF-8');
          } else if (value === null) {
            assert.equal(res.body, null);
          } else {
            assert.equal(res.statusCode, 200);
            assert.equal(res.headers['content-type'], 'application/json; charset=UTF-8');
            assert.deepEqual(JSON.parse(res.body as string), JSON.parse(JSON.stringify(value)));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('toResponse reads [body, status, headers] tuples for any body and status', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 })),
        fc.integer({ min: 200, max: 599 }),
        fc.dictionary(
          fc.stringMatching(/^x-[a-z0-9-]{1,10}$/),
          fc.string({ unit: 'grapheme-ascii' }),
          { maxKeys: 4 },
        ),
        (body, status, headers) => {
          const res = toResponse([body, status, headers]);
          assert.equal(res.statusCode, status);
          for (const [name, value] of Object.entries(headers)) {
            assert.equal(res.headers[name], value);
          }
          const sent = typeof body === 'string' ? body : JSON.stringify(body);
          assert.equal(res.body, sent);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("the TestClient's cookie jar takes any Set-Cookie lines without throwing", async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .tuple(
          fc.string({ maxLength: 8 }),
          fc.string({ maxLength: 8 }),
          fc.array(
            fc.oneof(
              fc.constantFrom('Path=/', 'Path=', 'Path=x', 'Max-Age=0', 'Max-Age=-1', 'Secure'),
              fc.constantFrom('Max-Age=99999999999999999999', 'Expires=bogus', 'Domain=.'),
              fc.constantFrom('Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'SameSite=x', '='),
              fc.string({ maxLength: 12 }),
            ),
            { maxLength: 4 },
          ),
        )
        .map(([n, v, attrs]) => [`${n}=${v}`, ...attrs].join('; ')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 6 }), async (lines) => {
        const app = new Microdot();
        app.get('/set', () => {
          const res = new Response('ok');
          // Straight into the list: what any server could send, unvalidated.
          res.cookies = [...lines, 'zz=last; Path=/'];
          return res;
        });
        app.get('/echo', (req) => req.header('cookie') ?? '');
        const client = new TestClient(app);
        assert.equal((await client.get('/set')).statusCode, 200);
        const jar = client.cookies();
        for (const value of Object.values(jar)) assert.equal(typeof value, 'string');
        assert.equal(jar.zz, 'last');
        const echoed = await client.get('/echo');
        assert.equal(echoed.statusCode, 200);
        assert.ok(echoed.text.split('; ').includes('zz=last'), echoed.text);
      }),
      { numRuns: RUNS },
    );
  });

  it('Response.setCookie gives a header Node accepts, or a CookieError (a 500), for any input', async () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom(';', '\r', '\n', '\r\n', ' ', '"', ',', '=', '\0', '\x7f', 'é', '\u2028'),
        fc.constantFrom('a', 'B', '9', '/', '.', '-', '_'),
      ),
      maxLength: 12,
    });
    const options = fc.record(
      {
        path: fc.oneof(text, fc.constant('/')),
        domain: text,
        maxAge: fc.oneof(fc.integer(), fc.double()),
        secure: fc.boolean(),
        httpOnly: fc.boolean(),
        sameSite: fc.constantFrom('Strict', 'lax', 'None', 'bogus'),
      },
      { requiredKeys: [] },
    ) as fc.Arbitrary<CookieOptions>;
    await fc.assert(
      fc.asyncProperty(text, text, options, async (name, value, opts) => {
        const app = quietApp(new Microdot());
        app.get('/', () => new Response('ok').setCookie(name, value, opts));
        const res = await app.dispatch(new Request({ app, method: 'GET', url: '/', headers: {} }));
        if (res.statusCode === 500) {
          assert.equal(app.errors.length, 1);
          assert.ok(app.errors[0] instanceof CookieError, String(app.errors[0]));
          assert.deepEqual(res.cookies, []);
          return;
        }
        assert.equal(res.statusCode, 200);
        assert.deepEqual(app.errors, []);
        assert.equal(res.cookies.length, 1);
        const header = res.cookies[0]!;
        validateHeaderName('set-cookie');
        validateHeaderValue('set-cookie', header); // throws on CR, LF, NUL, …
        assert.doesNotMatch(header, /[\0-\x1f\x7f]/);
        assert.ok(header.startsWith(`${name}=${value}`));
        assert.equal(header.split(';').length, header.split('; ').length, 'only separator ;');
        // The client's jar reads back exactly what was set.
        const client = new TestClient(app);
        const viaClient = await client.get('/');
        assert.equal(viaClient.statusCode, 200);
        // The jar trims the path (RFC 6265 §5.2) and uses `/` for a missing or relative one.
        const trimmed = (opts.path ?? '').replace(/^ +| +$/g, '');
        const path = trimmed.startsWith('/') ? trimmed : '/';
        const expired = opts.maxAge !== undefined && Math.floor(opts.maxAge) <= 0;
        if (!expired) assert.equal(client.cookies(path)[name], value);
      }),
      { numRuns: RUNS },
    );
  });

  it('MultiDict copies (from a MultiDict, its entries or a record) keep every value in order', () => {
    const key = fc.oneof(fc.constantFrom('a', 'b', '__proto__', 'constructor', ''), fc.string());
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string()), { maxLength: 20 }), (pairs) => {
        const d = new MultiDict<string>(pairs);
        // Reference: keys in first-seen order, each with all its values.
        const model = new Map<string, string[]>();
        for (const [k, v] of pairs) model.set(k, [...(model.get(k) ?? []), v]);
        const expected = [...model].flatMap(([k, vs]) => vs.map((v) => [k, v]));
        assert.deepEqual([...d], expected);
        assert.deepEqual([...new MultiDict(d)], expected);
        assert.deepEqual([...new MultiDict(d.entries())], expected);
        const record: Record<string, string[]> = Object.create(null);
        for (const [k, vs] of model) record[k] = vs;
        // A record orders integer-like keys first (JavaScript's rule), so compare per key.
        const fromRecord = new MultiDict(record);
        assert.equal([...fromRecord].length, pairs.length);
        for (const [k, vs] of model) assert.deepEqual(fromRecord.getAll(k), vs);
        const first = d.toObject();
        assert.equal(Object.getPrototypeOf(first), null);
        assert.deepEqual(Object.keys(first).sort(), [...model.keys()].sort());
        for (const [k, vs] of model) {
          assert.equal(first[k], vs[0]);
          assert.deepEqual(d.getAll(k), vs);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

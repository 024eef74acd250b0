// Header lookups (review finding 6): `req.headers.get('constructor')` or `get('__proto__')` gave
// a 500 (`value.join is not a function`), because the lookup read inherited properties of the
// headers object. Only the headers the client sent count.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Microdot } from '../../src/index.js';
import { HeaderMap, type RawHeaders } from '../../src/internal/header-map.js';
import { Request } from '../../src/request.js';
import { MODES } from '../helpers/clients.js';

/** Names that an object inherits, and other names a lookup must not trip on. */
const INHERITED = [
  ...Object.getOwnPropertyNames(Object.prototype),
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'prototype',
];

const headerName = fc.oneof(
  fc.constantFrom(...INHERITED),
  fc.constantFrom(...INHERITED.map((n) => n.toUpperCase())),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/),
);

/** Headers as Node parses them: a plain object, `set-cookie` a list (a JSON parse keeps `__proto__` an own key). */
const rawHeaders = fc
  .array(
    fc.tuple(
      headerName.map((n) => n.toLowerCase()),
      fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => JSON.parse(JSON.stringify(Object.fromEntries(pairs))) as RawHeaders);

function own(raw: RawHeaders, name: string): string | null {
  const key = name.toLowerCase();
  if (!Object.hasOwn(raw, key)) return null;
  const value = raw[key];
  if (value === undefined) return null;
  return typeof value === 'string' ? value : value.join(', ');
}

describe('HeaderMap and req.header read only the headers sent', () => {
  test('property: get, has and req.header agree with the own headers, for any name', () => {
    fc.assert(
      fc.property(rawHeaders, headerName, (raw, name) => {
        const map = new HeaderMap(raw);
        const expected = own(raw, name);
        assert.equal(map.get(name), expected);
        assert.equal(map.has(name), expected !== null);
        const req = new Request({ app: new Microdot(), method: 'GET', url: '/', headers: raw });
        assert.equal(req.header(name.toLowerCase()), expected ?? undefined);
        assert.equal(req.headers.get(name), expected);
      }),
      { numRuns: 500 },
    );
  });

  test('inherited names are absent unless sent', () => {
    const map = new HeaderMap({ host: 'x' });
    for (const name of INHERITED) {
      assert.equal(map.get(name), null, name);
      assert.equal(map.has(name), false, name);
    }
    const sent = new HeaderMap(JSON.parse('{"constructor":"c","__proto__":["p","q"]}'));
    assert.equal(sent.get('Constructor'), 'c');
    assert.equal(sent.get('__proto__'), 'p, q');
  });

  for (const mode of MODES) {
    test(`a handler that looks up constructor / __proto__ answers 200 [${mode.name}]`, async () => {
      const app = new Microdot();
      app.get('/', (req) =>
        JSON.stringify(['constructor', '__proto__', 'toString'].map((n) => req.headers.get(n))),
      );
      app.get('/one', (req) => String(req.header('constructor')));
      const client = await mode.client(app);
      const res = await client.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, '[null,null,null]');
      assert.equal((await client.get('/one')).text, 'undefined');
      const sent = await client.get('/', { headers: { Constructor: 'sent' } });
      assert.equal(sent.text, '["sent",null,null]');
    });
  }
});

// The jsonb encoding of PostgresStore, alone (a property over any JSON data, lone surrogates and
// U+0000 included) and through a real PostgreSQL table (127.0.0.1:5432, a table of its own).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { PostgresStore } from '../../src/stores/postgres.js';
import { decodeData, encodeSet } from '../../src/stores/postgres-json.js';
import { newId } from './store-contract.js';

/** Any UTF-16 code unit: lone surrogates and U+0000 included. */
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
  maxLength: 12,
});
/** Strings, with the wrapper's key and its text shapes made likely. */
const text = fc.oneof(
  anyText,
  fc.constantFrom('$microdot.json', '{"$microdot.json":', '\\u0000', '"\\ud800"', '\\'),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }),
    text.map((t) => ({ '$microdot.json': t })),
  ),
})).value;
/** Keys jsonb can hold: no U+0000, no surrogate code units. */
const key = fc.string({ maxLength: 8 }).filter((k) => !/[\u0000\ud800-\udfff]/.test(k));
const data = fc.dictionary(key, value, { maxKeys: 5 });

/** The JSON value jsonb keeps: no -0, the rest as JSON.parse(JSON.stringify()) gives it. */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('PostgresStore jsonb encoding', () => {
  test('decodeData(encodeSet(data)) is data, for any JSON data', () => {
    fc.assert(
      fc.property(data, (d) => {
        const { json, unset } = encodeSet(d, []);
        assert.deepEqual(unset, []);
        assert.doesNotMatch(json, /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/);
        assert.deepEqual(decodeData(JSON.parse(json)), asJson(d));
      }),
      { numRuns: 500 },
    );
  });

  describe('through PostgreSQL', () => {
    const table = `microdot_test_json_${randomBytes(6).toString('hex')}`;
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    const store = new PostgresStore({ connectionString: url, table, sweepInterval: 0 });
    after(async () => {
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP TABLE IF EXISTS "${table}"`);
      await client.end();
    });

    test('any JSON data round-trip through jsonb', async () => {
      await fc.assert(
        fc.asyncProperty(data, async (d) => {
          const id = newId();
          await store.set(id, { set: d, unset: [], replace: true }, { ttl: 60 });
          const expected = asJson(d);
          const got = await store.get(id);
          assert.deepEqual(got, Object.keys(expected).length === 0 ? undefined : expected);
        }),
        { numRuns: 60 },
      );
    });
  });
});

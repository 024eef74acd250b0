// The SessionStore contract for PostgresStore against the real PostgreSQL at 127.0.0.1:5432
// (database `test`), in a schema of this file's own with a random name, dropped at the end; plus
// the table layout, migration, the sweep, and outages through a TCP proxy this file starts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/stores/postgres.js';
import { StoreUnavailableError } from '../../src/stores/store.js';
import { freePort, startTcpProxy } from '../helpers/net.js';
import { sessionApp } from '../helpers/session-app.js';
import { newId, storeContract, waitFor } from './store-contract.js';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `microdot_test_${randomBytes(6).toString('hex')}`;
const admin = new pg.Pool({ connectionString: URL, max: 2 });

before(() => admin.query(`CREATE SCHEMA "${schema}"`));
after(async () => {
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin.end();
});

storeContract(
  'PostgresStore',
  () => new PostgresStore({ connectionString: URL, table: `${schema}.contract` }),
);

// The longest names the store takes (48 characters a part): PostgreSQL cuts a prepared
// statement's name to 63 bytes, so names built from the table must stay apart after that.
storeContract(
  'PostgresStore, longest table name',
  () => new PostgresStore({ connectionString: URL, table: `${schema}.${'t'.repeat(48)}` }),
);

/** Rows of `table` in this file's schema. */
async function rows(table: string): Promise<Record<string, unknown>[]> {
  return (await admin.query(`SELECT * FROM "${schema}"."${table}" ORDER BY id`)).rows;
}

describe('PostgresStore', () => {
  test('table layout: jsonb data, user id, expiry by the database clock, both indexed', async () => {
    const store = new PostgresStore({ connectionString: URL, table: `${schema}.layout` });
    const id = newId();
    await store.set(
      id,
      { set: { n: 1, s: 'x' }, unset: [], replace: true },
      { ttl: 60, userId: 'u1' },
    );
    const columns = await admin.query(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'layout' ORDER BY ordinal_position`,
      [schema],
    );
    assert.deepEqual(
      columns.rows.map((c) => [c.column_name, c.data_type]),
      [
        ['id', 'text'],
        ['data', 'jsonb'],
        ['user_id', 'text'],
        ['expires_at', 'timestamp with time zone'],
      ],
    );
    const [row] = await rows('layout');
    assert.ok(row);
    assert.deepEqual(row.data, { n: 1, s: 'x' });
    assert.equal(row.user_id, 'u1');
    const left = (row.expires_at as Date).getTime() - Date.now();
    assert.ok(left > 55_000 && left <= 61_000, `expires in ${left} ms`);
    const indexes = await admin.query('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [
      schema,
    ]);
    const names = indexes.rows.map((r) => r.indexname);
    assert.ok(names.includes('layout_user_id') && names.includes('layout_expires_at'), `${names}`);
    await store.close();
  });

  test('migrate() creates the table once, from many stores at the same time', async () => {
    const stores = Array.from(
      { length: 4 },
      () => new PostgresStore({ connectionString: URL, table: `${schema}.migrated`, max: 1 }),
    );
    await Promise.all(stores.map((s) => s.migrate()));
    await Promise.all(stores.map((s) => s.migrate()));
    assert.deepEqual(await rows('migrated'), []);
    await Promise.all(stores.map((s) => s.close()));
  });

  test('a patch is one statement: stores on separate pools merge without losing keys', async () => {
    const table = `${schema}.parallel`;
    const stores = [1, 2, 3].map(() => new PostgresStore({ connectionString: URL, table }));
    await stores[0]!.migrate();
    const id = newId();
    await stores[0]!.set(id, { set: { start: true }, unset: [], replace: true }, { ttl: 60 });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        stores[i % 3]!.set(id, { set: { [`k${i}`]: i }, unset: ['start'] }, { ttl: 60 }),
      ),
    );
    const data = await stores[1]!.get(id);
    assert.equal(Object.keys(data ?? {}).length, 60);
    assert.equal(data?.k59, 59);
    await Promise.all(stores.map((s) => s.close()));
  });

  test('the sweep deletes expired and emptied rows and keeps live ones', async () => {
    const table = `${schema}.sweep`;
    const store = new PostgresStore({ connectionString: URL, table, sweepInterval: 0.1 });
    const live = newId();
    const emptied = newId();
    const fresh = { set: { a: 1 }, unset: [], replace: true };
    await store.set(newId(), fresh, { ttl: 0.1 });
    await store.set(live, fresh, { ttl: 60 });
    await store.set(emptied, fresh, { ttl: 60 });
    await store.set(emptied, { set: {}, unset: ['a'] }, { ttl: 60 });
    assert.equal(await store.get(emptied), undefined);
    await waitFor(async () => (await rows('sweep')).length === 1, 5000, 'the sweep');
    assert.deepEqual(await store.get(live), { a: 1 });
    await store.close();
  });

  test('values jsonb cannot hold (U+0000, lone surrogates) round-trip; such keys and user ids are refused', async () => {
    const store = new PostgresStore({ connectionString: URL, table: `${schema}.unstorable` });
    const id = newId();
    const data = {
      nul: 'x\u0000y',
      lone: ['\ud800', { deep: 'a\udc00b' }],
      pair: '🎉',
      text: 'a\\u0000 is six characters',
      wrapperLike: { '$microdot.json': '"not a wrapper of ours"' },
      wrapperAndMore: { '$microdot.json': 1, other: 2 },
    };
    await store.set(id, { set: data, unset: [], replace: true }, { ttl: 60 });
    assert.deepEqual(await store.get(id), data);
    const [row] = await rows('unstorable');
    assert.equal(
      (row?.data as { pair?: string } | undefined)?.pair,
      '🎉',
      'plain values stay jsonb',
    );
    for (const key of ['k\u0000', '\ud800']) {
      const patch = { set: { [key]: 1 }, unset: [] };
      await assert.rejects(store.set(id, patch, { ttl: 60 }), TypeError);
    }
    for (const userId of ['u\u0000', '\udc00']) {
      const patch = { set: { b: 1 }, unset: [] };
      await assert.rejects(store.set(id, patch, { ttl: 60, userId }), TypeError);
      assert.equal(await store.destroyAll(userId), 0);
    }
    await store.set(id, { set: { b: 1 }, unset: ['x\u0000', '\ud800', 'nul'] }, { ttl: 60 });
    const { nul: _, ...rest } = data;
    assert.deepEqual(await store.get(id), { ...rest, b: 1 });
    await store.close();
  });

  test('a pool you pass is used and left open', async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 2 });
    const store = new PostgresStore({ pool, table: `${schema}.own_pool` });
    const id = newId();
    await store.set(id, { set: { a: 1 }, unset: [], replace: true }, { ttl: 30 });
    assert.deepEqual(await store.get(id), { a: 1 });
    await store.close();
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
    await pool.end();
  });

  test('two stores whose long table names differ only at the end share one pool', async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1 });
    const [a, b] = ['a', 'b'].map(
      (last) => new PostgresStore({ pool, table: `${schema}.${'x'.repeat(47)}${last}` }),
    );
    const id = newId();
    await a.set(id, { set: { from: 'a' }, unset: [], replace: true }, { ttl: 30, userId: 'u' });
    await b.set(id, { set: { from: 'b' }, unset: [], replace: true }, { ttl: 30, userId: 'u' });
    assert.deepEqual(await a.get(id), { from: 'a' });
    assert.deepEqual(await b.get(id), { from: 'b' });
    assert.equal((await a.list('u')).length, 1);
    assert.equal(await a.destroyOwned('u', id), true);
    assert.equal(await b.get(id).then((data) => data?.from), 'b');
    assert.equal(await b.destroyAll('u'), 1);
    await a.close();
    await b.close();
    await pool.end();
  });

  test('rejects bad options when built', () => {
    for (const table of ['bad name', 'x"; DROP TABLE t; --', '1abc', '', 'a.b.c', 'a'.repeat(49)]) {
      assert.throws(() => new PostgresStore({ connectionString: URL, table }), TypeError, table);
    }
    const pool = new pg.Pool();
    assert.throws(() => new PostgresStore({ pool, connectionString: URL }), TypeError);
    for (const bad of [{ timeout: 0 }, { sweepInterval: -1 }, { max: 0 }, { max: 1.5 }]) {
      assert.throws(() => new PostgresStore({ connectionString: URL, ...bad }), RangeError);
    }
  });

  test('a missing schema is an error to see, not an outage', async () => {
    const store = new PostgresStore({ connectionString: URL, table: `no_such_${schema}.t` });
    await assert.rejects(store.get(newId()), (error) => !(error instanceof StoreUnavailableError));
    await store.close();
  });

  test('a closed port rejects with StoreUnavailableError within 1 s', async () => {
    const store = new PostgresStore({
      connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/test`,
      table: `${schema}.closed`,
    });
    for (const call of [
      () => store.get(newId()),
      () => store.set(newId(), { set: { a: 1 }, unset: [] }, { ttl: 30 }),
      () => store.destroyAll('ana'),
      () => store.migrate(),
    ]) {
      const start = Date.now();
      await assert.rejects(call(), StoreUnavailableError);
      assert.ok(Date.now() - start < 1000, `rejected after ${Date.now() - start} ms`);
    }
    await store.close();
  });

  describe('behind a TCP proxy that is cut and restored', () => {
    const table = `${schema}.outage`;
    let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
    let store: PostgresStore;
    before(async () => {
      proxy = await startTcpProxy(5432);
      store = new PostgresStore({
        connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
        table,
        timeout: 1000,
      });
    });
    after(async () => {
      await store.close();
      await proxy.close();
    });

    /** Resolves once a call through the proxy works again (the pool reconnects by itself). */
    const recovered = () =>
      waitFor(
        () =>
          store.get(newId()).then(
            () => true,
            (error) => (error instanceof StoreUnavailableError ? false : Promise.reject(error)),
          ),
        10_000,
        'the store to reconnect',
      );

    test('calls fail fast while it is cut and work again when it is back', async () => {
      const id = newId();
      await store.set(id, { set: { a: 1 }, unset: [], replace: true }, { ttl: 30, userId: 'ana' });
      proxy.cut();
      for (const call of [
        () => store.get(id),
        () => store.set(id, { set: { b: 2 }, unset: [] }, { ttl: 30 }),
        () => store.touch(id, 30),
        () => store.destroy(id),
        () => store.destroyAll('ana'),
      ]) {
        const started = Date.now();
        await assert.rejects(call(), StoreUnavailableError);
        assert.ok(Date.now() - started < 1500, `rejected after ${Date.now() - started} ms`);
      }
      proxy.restore();
      await recovered();
      assert.deepEqual(await store.get(id), { a: 1 }, 'nothing was written during the outage');
    });

    test('session routes answer 503 and the others keep serving; no restart needed', async () => {
      const { app, client } = sessionApp('postgres-outage-secret-key-0123456789abcdef', { store });
      app.get('/plain', () => 'no session here');
      assert.equal((await client.get('/count')).text, '1');
      assert.equal((await client.get('/count')).text, '2');
      proxy.cut();
      for (const path of ['/count', '/read']) {
        const res = await client.get(path);
        assert.equal(res.statusCode, 503, path);
        assert.equal(res.text, 'Session store unavailable');
      }
      const plain = await client.get('/plain');
      assert.equal(plain.statusCode, 200);
      assert.equal(plain.text, 'no session here');
      proxy.restore();
      await recovered();
      assert.equal((await client.get('/count')).text, '3', 'the session outlived the outage');
    });
  });
});

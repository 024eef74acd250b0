// The SessionStore contract for SqliteStore on a real file, plus persistence, the sweep, and
// writers in several threads sharing one file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/stores/sqlite.js';
import { StoreUnavailableError } from '../../src/stores/store.js';
import { newId, storeContract, waitFor } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'microdot-sqlite-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

storeContract('SqliteStore', () => new SqliteStore({ path: join(dir, 'contract.db') }));

describe('SqliteStore', () => {
  test('sessions survive closing and reopening the file', async () => {
    const path = join(dir, 'reopen.db');
    const id = newId();
    const first = new SqliteStore({ path });
    await first.set(
      id,
      { set: { a: { b: [1] } }, unset: [], replace: true },
      { ttl: 60, userId: 'ana' },
    );
    await first.close();
    await assert.rejects(first.get(id), StoreUnavailableError);
    const second = new SqliteStore({ path });
    assert.deepEqual(await second.get(id), { a: { b: [1] } });
    assert.equal(await second.destroyAll('ana'), 1);
    await second.close();
  });

  test('uses WAL mode and the documented table layout', async () => {
    const path = join(dir, 'layout.db');
    const store = new SqliteStore({ path, table: 'my_sessions', sweepInterval: 0 });
    const id = newId();
    const before = Date.now();
    await store.set(id, { set: { n: 1 }, unset: [], replace: true }, { ttl: 60, userId: 'u1' });
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const row = db.prepare('SELECT * FROM my_sessions WHERE id = ?').get(id) as {
      data: string;
      user_id: string;
      expires_at: number;
    };
    assert.equal(row.data, '{"n":1}');
    assert.equal(row.user_id, 'u1');
    assert.ok(row.expires_at >= before + 60_000 && row.expires_at <= Date.now() + 60_000);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all();
    assert.ok(indexes.some((i) => (i as { name: string }).name === 'my_sessions_user_id'));
    db.close();
    await store.close();
  });

  test('the sweep deletes expired rows and keeps live ones', async () => {
    const path = join(dir, 'sweep.db');
    const store = new SqliteStore({ path, sweepInterval: 0.05 });
    const live = newId();
    await store.set(newId(), { set: { a: 1 }, unset: [], replace: true }, { ttl: 0.1 });
    await store.set(live, { set: { a: 1 }, unset: [], replace: true }, { ttl: 60 });
    const db = new Database(path, { readonly: true });
    const count = () =>
      (db.prepare('SELECT count(*) AS n FROM microdot_sessions').get() as { n: number }).n;
    assert.equal(count(), 2);
    await waitFor(() => count() === 1, 3000, 'the sweep');
    assert.deepEqual(await store.get(live), { a: 1 });
    db.close();
    await store.close();
  });

  test('works on a database you opened, and leaves it open', async () => {
    const db = new Database(join(dir, 'own.db'));
    const store = new SqliteStore({ database: db });
    const id = newId();
    await store.set(id, { set: { a: 1 }, unset: [], replace: true }, { ttl: 60 });
    await store.close();
    assert.equal(db.open, true);
    assert.equal(
      (db.prepare('SELECT count(*) AS n FROM microdot_sessions').get() as { n: number }).n,
      1,
    );
    db.close();
  });

  test('rejects a bad table name or missing path when built', () => {
    for (const table of ['bad name', 'x"; DROP TABLE t; --', '1abc', '', 'a'.repeat(64)]) {
      assert.throws(() => new SqliteStore({ path: join(dir, 'bad.db'), table }), TypeError);
    }
    assert.throws(() => new SqliteStore({ path: '' }), TypeError);
    assert.throws(
      () => new SqliteStore({ path: join(dir, 'x.db'), sweepInterval: -1 }),
      RangeError,
    );
  });

  test('patches from several threads on one file lose nothing', async () => {
    const path = join(dir, 'threads.db');
    const id = newId();
    const store = new SqliteStore({ path });
    await store.set(id, { set: { start: true }, unset: [], replace: true }, { ttl: 60 });
    const module = new URL('../../src/stores/sqlite.js', import.meta.url).href;
    const perWorker = 100;
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.module).then(async ({ SqliteStore }) => {
        const store = new SqliteStore({ path: workerData.path, sweepInterval: 0 });
        for (let i = 0; i < workerData.n; i++) {
          await store.set(workerData.id, { set: { [workerData.name + i]: i }, unset: [] }, { ttl: 60 });
        }
        await store.close();
        parentPort.postMessage('done');
      });`;
    const run = (name: string) =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(code, {
          eval: true,
          workerData: { module, path, id, name, n: perWorker },
        });
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
      });
    await Promise.all([run('a'), run('b'), run('c')]);
    const data = await store.get(id);
    assert.equal(Object.keys(data ?? {}).length, 1 + 3 * perWorker);
    assert.equal(data?.b99, 99);
    await store.close();
  });
});

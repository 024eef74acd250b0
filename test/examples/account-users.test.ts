// The account example's user tables: memory, SQLite and PostgreSQL behave alike.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createAccountApp } from '../../examples/account/account-app.js';
import {
  MemoryUsers,
  postgresUsers,
  sqliteUsers,
  type Users,
} from '../../examples/account/users.js';
import { TestClient } from '../../src/test-client.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const table = `account_users_test_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'account-users-'));
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
});

// Tables of this file's own (never the example's default account_users, which a developer may
// be using), each dropped by `drop` and at the end.
const KINDS: { name: string; make: () => Promise<Users>; drop?: () => Promise<void> }[] = [
  { name: 'memory', make: async () => new MemoryUsers() },
  {
    name: 'sqlite',
    make: () => sqliteUsers(join(dir, 'users.db'), table),
    drop: async () => {
      const db = new Database(join(dir, 'users.db'));
      db.exec(`DROP TABLE IF EXISTS ${table}`);
      db.close();
    },
  },
  {
    name: 'postgres',
    make: async () => {
      const users = await postgresUsers(PG_URL, table);
      closers.push(() => users.close());
      return users;
    },
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    },
  },
];

for (const { name, make, drop } of KINDS) {
  describe(`account users (${name})`, () => {
    test('add, find by id and by name (any case), refuse a taken name, change a hash', async () => {
      const users = await make();
      const ana = await users.add('Ana Zoë', 'hash-1');
      assert.ok(ana);
      assert.equal(ana.name, 'Ana Zoë');
      assert.equal(await users.add('ANA ZOË', 'hash-2'), undefined);
      assert.equal((await users.byName('ana zoë'))?.id, ana.id);
      assert.equal((await users.byId(ana.id))?.passwordHash, 'hash-1');
      await users.setPasswordHash(ana.id, 'hash-3');
      assert.equal((await users.byId(ana.id))?.passwordHash, 'hash-3');
      assert.equal(await users.byId(9999), undefined);
      assert.equal(await users.byName('nobody'), undefined);
      assert.equal(typeof ana.createdAt, 'number');
    });

    if (drop !== undefined) {
      test('the table dropped and made again: id 1 comes back, and the old login is refused', async () => {
        await drop();
        const users = await make();
        const app = await createAccountApp({
          secretKey: 'account-users-test-key-0123456789abcdefghij',
          passwordCost: { logN: 6, r: 8, p: 1 },
          users,
        });
        const register = (client: TestClient, name: string) =>
          client.post('/register', {
            body: new URLSearchParams({
              name,
              password: 'correct horse',
              confirm: 'correct horse',
            }).toString(),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          });
        const first = new TestClient(app);
        await register(first, 'first');
        assert.equal((await users.byName('first'))?.id, 1);
        await drop();
        await make(); // the example's CREATE TABLE IF NOT EXISTS, as at its next start
        const second = new TestClient(app);
        await register(second, 'second');
        assert.equal((await users.byName('second'))?.id, 1);
        assert.equal((await second.get('/')).statusCode, 200);
        // Cookie mode: the first account's signed cookie still says _user_id 1.
        assert.equal((await first.get('/')).statusCode, 302);
      });
    }
  });
}

// The account example's user tables: memory, SQLite and PostgreSQL behave alike.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import {
  MemoryUsers,
  postgresUsers,
  sqliteUsers,
  type Users,
} from '../../examples/account/users.js';

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

const KINDS: { name: string; make: () => Promise<Users> }[] = [
  { name: 'memory', make: async () => new MemoryUsers() },
  { name: 'sqlite', make: () => sqliteUsers(join(dir, 'users.db')) },
  {
    name: 'postgres',
    make: async () => {
      const users = await postgresUsers(PG_URL, table);
      closers.push(() => users.close());
      return users;
    },
  },
];

for (const { name, make } of KINDS) {
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
  });
}

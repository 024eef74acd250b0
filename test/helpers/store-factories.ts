// The stores a test file runs its cases on, each made fresh for a test under a corner of its own
// (a Redis key prefix, an SQLite file, a PostgreSQL table), and all of it closed and removed after
// the file: the shared Redis and PostgreSQL belong to everyone working on this machine.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { MemoryStore, type SessionStore } from '../../src/session/index.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore } from '../../src/stores/redis.js';
import { SqliteStore } from '../../src/stores/sqlite.js';
import { type RedisCluster, startRedisCluster } from './redis-cluster.js';
import { redisTestPrefix } from './redis-prefix.js';
import { withoutSqliteWhereUnsupported } from './sqlite-loads.js';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A store the factories can make: `redis` is RedisStore on ioredis, `node-redis` on node-redis. */
export type StoreName = 'memory' | 'sqlite' | 'redis' | 'node-redis' | 'postgres';

/** A test file's stores, see {@link testStores}. */
export interface TestStores {
  /**
   * `[name, make]` for each store asked for, in that order, SQLite left out where it cannot load:
   * each `make()` gives a new, empty store, closed after the file.
   */
  readonly factories: [StoreName, () => SessionStore][];
  /** Closes `store` (one the test made itself) after the file too; returns it. */
  track<T extends SessionStore>(store: T): T;
  /** A RedisStore on a one-node Redis Cluster, started on first use and stopped after the file. */
  redisCluster(): Promise<SessionStore>;
}

/**
 * The stores of test file `name`, and an `after` hook that closes them, then removes their SQLite
 * files and PostgreSQL tables (the Redis keys go with {@link redisTestPrefix}'s own hook).
 *
 * @example
 * const stores = testStores('linked');
 * for (const [storeName, factory] of stores.factories) {
 *   test(`… on ${storeName}`, async () => {
 *     const store = factory();
 *   });
 * }
 */
export function testStores(
  name: string,
  names: readonly StoreName[] = ['memory', 'sqlite', 'redis'],
): TestStores {
  const redis = redisTestPrefix(`microdot-test:${name}`);
  const made: SessionStore[] = [];
  const pgTables: string[] = [];
  let dir: string | undefined;
  let cluster: RedisCluster | undefined;
  after(async () => {
    await Promise.all(made.map((s) => s.close?.()));
    await cluster?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    if (pgTables.length === 0) return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    for (const table of pgTables) await client.query(`DROP TABLE IF EXISTS "${table}"`);
    await client.end();
  });
  const track = <T extends SessionStore>(store: T): T => {
    made.push(store);
    return store;
  };
  const hex = () => randomBytes(6).toString('hex');
  const make: Record<StoreName, () => SessionStore> = {
    memory: () => track(new MemoryStore()),
    sqlite: () => {
      dir ??= mkdtempSync(join(tmpdir(), `microdot-${name}-`));
      return track(new SqliteStore({ path: join(dir, `${hex()}.db`) }));
    },
    redis: () => track(redis.store()),
    'node-redis': () => track(redis.storeOn('node-redis')),
    postgres: () => {
      const table = `microdot_test_${name.replace(/\W/g, '_')}_${hex()}`;
      pgTables.push(table);
      return track(new PostgresStore({ connectionString: PG_URL, table }));
    },
  };
  return {
    factories: withoutSqliteWhereUnsupported(
      names.map((n) => [n, make[n]] as [StoreName, () => SessionStore]),
    ),
    track,
    redisCluster: async () => {
      cluster ??= await startRedisCluster();
      return track(new RedisStore({ client: cluster.client, prefix: `test:${name}:${hex()}:` }));
    },
  };
}

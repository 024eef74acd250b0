// The shared Redis at 127.0.0.1:6379 belongs to everyone working on this machine, so a test file
// writes under a key prefix of its own, and at the end removes exactly the keys under it.
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type { NodeRedisClient } from '../../src/stores/node-redis-connection.js';
import { RedisStore } from '../../src/stores/redis.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** The client library a RedisStore runs on in a test: ioredis (the default) or node-redis. */
export type RedisClientKind = 'ioredis' | 'node-redis';

/** What a test may set of a store it makes, see {@link RedisTestPrefix.storeOn}. */
export interface TestStoreOptions {
  url?: string;
  prefix?: string;
  timeout?: number;
}

/**
 * A node-redis client for `url`, made as the README says (no offline queue, reconnection every
 * ≤ 1 s, `connectTimeout` = the store's timeout), connecting: the store waits for it.
 */
export function nodeRedisClient(url = REDIS_URL, timeout = 2000): NodeRedisClient {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeout,
      reconnectStrategy: (retries) => Math.min(50 * retries, 1000),
    },
  });
  // Errors reach the store's callers; a failed first connection too (the client keeps trying).
  client.on('error', () => {});
  client.connect().catch(() => {});
  return client;
}

/** What is ended before the keys are removed: a store (`close`) or an ioredis client (`quit`). */
type Closable = { close(): Promise<unknown> } | { quit(): Promise<unknown> };

/** A test file's corner of the shared Redis, see {@link redisTestPrefix}. */
export interface RedisTestPrefix {
  /** `<name>:<12 random hex digits>:`, unique to this run of the file. */
  readonly prefix: string;
  /** Ends `it` (a store or a client) after the file's tests; returns it. */
  track<T extends Closable>(it: T): T;
  /**
   * A RedisStore on the shared Redis, closed after the file's tests, under a prefix of its own
   * below `prefix` (`prefix` + a counter), so that user 1 of one test is not user 1 of the next.
   */
  store(): RedisStore;
  /**
   * A RedisStore on `kind` for `options.url` (default the shared Redis), both ended after the
   * file's tests (a node-redis client the store is given is closed after the store). Under
   * `options.prefix`, default the next prefix of {@link store}.
   */
  storeOn(kind: RedisClientKind, options?: TestStoreOptions): RedisStore;
}

/**
 * A unique key prefix for this test file, and an `after` hook that ends every tracked store and
 * client, then deletes every key under the prefix (and no one else's).
 *
 * @example
 * const redis = redisTestPrefix('microdot-throttle-test');
 * const store = redis.store(); // keys `microdot-throttle-test:<random>:0:…`, removed at the end
 */
export function redisTestPrefix(name: string): RedisTestPrefix {
  const prefix = `${name}:${randomBytes(6).toString('hex')}:`;
  const closers: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const close of closers) await close();
    await deleteRedisKeys(prefix);
  });
  const track = <T extends Closable>(it: T): T => {
    const closable: Closable = it;
    closers.push(() => ('close' in closable ? closable.close() : closable.quit()));
    return it;
  };
  let stores = 0;
  const storeOn = (kind: RedisClientKind, options: TestStoreOptions = {}) => {
    const { url = REDIS_URL, timeout } = options;
    const storePrefix = options.prefix ?? `${prefix}${stores++}:`;
    if (kind === 'ioredis') return track(new RedisStore({ url, prefix: storePrefix, timeout }));
    const client = nodeRedisClient(url, timeout);
    const store = track(new RedisStore({ client, prefix: storePrefix, timeout }));
    // destroy, not close: close waits for replies that a stopped test server never sends.
    closers.push(async () => {
      if (client.isOpen) client.destroy();
    });
    return store;
  };
  return {
    prefix,
    track,
    store: () => storeOn('ioredis'),
    storeOn,
  };
}

/** Deletes every key of the shared Redis that starts with `prefix` (SCAN MATCH, then DEL). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}

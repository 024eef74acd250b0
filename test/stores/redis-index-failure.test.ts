// RedisStore when a user index cannot be written but the session can. The index script goes out
// with the session's (one round trip for both), so the session's may run although the index's
// failed: on Redis Cluster, where the two can live on different nodes, one node may be down.
// Here the index key holds a string (WRONGTYPE): a failure of the index alone that a single
// Redis can show. Whatever the path, a live session never outlives what its index covers: its
// TTL is taken back (the session ended, if the index never listed it) and the call rejects.
// On an ioredis client and on a node-redis one.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { RedisStore } from '../../src/stores/redis.js';
import { REDIS_URL, redisTestPrefix } from '../helpers/redis-prefix.js';
import { newId } from './store-contract.js';

const redis = redisTestPrefix('microdot-test');
const { prefix } = redis;
const raw = redis.track(new Redis(REDIS_URL, { lazyConnect: true }));
before(() => raw.connect());

/** The session's two keys: its data hash and its owner. */
function keysOf(id: string): [string, string] {
  return [`${prefix}s:{${id}}`, `${prefix}s:{${id}}:user`];
}

/** Makes `user`'s index unwritable: its key holds a string, so the index script fails. */
async function breakIndex(user: string): Promise<void> {
  const key = `${prefix}uz:{u${Buffer.from(user).toString('base64url')}}`;
  await raw.set(key, 'not a sorted set', 'PX', 60_000);
}

/** Asserts both keys of session `id` expire within `ms`. */
async function assertTtlAtMost(id: string, ms: number): Promise<void> {
  for (const key of keysOf(id)) {
    const pttl = await raw.pttl(key);
    assert.ok(pttl > 0 && pttl <= ms, `PTTL of ${key}: ${pttl}, expected at most ${ms}`);
  }
}

/** A session of `user` with `data` in `store`, written while its index still works; lives 30 s. */
async function loggedIn(
  store: RedisStore,
  user: string,
  data: Record<string, unknown>,
): Promise<string> {
  const id = newId();
  await store.set(id, { set: data, unset: [], replace: true }, { ttl: 30, userId: user });
  return id;
}

for (const kind of ['ioredis', 'node-redis'] as const) {
  describe(`RedisStore (${kind}) when the user index cannot be written`, () => {
    let store: RedisStore;
    before(() => {
      store = redis.storeOn(kind, { prefix });
    });

    test('a login rejects and leaves no session behind', async () => {
      const user = `u-${newId()}`;
      const id = newId();
      await breakIndex(user);
      const login = store.set(
        id,
        { set: { a: 1 }, unset: [], replace: true },
        { ttl: 60, userId: user },
      );
      await assert.rejects(login, /WRONGTYPE/);
      assert.equal(await store.get(id), undefined);
      assert.equal(await raw.exists(...keysOf(id)), 0);
    });

    test('a patch of a logged-in session rejects, and its TTL stays what the index covers', async () => {
      const user = `u-${newId()}`;
      const id = await loggedIn(store, user, { a: 1 });
      await breakIndex(user);
      const patch = store.set(id, { set: { b: 2 }, unset: [] }, { ttl: 3600, userId: user });
      await assert.rejects(patch, /WRONGTYPE/);
      await assertTtlAtMost(id, 30_000);
      // The patch itself stays: taking back a per-key patch would undo parallel ones.
      assert.deepEqual(await store.get(id), { a: 1, b: 2 });
    });

    test('a patch without userId of an owned session: its TTL is taken back too', async () => {
      const user = `u-${newId()}`;
      const id = await loggedIn(store, user, { a: 1 });
      await breakIndex(user);
      await assert.rejects(store.set(id, { set: { b: 2 }, unset: [] }, { ttl: 3600 }), /WRONGTYPE/);
      await assertTtlAtMost(id, 30_000);
    });

    test('touch of an owned session: its TTL is taken back', async () => {
      const user = `u-${newId()}`;
      const id = await loggedIn(store, user, { a: 1 });
      await breakIndex(user);
      await assert.rejects(store.touch(id, 3600), /WRONGTYPE/);
      await assertTtlAtMost(id, 30_000);
    });

    test('a session that changes owner is ended: the new owner`s index never listed it', async () => {
      const id = await loggedIn(store, `u-${newId()}`, { a: 1 });
      const next = `u-${newId()}`;
      await breakIndex(next);
      const patch = store.set(id, { set: { user: next }, unset: [] }, { ttl: 60, userId: next });
      await assert.rejects(patch, /WRONGTYPE/);
      assert.equal(await store.get(id), undefined);
      assert.equal(await raw.exists(...keysOf(id)), 0);
    });

    test('a patch on a missing session writes nothing and resolves to false', async () => {
      const user = `u-${newId()}`;
      const id = newId();
      await breakIndex(user);
      assert.equal(
        await store.set(id, { set: { a: 1 }, unset: [] }, { ttl: 60, userId: user }),
        false,
      );
      assert.equal(await raw.exists(...keysOf(id)), 0);
    });
  });
}

// RedisStore when a user index cannot be written but the session can. The index script goes out
// with the session's (one round trip for both), so the session's may run although the index's
// failed: on Redis Cluster, where the two can live on different nodes, one node may be down.
// Here the index key holds a string (WRONGTYPE): a failure of the index alone that a single
// Redis can show. Whatever the path, a live session never outlives what its index covers: its
// TTL is taken back (the session ended, if the index never listed it) and the call rejects.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/stores/redis.js';
import { newId } from './store-contract.js';

const URL = 'redis://127.0.0.1:6379';
const prefix = `microdot-test:${randomBytes(6).toString('hex')}:`;
const raw = new Redis(URL, { lazyConnect: true });
let store: RedisStore;

before(async () => {
  await raw.connect();
  store = new RedisStore({ url: URL, prefix });
});
after(async () => {
  await store.close();
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await Promise.all(keys.map((key) => raw.del(key)));
    cursor = next;
  } while (cursor !== '0');
  await raw.quit();
});

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

/** A session of `user` with `data`, written while its index still works; lives 30 s. */
async function loggedIn(user: string, data: Record<string, unknown>): Promise<string> {
  const id = newId();
  await store.set(id, { set: data, unset: [], replace: true }, { ttl: 30, userId: user });
  return id;
}

describe('RedisStore when the user index cannot be written', () => {
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
    const id = await loggedIn(user, { a: 1 });
    await breakIndex(user);
    const patch = store.set(id, { set: { b: 2 }, unset: [] }, { ttl: 3600, userId: user });
    await assert.rejects(patch, /WRONGTYPE/);
    await assertTtlAtMost(id, 30_000);
    // The patch itself stays: taking back a per-key patch would undo parallel ones.
    assert.deepEqual(await store.get(id), { a: 1, b: 2 });
  });

  test('a patch without userId of an owned session: its TTL is taken back too', async () => {
    const user = `u-${newId()}`;
    const id = await loggedIn(user, { a: 1 });
    await breakIndex(user);
    await assert.rejects(store.set(id, { set: { b: 2 }, unset: [] }, { ttl: 3600 }), /WRONGTYPE/);
    await assertTtlAtMost(id, 30_000);
  });

  test('touch of an owned session: its TTL is taken back', async () => {
    const user = `u-${newId()}`;
    const id = await loggedIn(user, { a: 1 });
    await breakIndex(user);
    await assert.rejects(store.touch(id, 3600), /WRONGTYPE/);
    await assertTtlAtMost(id, 30_000);
  });

  test('a session that changes owner is ended: the new owner`s index never listed it', async () => {
    const id = await loggedIn(`u-${newId()}`, { a: 1 });
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

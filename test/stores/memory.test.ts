// The SessionStore contract for MemoryStore, plus what only a bounded in-process store does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryStore } from '../../src/stores/memory.js';
import { newId, storeContract, waitFor } from './store-contract.js';

storeContract('MemoryStore', () => new MemoryStore());

describe('MemoryStore', () => {
  const put = (store: MemoryStore, id: string, userId?: string, ttl = 60) =>
    store.set(id, { set: { id }, unset: [], replace: true }, { ttl, userId });

  test('evicts the least recently used sessions past maxEntries', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'];
    await put(store, a);
    await put(store, b);
    await put(store, c);
    await store.get(a); // a is now more recent than b
    await put(store, d);
    assert.equal(store.size, 3);
    assert.equal(await store.get(b), undefined); // order now: c, a, d
    await put(store, c); // a write is a use too: a is now the oldest
    await put(store, e);
    assert.equal(await store.get(a), undefined);
    assert.deepEqual(await store.get(c), { id: c });
    assert.deepEqual(await store.get(d), { id: d });
    assert.deepEqual(await store.get(e), { id: e });
    await store.close();
  });

  test('evicts sessions without a user before logged-in ones, then the least recent user', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    await put(store, 'ana1', 'ana');
    await put(store, 'bob1', 'bob');
    await put(store, 'x');
    await put(store, 'y'); // evicts x, the anonymous one, though ana1 is older
    assert.equal(await store.get('x'), undefined);
    assert.deepEqual(await store.get('ana1'), { id: 'ana1' }); // ana1 is now more recent than bob1
    await put(store, 'cy', 'cy'); // evicts y, the only anonymous one
    assert.equal(await store.get('y'), undefined);
    await put(store, 'dan', 'dan'); // all have users: the least recently used (bob1) goes
    assert.equal(await store.get('bob1'), undefined);
    assert.equal(store.size, 3);
    // The evicted sessions left the user index too.
    assert.equal(await store.destroyAll('bob'), 0);
    assert.deepEqual(await store.list('bob'), []);
    await store.close();
  });

  test('finding 3: 10,000 anonymous sessions do not evict a logged-in user', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const victim = newId();
    await put(store, victim, 'victim');
    for (let i = 0; i < 10_000; i++) await put(store, newId());
    assert.equal(store.size, 10_000);
    assert.deepEqual(await store.get(victim), { id: victim });
    assert.equal((await store.list('victim')).length, 1);
  });

  test('the sweep drops expired sessions without any read', async () => {
    const store = new MemoryStore({ sweepInterval: 0.05 });
    await put(store, newId(), undefined, 0.1);
    await put(store, newId(), undefined, 60);
    assert.equal(store.size, 2);
    await waitFor(() => store.size === 1, 2000, 'the sweep');
    await store.close();
  });

  test('close stops the sweep', async () => {
    const store = new MemoryStore({ sweepInterval: 0.05 });
    await store.close();
    await put(store, newId(), undefined, 0.05);
    await sleep(300);
    assert.equal(store.size, 1); // still there: nothing swept it
  });

  test('rejects bad options when built', () => {
    assert.throws(() => new MemoryStore({ maxEntries: 0 }), RangeError);
    assert.throws(() => new MemoryStore({ maxEntries: 1.5 }), RangeError);
    assert.throws(() => new MemoryStore({ sweepInterval: -1 }), RangeError);
    new MemoryStore({ sweepInterval: 0 }).close();
  });
});

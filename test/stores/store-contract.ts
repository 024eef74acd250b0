/**
 * The behavioural suite every SessionStore must pass, written once and registered for each store
 * by memory.test.ts, sqlite.test.ts and redis.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionData, SessionStore } from '../../src/stores/store.js';

/** A fresh random id (as the session layer makes them), unique across parallel test files. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** Polls `check` every 25 ms until it returns true; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

const noUnset: readonly string[] = [];

/** Registers the SessionStore contract cases for the store `open()` returns. */
export function storeContract(name: string, open: () => SessionStore | Promise<SessionStore>) {
  describe(`${name}: SessionStore contract`, () => {
    let store: SessionStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close?.();
    });

    const put = (id: string, set: SessionData, userId?: string, ttl = 60) =>
      store.set(id, { set, unset: noUnset }, { ttl, userId });

    test('get of an absent session is undefined', async () => {
      assert.equal(await store.get(newId()), undefined);
    });

    test('set then get returns the data', async () => {
      const id = newId();
      await put(id, { user: 'ana', n: 1 });
      assert.deepEqual(await store.get(id), { user: 'ana', n: 1 });
    });

    test('patches set and unset keys, keeping the others', async () => {
      const id = newId();
      await put(id, { a: 1, b: 2, c: 3 });
      await store.set(id, { set: { b: 20, d: 4 }, unset: ['a', 'missing'] }, { ttl: 60 });
      assert.deepEqual(await store.get(id), { b: 20, c: 3, d: 4 });
    });

    test('a key both unset and set in one patch ends up set', async () => {
      const id = newId();
      await put(id, { a: 1 });
      await store.set(id, { set: { a: 2 }, unset: ['a'] }, { ttl: 60 });
      assert.deepEqual(await store.get(id), { a: 2 });
    });

    test('replace drops the keys not in set', async () => {
      const id = newId();
      await put(id, { a: 1, b: 2 });
      await store.set(id, { set: { c: 3 }, unset: noUnset, replace: true }, { ttl: 60 });
      assert.deepEqual(await store.get(id), { c: 3 });
    });

    test('a patch on an absent session creates it', async () => {
      const id = newId();
      await store.set(id, { set: { a: 1 }, unset: ['b'] }, { ttl: 60 });
      assert.deepEqual(await store.get(id), { a: 1 });
    });

    test('a session whose patch leaves no key is absent', async () => {
      const id = newId();
      await put(id, { a: 1 });
      await store.set(id, { set: {}, unset: ['a'] }, { ttl: 60 });
      assert.equal(await store.get(id), undefined);
      const other = newId();
      await put(other, { a: 1 });
      await store.set(other, { set: {}, unset: noUnset, replace: true }, { ttl: 60 });
      assert.equal(await store.get(other), undefined);
    });

    test('a key set to undefined is removed, as JSON would drop it', async () => {
      const id = newId();
      await put(id, { a: 1, b: 2 });
      await put(id, { a: undefined });
      assert.deepEqual(await store.get(id), { b: 2 });
    });

    test('JSON values round trip: nested objects, arrays, unicode, numbers', async () => {
      const id = newId();
      const data: SessionData = {
        nested: { list: [1, 'two', { three: [null, true, false] }], empty: {}, none: [] },
        unicode: 'ünïcødé — 日本語 🎉 \u2028 "quotes" \\ back\nslash',
        'ключ 🔑': 'a unicode key',
        '': 'the empty key',
        numbers: [0, -0.5, 1e300, -1e-300, Number.MAX_SAFE_INTEGER, -42],
        zero: 0,
        falsy: false,
        nil: null,
        emptyString: '',
      };
      // `__proto__` in a literal sets the prototype; make it an own key like JSON.parse would.
      Object.defineProperty(data, '__proto__', { value: 'a plain key', enumerable: true });
      await put(id, data);
      const got = await store.get(id);
      assert.ok(got);
      assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(data)));
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
      assert.equal(Object.getOwnPropertyDescriptor(got, '__proto__')?.value, 'a plain key');
      assert.equal(got.unicode, data.unicode);
      assert.deepEqual(got.numbers, data.numbers);
    });

    test('values JSON cannot hold make set reject, leaving the old data', async () => {
      const id = newId();
      await put(id, { a: 1 });
      await assert.rejects(put(id, { big: 10n }), TypeError);
      assert.deepEqual(await store.get(id), { a: 1 });
    });

    test('an invalid ttl rejects (does not throw synchronously)', async () => {
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        const id = newId();
        const pending = store.set(id, { set: { a: 1 }, unset: noUnset }, { ttl });
        await assert.rejects(pending, RangeError);
        await assert.rejects(store.touch(id, ttl), RangeError);
        assert.equal(await store.get(id), undefined);
      }
    });

    test('a session expires after its ttl, not before', async () => {
      const id = newId();
      const start = Date.now();
      await put(id, { a: 1 }, undefined, 1);
      assert.deepEqual(await store.get(id), { a: 1 });
      await waitFor(async () => (await store.get(id)) === undefined, 3000, 'expiry');
      assert.ok(Date.now() - start >= 950, `expired after ${Date.now() - start} ms, ttl is 1 s`);
    });

    test('touch extends the ttl; touching an absent session creates nothing', async () => {
      const id = newId();
      await put(id, { a: 1 }, undefined, 1);
      await sleep(400);
      await store.touch(id, 3);
      await sleep(900); // past the first ttl
      assert.deepEqual(await store.get(id), { a: 1 });
      const absent = newId();
      await store.touch(absent, 60);
      assert.equal(await store.get(absent), undefined);
    });

    test('set renews the ttl', async () => {
      const id = newId();
      await put(id, { a: 1 }, undefined, 1);
      await sleep(400);
      await put(id, { b: 2 }, undefined, 3);
      await sleep(900);
      assert.deepEqual(await store.get(id), { a: 1, b: 2 });
    });

    test('touch of an expired session does not revive it', async () => {
      const id = newId();
      await put(id, { a: 1 }, undefined, 0.2);
      await sleep(400);
      await store.touch(id, 60);
      assert.equal(await store.get(id), undefined);
    });

    test('destroy removes the session; destroying an absent one is fine', async () => {
      const id = newId();
      const other = newId();
      await put(id, { a: 1 });
      await put(other, { a: 2 });
      await store.destroy(id);
      assert.equal(await store.get(id), undefined);
      assert.deepEqual(await store.get(other), { a: 2 });
      await store.destroy(id);
      await store.destroy(newId());
    });

    test('destroyAll ends only that user’s sessions and counts them', async () => {
      const ana = `ana-${newId()}`;
      const bob = `bob-${newId()}`;
      const anas = [newId(), newId(), newId()];
      const bobs = newId();
      const anonymous = newId();
      for (const id of anas) await put(id, { who: 'ana' }, ana);
      await put(bobs, { who: 'bob' }, bob);
      await put(anonymous, { who: 'nobody' });
      await store.destroy(anas[2]!);
      assert.equal(await store.destroyAll(ana), 2);
      for (const id of anas) assert.equal(await store.get(id), undefined);
      assert.deepEqual(await store.get(bobs), { who: 'bob' });
      assert.deepEqual(await store.get(anonymous), { who: 'nobody' });
      assert.equal(await store.destroyAll(ana), 0);
      assert.equal(await store.destroyAll(`nobody-${newId()}`), 0);
      assert.equal(await store.destroyAll(bob), 1);
    });

    test('a later patch without userId keeps the user; with another one it moves', async () => {
      const ana = `ana-${newId()}`;
      const bob = `bob-${newId()}`;
      const kept = newId();
      const moved = newId();
      await put(kept, { a: 1 }, ana);
      await put(kept, { b: 2 });
      await store.set(kept, { set: { c: 3 }, unset: noUnset, replace: true }, { ttl: 60 });
      await put(moved, { a: 1 }, ana);
      await put(moved, { a: 2 }, bob);
      assert.equal(await store.destroyAll(ana), 1);
      assert.equal(await store.get(kept), undefined);
      assert.deepEqual(await store.get(moved), { a: 2 });
      assert.equal(await store.destroyAll(bob), 1);
      assert.equal(await store.get(moved), undefined);
    });

    test('destroyAll does not count expired sessions', async () => {
      const ana = `ana-${newId()}`;
      await put(newId(), { a: 1 }, ana, 0.2);
      await put(newId(), { a: 1 }, ana, 60);
      await sleep(400);
      assert.equal(await store.destroyAll(ana), 1);
    });

    test('stored data cannot be changed through the objects passed in or returned', async () => {
      const id = newId();
      const data = { nested: { list: [1, 2] }, n: 1 };
      await put(id, data);
      data.nested.list.push(3);
      data.n = 2;
      const got: SessionData | undefined = await store.get(id);
      assert.ok(got);
      assert.deepEqual({ ...got }, { nested: { list: [1, 2] }, n: 1 });
      (got.nested as { list: number[] }).list.push(4);
      got.n = 3;
      got.extra = true;
      assert.deepEqual(await store.get(id), { nested: { list: [1, 2] }, n: 1 });
    });

    test('many parallel patches of different keys on one session lose nothing', async () => {
      const id = newId();
      const n = 50;
      const keys = Array.from({ length: n }, (_, i) => `k${i}`);
      await Promise.all(keys.map((key, i) => put(id, { [key]: i })));
      const first = await store.get(id);
      assert.deepEqual(Object.keys(first ?? {}).sort(), [...keys].sort());
      // Now mixed: even patches unset their key, odd ones write a new key.
      await Promise.all(
        keys.map((key, i) =>
          i % 2 === 0
            ? store.set(id, { set: {}, unset: [key] }, { ttl: 60 })
            : store.set(id, { set: { [`n${i}`]: { i } }, unset: noUnset }, { ttl: 60 }),
        ),
      );
      const expected: SessionData = {};
      for (let i = 1; i < n; i += 2) {
        expected[`k${i}`] = i;
        expected[`n${i}`] = { i };
      }
      assert.deepEqual(await store.get(id), expected);
    });

    test('ids and user ids are opaque keys: `:`, `{`, `}` and unicode break nothing', async () => {
      const base = newId();
      const ids = ['', ':', '{', '}', '{}', '}{', 'a:b', '{a}', 'a}', ':user', 's:{x}', '{x}:user']
        .map((s) => `${base}${s}`)
        .concat([`{${base}}`, `${base}}:user`, `x}${base}`, `ü ñ 🎉 ${base}`]);
      const user = `{u}:${base}}`;
      await Promise.all(ids.map((id, i) => put(id, { i, id }, i % 2 ? user : undefined)));
      for (const [i, id] of ids.entries()) assert.deepEqual(await store.get(id), { i, id });
      await store.destroy(ids[3]!);
      assert.equal(await store.get(ids[3]!), undefined);
      for (const [i, id] of ids.entries()) {
        if (i !== 3) assert.deepEqual(await store.get(id), { i, id }, `id ${JSON.stringify(id)}`);
      }
      const userSessions = ids.filter((_, i) => i % 2 === 1);
      assert.equal(await store.destroyAll(user), userSessions.length - 1); // ids[3] is gone
      for (const [i, id] of ids.entries()) {
        const expected = i % 2 === 1 ? undefined : { i, id };
        assert.deepEqual(await store.get(id), expected, `id ${JSON.stringify(id)}`);
      }
    });
  });
}

/**
 * The behavioural suite every SessionStore must pass, written once and registered for each store
 * by memory.test.ts, sqlite.test.ts, redis.test.ts (single node and a one-node cluster) and
 * postgres.test.ts. A store of your own can run it too: `storeContract('MyStore', () => new
 * MyStore())` in a node:test file.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { META_KEY, type SessionData, type SessionStore } from '../../src/stores/store.js';

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

    /** Creates (or replaces) session `id`: a fresh session, as at login. */
    const create = (id: string, set: SessionData, userId?: string, ttl = 60) =>
      store.set(id, { set, unset: noUnset, replace: true }, { ttl, userId });
    /** Patches the live session `id` (no effect on a missing one). */
    const put = (id: string, set: SessionData, userId?: string, ttl = 60) =>
      store.set(id, { set, unset: noUnset }, { ttl, userId });
    const idsOf = async (userId: string) => (await store.list(userId)).map((s) => s.id).sort();

    test('get of an absent session is undefined', async () => {
      assert.equal(await store.get(newId()), undefined);
    });

    test('set then get returns the data', async () => {
      const id = newId();
      await create(id, { user: 'ana', n: 1 });
      assert.deepEqual(await store.get(id), { user: 'ana', n: 1 });
    });

    test('patches set and unset keys, keeping the others', async () => {
      const id = newId();
      await create(id, { a: 1, b: 2, c: 3 });
      await store.set(id, { set: { b: 20, d: 4 }, unset: ['a', 'missing'] }, { ttl: 60 });
      assert.deepEqual(await store.get(id), { b: 20, c: 3, d: 4 });
    });

    test('a key both unset and set in one patch ends up set', async () => {
      const id = newId();
      await create(id, { a: 1 });
      await store.set(id, { set: { a: 2 }, unset: ['a'] }, { ttl: 60 });
      assert.deepEqual(await store.get(id), { a: 2 });
    });

    test('replace drops the keys not in set', async () => {
      const id = newId();
      await create(id, { a: 1, b: 2 });
      await store.set(id, { set: { c: 3 }, unset: noUnset, replace: true }, { ttl: 60 });
      assert.deepEqual(await store.get(id), { c: 3 });
    });

    test('set resolves to true when it wrote, replace or patch', async () => {
      const id = newId();
      assert.equal(await create(id, { a: 1 }), true);
      assert.equal(await put(id, { b: 2 }), true);
      assert.deepEqual(await store.get(id), { a: 1, b: 2 });
    });

    test('a patch on an absent session writes nothing and resolves to false', async () => {
      const id = newId();
      const user = `u-${newId()}`;
      assert.equal(await store.set(id, { set: { a: 1 }, unset: ['b'] }, { ttl: 60 }), false);
      assert.equal(await put(id, { a: 1 }, user), false);
      assert.equal(await store.get(id), undefined);
      assert.deepEqual(await store.list(user), [], 'a failed patch indexes nothing');
      assert.equal(await store.destroyAll(user), 0);
      assert.equal(await create(id, { a: 1 }), true, 'replace creates');
      assert.deepEqual(await store.get(id), { a: 1 });
    });

    test('resurrection: a patch after destroy, destroyAll or expiry does not revive', async () => {
      const user = `u-${newId()}`;
      const destroyed = newId();
      const loggedOut = newId();
      const expired = newId();
      await create(destroyed, { a: 1 }, user);
      await create(loggedOut, { a: 1 }, user);
      await create(expired, { a: 1 }, user, 0.2);
      await store.destroy(destroyed);
      assert.equal(await store.destroyAll(user), 2);
      await sleep(400);
      for (const id of [destroyed, loggedOut, expired]) {
        // An in-flight request finishing: a patch of one key, with and without the user.
        assert.equal(await put(id, { lastPage: '/slow' }), false);
        assert.equal(await put(id, { lastPage: '/slow' }, user), false);
        assert.equal(await store.get(id), undefined);
      }
      assert.deepEqual(await store.list(user), []);
    });

    test('resurrection: patches racing a destroy leave the session destroyed', async () => {
      for (let round = 0; round < 5; round++) {
        const id = newId();
        const user = `u-${newId()}`;
        await create(id, { start: true }, user);
        const patches = Array.from({ length: 20 }, (_, i) => put(id, { [`k${i}`]: i }));
        const end = round % 2 ? store.destroy(id) : store.destroyAll(user);
        await Promise.all([...patches, end]);
        assert.equal(await store.get(id), undefined, `round ${round}`);
        assert.deepEqual(await store.list(user), []);
      }
    });

    test('a session whose patch leaves no key is absent', async () => {
      const id = newId();
      await create(id, { a: 1 });
      await store.set(id, { set: {}, unset: ['a'] }, { ttl: 60 });
      assert.equal(await store.get(id), undefined);
      const other = newId();
      await create(other, { a: 1 });
      await store.set(other, { set: {}, unset: noUnset, replace: true }, { ttl: 60 });
      assert.equal(await store.get(other), undefined);
    });

    test('a key set to undefined is removed, as JSON would drop it', async () => {
      const id = newId();
      await create(id, { a: 1, b: 2 });
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
      await create(id, data);
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
      await create(id, { a: 1 });
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
      await create(id, { a: 1 }, undefined, 1);
      assert.deepEqual(await store.get(id), { a: 1 });
      await waitFor(async () => (await store.get(id)) === undefined, 3000, 'expiry');
      assert.ok(Date.now() - start >= 950, `expired after ${Date.now() - start} ms, ttl is 1 s`);
    });

    test('touch extends the ttl; touching an absent session creates nothing', async () => {
      const id = newId();
      await create(id, { a: 1 }, undefined, 1);
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
      await create(id, { a: 1 }, undefined, 1);
      await sleep(400);
      await put(id, { b: 2 }, undefined, 3);
      await sleep(900);
      assert.deepEqual(await store.get(id), { a: 1, b: 2 });
    });

    test('touch of an expired session does not revive it', async () => {
      const id = newId();
      await create(id, { a: 1 }, undefined, 0.2);
      await sleep(400);
      await store.touch(id, 60);
      assert.equal(await store.get(id), undefined);
    });

    test('destroy removes the session; destroying an absent one is fine', async () => {
      const id = newId();
      const other = newId();
      await create(id, { a: 1 });
      await create(other, { a: 2 });
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
      for (const id of anas) await create(id, { who: 'ana' }, ana);
      await create(bobs, { who: 'bob' }, bob);
      await create(anonymous, { who: 'nobody' });
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
      await create(kept, { a: 1 }, ana);
      await put(kept, { b: 2 });
      await store.set(kept, { set: { c: 3 }, unset: noUnset, replace: true }, { ttl: 60 });
      await create(moved, { a: 1 }, ana);
      await put(moved, { a: 2 }, bob);
      assert.equal(await store.destroyAll(ana), 1);
      assert.equal(await store.get(kept), undefined);
      assert.deepEqual(await store.get(moved), { a: 2 });
      assert.equal(await store.destroyAll(bob), 1);
      assert.equal(await store.get(moved), undefined);
    });

    test('destroyAll does not count expired sessions', async () => {
      const ana = `ana-${newId()}`;
      await create(newId(), { a: 1 }, ana, 0.2);
      await create(newId(), { a: 1 }, ana, 60);
      await sleep(400);
      assert.equal(await store.destroyAll(ana), 1);
    });

    test('stored data cannot be changed through the objects passed in or returned', async () => {
      const id = newId();
      const data = { nested: { list: [1, 2] }, n: 1 };
      await create(id, data);
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
      await create(id, { start: true });
      await Promise.all(keys.map((key, i) => put(id, { [key]: i })));
      const first = await store.get(id);
      assert.deepEqual(Object.keys(first ?? {}).sort(), ['start', ...keys].sort());
      // Now mixed: even patches unset their key, odd ones write a new key.
      await Promise.all(
        keys.map((key, i) =>
          i % 2 === 0
            ? store.set(id, { set: {}, unset: [key] }, { ttl: 60 })
            : store.set(id, { set: { [`n${i}`]: { i } }, unset: noUnset }, { ttl: 60 }),
        ),
      );
      const expected: SessionData = { start: true };
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
      await Promise.all(ids.map((id, i) => create(id, { i, id }, i % 2 ? user : undefined)));
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
    test('any user id works for destroyAll and list: empty, `}`-first, braces, unicode', async () => {
      const base = newId();
      const users = ['', '}', `}${base}`, '{}', `{${base}`, `}{${base}`, '{', `ü 🎉 ${base}`, '42'];
      for (const user of users) {
        await store.destroyAll(user); // the empty and short ones are shared names: start clean
        const ids = [newId(), newId()];
        for (const id of ids) await create(id, { user }, user);
        assert.deepEqual(await idsOf(user), [...ids].sort(), `list(${JSON.stringify(user)})`);
        assert.equal(await store.destroyOwned(user, ids[0]!), true);
        assert.equal(await store.destroyAll(user), 1, `destroyAll(${JSON.stringify(user)})`);
        for (const id of ids) assert.equal(await store.get(id), undefined);
        assert.deepEqual(await store.list(user), []);
      }
    });

    test('list gives each live session of a user with its expiry and meta', async () => {
      const ana = `ana-${newId()}`;
      const bob = `bob-${newId()}`;
      const meta = {
        createdAt: 1_700_000_000,
        lastSeenAt: 1_700_000_060,
        userAgent: 'UA',
        ip: '::1',
      };
      const [a1, a2, b1, anonymous, expired] = [newId(), newId(), newId(), newId(), newId()];
      const before = Math.floor(Date.now() / 1000);
      await create(a1, { who: 'ana', [META_KEY]: meta }, ana, 60);
      await create(a2, { who: 'ana' }, ana, 120);
      await create(b1, { who: 'bob', [META_KEY]: meta }, bob);
      await create(anonymous, { who: 'nobody', [META_KEY]: meta });
      await create(expired, { who: 'ana', [META_KEY]: meta }, ana, 0.2);
      await sleep(400);
      const after = Math.ceil(Date.now() / 1000);
      const list = (await store.list(ana)).sort((x, y) => x.expiresAt - y.expiresAt);
      assert.deepEqual(
        list.map((s) => s.id),
        [a1, a2],
      );
      assert.deepEqual(list[0]!.meta, meta);
      assert.equal(list[1]!.meta, undefined);
      for (const [i, ttl] of [60, 120].entries()) {
        const { expiresAt } = list[i]!;
        assert.ok(Number.isFinite(expiresAt), 'expiresAt is a number of seconds');
        assert.ok(
          expiresAt >= before + ttl - 1 && expiresAt <= after + ttl + 1,
          `expiresAt ${expiresAt} for a ttl of ${ttl} s set at ${before}`,
        );
      }
      assert.deepEqual(await idsOf(bob), [b1]);
      assert.deepEqual(await store.list(`nobody-${newId()}`), []);
    });

    test('list follows patches: meta updates, a user moving, destroy, touch', async () => {
      const ana = `ana-${newId()}`;
      const bob = `bob-${newId()}`;
      const id = newId();
      const other = newId();
      await create(id, { [META_KEY]: { createdAt: 1, lastSeenAt: 1 } }, ana, 10);
      await create(other, { n: 1 }, ana);
      await put(id, { [META_KEY]: { createdAt: 1, lastSeenAt: 2 } }, undefined, 10);
      assert.deepEqual((await store.list(ana)).find((s) => s.id === id)?.meta, {
        createdAt: 1,
        lastSeenAt: 2,
      });
      const first = (await store.list(ana)).find((s) => s.id === id)!.expiresAt;
      await store.touch(id, 100);
      const touched = (await store.list(ana)).find((s) => s.id === id)!.expiresAt;
      assert.ok(touched >= first + 80, `touch moved expiresAt from ${first} to ${touched}`);
      await put(other, { n: 2 }, bob);
      assert.deepEqual(await idsOf(ana), [id]);
      assert.deepEqual(await idsOf(bob), [other]);
      await store.destroy(id);
      assert.deepEqual(await store.list(ana), []);
    });

    test('destroyOwned ends a session only for its own user', async () => {
      const ana = `ana-${newId()}`;
      const bob = `bob-${newId()}`;
      const id = newId();
      const anonymous = newId();
      await create(id, { who: 'ana' }, ana);
      await create(anonymous, { who: 'nobody' });
      assert.equal(await store.destroyOwned(bob, id), false);
      assert.deepEqual(await store.get(id), { who: 'ana' });
      assert.equal(await store.destroyOwned(ana, anonymous), false);
      assert.deepEqual(await store.get(anonymous), { who: 'nobody' });
      assert.equal(await store.destroyOwned(ana, newId()), false);
      assert.equal(await store.destroyOwned(ana, id), true);
      assert.equal(await store.get(id), undefined);
      assert.equal(await store.destroyOwned(ana, id), false, 'not twice');
      assert.deepEqual(await store.list(ana), []);
      assert.equal(await put(id, { who: 'ana again' }, ana), false, 'and not revived');
      const short = newId();
      await create(short, { a: 1 }, ana, 0.2);
      await sleep(400);
      assert.equal(
        await store.destroyOwned(ana, short),
        false,
        'an expired one counts for nothing',
      );
    });

    test('clear ends every session of the store; the store works after', async () => {
      const ana = `ana-${newId()}`;
      const ids = [newId(), newId(), newId()];
      await create(ids[0]!, { a: 1 }, ana);
      await create(ids[1]!, { a: 1 }, ana);
      await create(ids[2]!, { a: 1 });
      await store.clear();
      for (const id of ids) assert.equal(await store.get(id), undefined);
      assert.deepEqual(await store.list(ana), []);
      assert.equal(await store.destroyAll(ana), 0);
      assert.equal(await put(ids[0]!, { a: 2 }), false);
      const fresh = newId();
      await create(fresh, { b: 1 }, ana);
      assert.deepEqual(await store.get(fresh), { b: 1 });
      assert.deepEqual(await idsOf(ana), [fresh]);
    });
  });
}

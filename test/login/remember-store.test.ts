// Remember-me with a store (beyond every peer): a server-side record per token, indexed by the
// user, so logout and destroyAll end it; single-use; a token presented twice is theft. Sessions
// made by Login are indexed by their user with no configuration. Run on MemoryStore and Redis.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MemoryStore, type SessionStore } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';
import { redisTestPrefix } from '../helpers/redis-prefix.js';
import { cookieLine, loginApp, payloadOf } from './helpers.js';
import { ageRotation, currentGen } from './remember-helpers.js';

const redis = redisTestPrefix('microdot-login-test');

const STORES: { name: string; make: () => SessionStore }[] = [
  { name: 'memory', make: () => new MemoryStore() },
  // A prefix per test (per store): user 1 of one test is not user 1 of the next.
  { name: 'redis', make: () => redis.store() },
];

for (const { name, make } of STORES) {
  for (const mode of MODES) {
    describe(`remember-me with ${name} (${mode.name})`, () => {
      test('the token names a record; logoutUser ends it, so a copy is worthless', async () => {
        const store = make();
        const { app } = loginApp({ store });
        const browser = await mode.client(app);
        await browser.post('/login/1?remember=true');
        const copied = browser.cookies()._remember!;
        assert.equal(typeof payloadOf(copied).rid, 'string');
        assert.ok(await store.get(payloadOf(copied).rid as string));
        await browser.post('/logout');
        assert.equal(await store.get(payloadOf(copied).rid as string), undefined);
        const thief = await mode.client(app, { cookies: { _remember: copied } });
        assert.equal((await thief.get('/who')).text, 'nobody');
      });

      test('sessions and remember tokens made by Login are indexed by the user: destroyAll ends both', async () => {
        const store = make();
        const { app, session } = loginApp({ store });
        const laptop = await mode.client(app);
        await laptop.post('/login/2?remember=true');
        const phone = await mode.client(app);
        await phone.post('/login/2');
        assert.ok((await session.destroyAll('2')) >= 3);
        assert.equal((await laptop.get('/who')).text, 'nobody');
        assert.equal((await phone.get('/who')).text, 'nobody');
        const onlyRemember = await mode.client(app, {
          cookies: { _remember: laptop.cookies()._remember ?? 'gone' },
        });
        assert.equal((await onlyRemember.get('/who')).text, 'nobody');
      });

      test('destroyOthers ends the remember tokens too; remember records are not listed as sessions', async () => {
        const store = make();
        const { app, session } = loginApp({ store });
        app.post('/others', async (req) => String(await session.destroyOthers(req)));
        const laptop = await mode.client(app);
        await laptop.post('/login/1?remember=true');
        const copied = laptop.cookies()._remember!;
        const phone = await mode.client(app);
        await phone.post('/login/1');
        assert.equal((await session.listSessions(1)).length, 2); // the remember record is not a row
        assert.equal((await phone.post('/others')).statusCode, 200);
        assert.equal((await laptop.get('/who')).text, 'nobody');
        const thief = await mode.client(app, { cookies: { _remember: copied } });
        assert.equal((await thief.get('/who')).text, 'nobody');
        assert.equal((await phone.get('/who')).text, 'ana');
      });

      test('single-use: a restore issues a new token and a new session', async () => {
        const store = make();
        const { app } = loginApp({ store });
        const first = await mode.client(app);
        await first.post('/login/1?remember=true');
        const token = first.cookies()._remember!;
        const browser = await mode.client(app, { cookies: { _remember: token } });
        assert.equal((await browser.get('/who')).text, 'ana');
        const renewed = browser.cookies()._remember!;
        assert.notEqual(renewed, token);
        // The same record, renewed in place to its next generation.
        assert.equal(payloadOf(renewed).rid, payloadOf(token).rid);
        assert.deepEqual([payloadOf(token).gen, payloadOf(renewed).gen], [0, 1]);
        // The new token restores in turn.
        const later = await mode.client(app, { cookies: { _remember: renewed } });
        assert.equal((await later.get('/who')).text, 'ana');
      });

      test('a rotated token presented again is theft: every session and token of the user ends', async () => {
        const store = make();
        const reused: unknown[] = [];
        const { app } = loginApp(
          { store },
          { onRememberReuse: (_req, id) => void reused.push(id) },
        );
        const victim = await mode.client(app);
        await victim.post('/login/1?remember=true');
        const stolen = victim.cookies()._remember!;
        const otherDevice = await mode.client(app);
        await otherDevice.post('/login/1');
        // The thief restores first; the victim's browser later presents the same token.
        const thief = await mode.client(app, { cookies: { _remember: stolen } });
        assert.equal((await thief.get('/who')).text, 'ana');
        await ageRotation(store, stolen, 60);
        const victimLater = await mode.client(app, { cookies: { _remember: stolen } });
        assert.equal((await victimLater.get('/who')).text, 'nobody');
        assert.deepEqual(reused, [1]);
        assert.equal((await thief.get('/who')).text, 'nobody');
        assert.equal((await otherDevice.get('/who')).text, 'nobody');
        const thiefToken = await mode.client(app, {
          cookies: { _remember: thief.cookies()._remember ?? 'x' },
        });
        assert.equal((await thiefToken.get('/who')).text, 'nobody');
      });

      test('within a few seconds of its rotation (parallel requests of one browser) it restores, to the same generation', async () => {
        const store = make();
        const reused: unknown[] = [];
        const { app } = loginApp({ store }, { onRememberReuse: () => void reused.push(1) });
        const first = await mode.client(app);
        await first.post('/login/1?remember=true');
        const token = first.cookies()._remember!;
        const tabA = await mode.client(app, { cookies: { _remember: token } });
        const tabB = await mode.client(app, { cookies: { _remember: token } });
        assert.equal((await tabA.get('/who')).text, 'ana');
        assert.equal((await tabB.get('/who')).text, 'ana');
        const name = (token: string) => `${payloadOf(token).rid}#${payloadOf(token).gen}`;
        assert.equal(name(tabA.cookies()._remember!), name(tabB.cookies()._remember!));
        assert.deepEqual(reused, []);
      });

      test('parallel restores with one remember cookie make one next generation, not one token each', async () => {
        const store = make();
        const reused: unknown[] = [];
        const { app } = loginApp({ store }, { onRememberReuse: () => void reused.push(1) });
        const first = await mode.client(app);
        await first.post('/login/1?remember=true');
        const token = first.cookies()._remember!;
        // A browser opening several tabs at once after its session ended: the requests race
        // between reading the record and marking it rotated.
        const tabs = await Promise.all(
          Array.from({ length: 8 }, () => mode.client(app, { cookies: { _remember: token } })),
        );
        const answers = await Promise.all(tabs.map((tab) => tab.get('/who')));
        assert.deepEqual(
          answers.map((res) => res.text),
          tabs.map(() => 'ana'),
        );
        const names = new Set(
          tabs.map((tab) => {
            const { rid, gen } = payloadOf(tab.cookies()._remember!);
            return `${rid}#${gen}`;
          }),
        );
        assert.deepEqual([...names], [`${payloadOf(token).rid}#1`]);
        assert.equal(currentGen((await store.get(payloadOf(token).rid as string))!), 1);
        // The one next generation restores in turn; no theft was seen.
        const later = await mode.client(app, {
          cookies: { _remember: tabs[0]!.cookies()._remember! },
        });
        assert.equal((await later.get('/who')).text, 'ana');
        assert.deepEqual(reused, []);
      });

      test('the same user logging in again without remember (a fresh login) keeps the remember token', async () => {
        const store = make();
        const { app } = loginApp({ store });
        const browser = await mode.client(app);
        await browser.post('/login/1?remember=true');
        const token = browser.cookies()._remember!;
        const res = await browser.post('/login/1');
        assert.equal(cookieLine(res, '_remember'), undefined);
        assert.equal(browser.cookies()._remember, token);
        const later = await mode.client(app, { cookies: { _remember: token } });
        assert.equal((await later.get('/who')).text, 'ana');
      });

      test('logging in again revokes the remember token of the earlier login', async () => {
        const store = make();
        const { app } = loginApp({ store });
        const browser = await mode.client(app);
        await browser.post('/login/1?remember=true');
        const old = browser.cookies()._remember!;
        await browser.post('/login/2');
        assert.equal(browser.cookies()._remember, undefined);
        const copy = await mode.client(app, { cookies: { _remember: old } });
        assert.equal((await copy.get('/who')).text, 'nobody');
      });
    });
  }
}

describe('remember-me generations: hostile values', () => {
  test('a token of any generation but the record’s restores nothing, and is not taken for theft', async () => {
    const store = new MemoryStore();
    const reused: unknown[] = [];
    const { app, session } = loginApp({ store }, { onRememberReuse: () => void reused.push(1) });
    const first = await MODES[0]!.client(app);
    await first.post('/login/1?remember=true');
    const { rid, exp, hid } = payloadOf(first.cookies()._remember!);
    const record = JSON.stringify(await store.get(rid as string));
    const tokenOf = (gen: unknown) =>
      session.issueToken({ user_id: 1, days: 30, exp, rid, gen, hid });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.integer(),
          fc.double(),
          fc.constantFrom(-1, 1, 0.5, '0', null, Number.MAX_SAFE_INTEGER + 1),
        ),
        async (gen) => {
          fc.pre(gen !== 0 && gen !== undefined);
          const client = await MODES[0]!.client(app, { cookies: { _remember: tokenOf(gen) } });
          assert.equal((await client.get('/who')).text, 'nobody');
        },
      ),
      { numRuns: 60 },
    );
    assert.deepEqual(reused, []);
    assert.equal(JSON.stringify(await store.get(rid as string)), record);
    // The same token of the record's generation restores: the refusals above were the generation's.
    const client = await MODES[0]!.client(app, { cookies: { _remember: tokenOf(0) } });
    assert.equal((await client.get('/who')).text, 'ana');
  });

  test('a record with a hostile generation restores nothing', async () => {
    const store = new MemoryStore();
    const { app } = loginApp({ store });
    const first = await MODES[0]!.client(app);
    await first.post('/login/1?remember=true');
    const token = first.cookies()._remember!;
    const rid = payloadOf(token).rid as string;
    const head = { user: 1, days: 30 };
    const g = { exp: Math.floor(Date.now() / 1000) + 600, at: Math.floor(Date.now() / 1000) };
    const hostile: Record<string, unknown>[] = [
      { _remember: head },
      { _remember: head, g0: null },
      { _remember: head, g0: [] },
      { _remember: head, g0: {} },
      { _remember: head, g0: 1 },
      { _remember: head, g0: { ...g, exp: '1' } },
      { _remember: head, g0: { ...g, at: null } },
      { _remember: head, g0: g, g01: g },
      { _remember: head, g0: g, g9007199254740993: g },
      { _remember: head, 'g-1': g },
      { _remember: { user: 1 }, g0: g },
      { _remember: { ...head, user: 2 }, g0: g },
      { _remember: null, g0: g },
      { g0: g },
    ];
    const write = (data: Record<string, unknown>) =>
      store.set(rid, { set: data, unset: [], replace: true }, { ttl: 600, userId: '1' });
    for (const data of hostile) {
      await write(data);
      const client = await MODES[0]!.client(app, { cookies: { _remember: token } });
      assert.equal((await client.get('/who')).text, 'nobody', JSON.stringify(data));
    }
    // The same record, sound, restores: the refusals above were the record's.
    await write({ _remember: head, g0: g });
    const client = await MODES[0]!.client(app, { cookies: { _remember: token } });
    assert.equal((await client.get('/who')).text, 'ana');
  });
});

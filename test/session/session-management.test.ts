// Session management to ASVS 5.0 V7 (issue 11, part 2), through the public API of Session, on
// every store (memory, SQLite, Redis, a one-node Redis Cluster), in-process and over HTTP:
// listing sessions, ending one, the others, all; the per-user limit; lastSeenAt; cookie mode.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import {
  META_KEY,
  MemoryStore,
  Session,
  SessionError,
  type SessionOptions,
  type SessionStore,
} from '../../src/session/index.js';
import type { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { payloadOf, sessionApp } from '../helpers/session-app.js';
import { testStores } from '../helpers/store-factories.js';

const KEY = 'session-management-secret-key-0123456789ab';
const stores = testStores('manage');
const FACTORIES: [string, () => SessionStore | Promise<SessionStore>][] = [
  ...stores.factories,
  ['redis-cluster', stores.redisCluster],
];

const now = () => Math.floor(Date.now() / 1000);

/** sessionApp's routes (/login/<name>, /me, …) and the session management ones, on `store`. */
function makeApp(store: SessionStore, options: SessionOptions = {}) {
  const { app, session } = sessionApp(KEY, { store, ...options });
  app.get('/sessions', async (req) => {
    const s = await session.get<{ userId?: string }>(req);
    if (s.userId === undefined) return 'nobody';
    const here = await session.currentHandle(req);
    const list = await session.listSessions(s.userId);
    return { here, list };
  });
  app.post('/sessions/<handle>/end', async (req, { handle }) => {
    const s = await session.get<{ userId?: string }>(req);
    if (s.userId === undefined) return 'nobody';
    return String(await session.destroySession(s.userId, handle));
  });
  app.post('/password', async (req) => String(await session.destroyOthers(req)));
  return { app, session };
}

interface Listing {
  here: string;
  list: {
    handle: string;
    createdAt: number;
    lastSeenAt: number;
    expiresAt: number;
    userAgent?: string;
    ip?: string;
  }[];
}

async function listing(client: TestClient): Promise<Listing> {
  return (await client.get('/sessions')).json as Listing;
}

for (const [storeName, factory] of FACTORIES) {
  for (const mode of MODES) {
    describe(`session management: ${storeName} [${mode.name}]`, () => {
      let store: SessionStore;
      before(async () => {
        store = await factory();
      });
      const user = () => `u${randomBytes(5).toString('hex')}`;

      /** Logs `name` in on a new client with `userAgent`. */
      async function device(app: Microdot, name: string, userAgent: string): Promise<TestClient> {
        const client = await mode.client(app);
        const res = await client.post(`/login/${name}`, { headers: { 'User-Agent': userAgent } });
        assert.equal(res.statusCode, 200);
        return client;
      }

      test('7.5.2: listSessions gives each session with its times, browser and address', async () => {
        const { app } = makeApp(store);
        const name = user();
        const start = now();
        const laptop = await device(app, name, 'Laptop/1.0');
        await device(app, name, 'Phone/2.0');
        await device(app, user(), 'Someone else');
        const { here, list } = await listing(laptop);
        assert.equal(list.length, 2);
        assert.deepEqual(list.map((s) => s.userAgent).sort(), ['Laptop/1.0', 'Phone/2.0']);
        for (const s of list) {
          assert.match(s.handle, /^[A-Za-z0-9_-]{22}$/);
          assert.ok(s.createdAt >= start - 1 && s.createdAt <= now() + 1);
          assert.equal(s.lastSeenAt, s.createdAt);
          assert.ok(s.expiresAt > now() + 13 * 86400, 'the default 14-day lifetime');
          assert.equal(s.ip, '127.0.0.1');
        }
        assert.equal(list.find((s) => s.handle === here)?.userAgent, 'Laptop/1.0');
      });

      test('7.5.2: a handle is not the session id, and ends only its own user’s session', async () => {
        const { app } = makeApp(store);
        const ana = await device(app, user(), 'Ana');
        const bob = await device(app, user(), 'Bob');
        const anaHandle = (await listing(ana)).here;
        const cookie = ana.cookies().session!;
        assert.ok(!cookie.includes(anaHandle) && !anaHandle.includes(cookie));
        assert.equal((await bob.post(`/sessions/${anaHandle}/end`)).text, 'false');
        assert.notEqual((await ana.get('/me')).text, 'nobody');
      });

      test('7.5.2: destroySession ends one session at once', async () => {
        const { app } = makeApp(store);
        const name = user();
        const laptop = await device(app, name, 'Laptop');
        const phone = await device(app, name, 'Phone');
        const phoneHandle = (await listing(phone)).here;
        assert.equal((await laptop.post(`/sessions/${phoneHandle}/end`)).text, 'true');
        assert.equal((await phone.get('/me')).text, 'nobody');
        assert.equal((await laptop.get('/me')).text, name);
        assert.equal((await laptop.post(`/sessions/${phoneHandle}/end`)).text, 'false');
        assert.equal((await listing(laptop)).list.length, 1);
      });

      test('7.4.3: destroyOthers ends every other session of the user, not this one', async () => {
        const { app } = makeApp(store);
        const name = user();
        const here = await device(app, name, 'Here');
        const others = [await device(app, name, 'A'), await device(app, name, 'B')];
        const stranger = await device(app, user(), 'Stranger');
        assert.equal((await here.post('/password')).text, '2');
        assert.equal((await here.get('/me')).text, name);
        for (const other of others) assert.equal((await other.get('/me')).text, 'nobody');
        assert.notEqual((await stranger.get('/me')).text, 'nobody');
        assert.equal((await (await mode.client(app)).post('/password')).text, '0', 'no user: none');
      });

      test('7.1.2: maxSessionsPerUser ends the least recently seen session at login', async () => {
        const { app } = makeApp(store, { maxSessionsPerUser: 2 });
        const name = user();
        const first = await device(app, name, 'First');
        const second = await device(app, name, 'Second');
        // `first` was seen longer ago than `second`: make it so in the store, a minute apart.
        const sid = (client: TestClient) => payloadOf(client.cookies().session!).sid as string;
        const stale = now() - 600;
        await store.set(
          sid(first),
          { set: { [META_KEY]: { createdAt: stale, lastSeenAt: stale } }, unset: [] },
          { ttl: 3600 },
        );
        const third = await device(app, name, 'Third');
        assert.equal((await first.get('/me')).text, 'nobody', 'the least recently seen one ended');
        assert.equal((await second.get('/me')).text, name);
        assert.equal((await third.get('/me')).text, name);
        assert.deepEqual((await listing(third)).list.map((s) => s.userAgent).sort(), [
          'Second',
          'Third',
        ]);
      });

      test('lastSeenAt is written at most once a minute, so reads stay reads', async () => {
        const { app, session } = makeApp(store);
        const name = user();
        const client = await device(app, name, 'UA');
        const sid = payloadOf(client.cookies().session!).sid as string;
        const meta = async () =>
          (await store.get(sid))?.[META_KEY] as { lastSeenAt: number; createdAt: number };
        const setSeen = (seen: number) =>
          store.set(
            sid,
            { set: { [META_KEY]: { ...base, lastSeenAt: seen } }, unset: [] },
            { ttl: 3600 },
          );
        const base = await meta();
        await setSeen(now() - 30);
        await client.get('/me');
        assert.equal((await meta()).lastSeenAt, now() - 30, 'seen 30 s ago: not written again');
        await setSeen(now() - 61);
        await client.get('/me');
        const seen = (await meta()).lastSeenAt;
        assert.ok(seen >= now() - 2, `a minute later it is written: ${seen}`);
        assert.equal((await meta()).createdAt, base.createdAt);
        assert.equal((await session.listSessions(name))[0]?.lastSeenAt, seen);
      });

      test('userAgent is capped at 256 characters; ip honours X-Forwarded-For only with trustProxy', async () => {
        for (const trustProxy of [false, true]) {
          const { app, session } = makeApp(store, { trustProxy });
          const name = user();
          const client = await mode.client(app);
          await client.post(`/login/${name}`, {
            headers: {
              'User-Agent': 'x'.repeat(1000),
              'X-Forwarded-For': '203.0.113.9, 198.51.100.7',
            },
          });
          const [info] = await session.listSessions(name);
          assert.equal(info?.userAgent, 'x'.repeat(256));
          assert.equal(info?.ip, trustProxy ? '198.51.100.7' : '127.0.0.1');
        }
      });

      test('7.4.5: clear() ends every session in the store', async () => {
        const { app, session } = makeApp(store);
        const clients = [await device(app, user(), 'A'), await device(app, user(), 'B')];
        await session.clear();
        for (const client of clients) assert.equal((await client.get('/me')).text, 'nobody');
      });
    });
  }
}

describe('cookie mode cannot list or end sessions one by one', () => {
  test('each store-only method throws SessionError ERR_SESSION_NO_STORE', async () => {
    const app = new Microdot();
    const session = new Session(app, { secretKey: KEY });
    let req: Parameters<typeof session.get>[0] | undefined;
    app.get('/', (r) => {
      req = r;
      return 'ok';
    });
    await (await MODES[0]!.client(app)).get('/');
    const calls: [string, () => Promise<unknown>][] = [
      ['listSessions', () => session.listSessions('ana')],
      ['currentHandle', () => session.currentHandle(req!)],
      ['destroySession', () => session.destroySession('ana', 'h')],
      ['destroyOthers', () => session.destroyOthers(req!)],
      ['destroyAll', () => session.destroyAll('ana')],
      ['clear', () => session.clear()],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof SessionError, name);
        assert.equal(error.code, 'ERR_SESSION_NO_STORE');
        assert.match(error.message, new RegExp(`^${name} needs a server-side store`));
        assert.match(error.message, /remove their key from the ring/);
        return true;
      });
    }
    assert.equal(session.store, undefined);
  });

  test('maxSessionsPerUser without a store, or not a whole number, fails when built', () => {
    for (const options of [
      { maxSessionsPerUser: 2 },
      { maxSessionsPerUser: 0, store: new MemoryStore() },
      { maxSessionsPerUser: 1.5, store: new MemoryStore() },
    ]) {
      assert.throws(() => new Session(null, { secretKey: KEY, ...options }), /maxSessionsPerUser/);
    }
  });
});

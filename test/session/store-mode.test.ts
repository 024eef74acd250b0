// Server-side sessions (issue 5): the same Session API over MemoryStore, SqliteStore, a real
// Redis at 127.0.0.1:6379 and a real PostgreSQL at 127.0.0.1:5432 (tables of its own, dropped
// after); the cookie carries only a signed session id.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  META_KEY,
  MemoryStore,
  type SessionData,
  type SessionStore,
  withSession,
} from '../../src/session/index.js';
import { RedisStore } from '../../src/stores/redis.js';
import type { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { freePort } from '../helpers/net.js';
import { payloadOf, sessionApp, sessionCookie } from '../helpers/session-app.js';
import { testStores } from '../helpers/store-factories.js';

const KEY = 'store-mode-secret-key-0123456789abcdefghij';
const stores = testStores('store-mode', ['memory', 'sqlite', 'redis', 'node-redis', 'postgres']);
const FACTORIES = stores.factories;

/** A stored record's data without the session layer's meta key. */
function withoutMeta(data: SessionData | undefined): SessionData | undefined {
  if (data === undefined) return undefined;
  const { [META_KEY]: _meta, ...rest } = data;
  return rest;
}

/** sessionApp's routes (/read, /login/<name>, /me, …) and more, on `store`. */
function makeApp(store: SessionStore) {
  const { app, session } = sessionApp(KEY, { store });
  app.post(
    '/set/<key>/<value>',
    withSession<Record<string, unknown>, { key: string; value: string }>(
      async (_req, s, { key, value }) => {
        s[key] = value;
        s.save();
        return 'ok';
      },
    ),
  );
  app.post(
    '/logout',
    withSession((_req, s) => {
      s.delete();
      return 'bye';
    }),
  );
  app.post(
    '/flash',
    withSession((_req, s) => {
      s.flash('notice', 'hi');
      return 'ok';
    }),
  );
  app.get(
    '/flash',
    withSession((_req, s) => String(s.consumeFlash('notice'))),
  );
  app.get('/plain', () => 'no session here');
  return { app, session };
}

for (const [storeName, factory] of FACTORIES) {
  for (const mode of MODES) {
    describe(`store mode: ${storeName} [${mode.name}]`, () => {
      const store = factory();

      test('the cookie carries only a signed session id; the data live in the store', async () => {
        const { app } = makeApp(store);
        const client = await mode.client(app);
        const res = await client.post('/login/alice');
        const token = sessionCookie(res)!;
        const payload = payloadOf(token);
        assert.deepEqual(Object.keys(payload).sort(), ['auth_time', 'exp', 'iat', 'sid']);
        assert.ok((payload.sid as string).length >= 22, 'at least 128 bits of id');
        assert.deepEqual(withoutMeta(await store.get(payload.sid as string)), { userId: 'alice' });
        assert.equal((await client.get('/me')).text, 'alice');
      });

      test('logout destroys the record: a copied cookie is dead at once', async () => {
        const { app } = makeApp(store);
        const client = await mode.client(app);
        const token = sessionCookie(await client.post('/login/bob'))!;
        const copy = await mode.client(app, { cookies: { session: token } });
        assert.equal((await copy.get('/me')).text, 'bob');
        await client.post('/logout');
        assert.equal((await copy.get('/me')).text, 'nobody');
        assert.equal(await store.get(payloadOf(token).sid as string), undefined);
      });

      test('regenerate() issues a new id and destroys the old one (session fixation)', async () => {
        const { app } = makeApp(store);
        const client = await mode.client(app);
        const first = sessionCookie(await client.post('/set/theme/dark'))!;
        const second = sessionCookie(await client.post('/login/carol'))!;
        const oldSid = payloadOf(first).sid as string;
        const newSid = payloadOf(second).sid as string;
        assert.notEqual(oldSid, newSid);
        assert.equal(await store.get(oldSid), undefined);
        assert.deepEqual(withoutMeta(await store.get(newSid)), { theme: 'dark', userId: 'carol' });
      });

      test('parallel requests changing different keys of one session lose nothing', async () => {
        const { app } = makeApp(store);
        const client = await mode.client(app);
        await client.post('/set/start/1');
        const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
        await Promise.all(keys.map((k) => client.post(`/set/${k}/${k}`)));
        const data = JSON.parse((await client.get('/read')).text) as Record<string, string>;
        for (const k of keys) assert.equal(data[k], k, `key ${k} kept`);
        assert.equal(data.start, '1');
      });

      test('flash messages are consumed once; untouched sessions are not re-written', async () => {
        const { app } = makeApp(store);
        const client: TestClient = await mode.client(app);
        await client.post('/flash');
        assert.equal((await client.get('/flash')).text, 'hi');
        assert.equal((await client.get('/flash')).text, 'undefined');
        const res = await client.get('/me');
        assert.equal(sessionCookie(res), undefined);
      });

      test('destroyAll ends every session of one user and no other', async () => {
        const { app, session } = makeApp(store);
        const user = `dave-${randomBytes(4).toString('hex')}`;
        const a = await mode.client(app);
        const b = await mode.client(app);
        const other = await mode.client(app);
        await a.post(`/login/${user}`);
        await b.post(`/login/${user}`);
        await other.post('/login/erin');
        assert.equal(await session.destroyAll(user), 2);
        assert.equal((await a.get('/me')).text, 'nobody');
        assert.equal((await b.get('/me')).text, 'nobody');
        assert.equal((await other.get('/me')).text, 'erin');
      });
    });
  }
}

describe('store mode: failures', () => {
  test('with Redis down, session routes answer 503 and the others keep serving', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, timeout: 500 });
    stores.track(store);
    const { app } = makeApp(store);
    const client = await MODES[1]!.client(app);
    const started = Date.now();
    const res = await client.post('/set/a/b');
    assert.equal(res.statusCode, 503);
    assert.equal(res.text, 'Session store unavailable');
    assert.ok(Date.now() - started < 3000, 'fails fast');
    // No cookie: nothing to read from the store, so the session route still answers.
    assert.equal((await client.get('/me')).text, 'nobody');
    // A cookie naming a session needs the store to read it: 503, not an empty session.
    const healthy = await MODES[0]!.client(makeApp(new MemoryStore()).app);
    const token = sessionCookie(await healthy.post('/login/frank'))!;
    const withCookie = await MODES[1]!.client(app, { cookies: { session: token } });
    assert.equal((await withCookie.get('/me')).statusCode, 503);
    assert.equal((await client.get('/plain')).text, 'no session here');
  });
});

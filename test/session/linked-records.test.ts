// Session.linkRecord: a store record an extension keeps beside a session ends when the session is
// ended (delete(), destroySession, destroyOthers from another session, a maxSessionsPerUser
// eviction), survives its regeneration, and is ended by the calling session's destroyOthers too. On
// every store, in-process and over HTTP; hostile stored links never break the ending.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Request } from '../../src/request.js';
import {
  MemoryStore,
  SessionError,
  type SessionOptions,
  type SessionStore,
} from '../../src/session/index.js';
import { linksOf } from '../../src/session/links.js';
import { MODES } from '../helpers/clients.js';
import { payloadOf, sessionApp } from '../helpers/session-app.js';
import { testStores } from '../helpers/store-factories.js';

const KEY = 'linked-records-secret-key-0123456789abcdefg';
const FACTORIES = testStores('linked').factories;

/** sessionApp with routes that link a record of their own, and manage the user's sessions. */
function makeApp(store: SessionStore, options: SessionOptions = {}) {
  const { app, session } = sessionApp(KEY, { store, ...options });
  const userOf = async (req: Request) => (await session.get<{ userId?: string }>(req)).userId;
  app.post('/link', async (req) => {
    const userId = String(await userOf(req));
    const rid = `rec-${randomBytes(12).toString('base64url')}`;
    await store.set(rid, { set: { device: 1 }, unset: [], replace: true }, { ttl: 600, userId });
    await session.linkRecord(req, 'device', rid);
    return rid;
  });
  app.post('/unlink', async (req) => {
    await session.linkRecord(req, 'device', undefined);
    return 'ok';
  });
  app.post('/regenerate', async (req) => {
    const s = await session.get(req);
    s.regenerate();
    s.save();
    return 'ok';
  });
  app.post('/delete', async (req) => {
    (await session.get(req)).delete();
    return 'ok';
  });
  app.post('/sessions/<handle>/end', async (req, { handle }) =>
    String(await session.destroySession(String(await userOf(req)), handle)),
  );
  app.get('/here', async (req) => (await session.currentHandle(req)) ?? 'none');
  app.post('/others', async (req) => String(await session.destroyOthers(req)));
  return { app, session };
}

for (const [storeName, factory] of FACTORIES) {
  for (const mode of MODES) {
    describe(`linked records: ${storeName} [${mode.name}]`, () => {
      let store: SessionStore;
      before(() => {
        store = factory();
      });
      const user = () => `u${randomBytes(5).toString('hex')}`;
      async function device(app: Parameters<typeof mode.client>[0], name: string) {
        const client = await mode.client(app);
        assert.equal((await client.post(`/login/${name}`)).text, 'ok');
        return client;
      }

      test('destroySession ends the record the session links, also after a regeneration', async () => {
        const { app } = makeApp(store);
        const name = user();
        const laptop = await device(app, name);
        const rid = (await laptop.post('/link')).text;
        await laptop.post('/regenerate');
        const phone = await device(app, name);
        const handle = (await laptop.get('/here')).text;
        assert.equal((await phone.post(`/sessions/${handle}/end`)).text, 'true');
        assert.equal(await store.get(rid), undefined);
        assert.equal((await laptop.get('/me')).text, 'nobody');
      });

      test('destroyOthers ends the others’ linked records and this session’s too', async () => {
        const { app } = makeApp(store);
        const name = user();
        const laptop = await device(app, name);
        const laptopRid = (await laptop.post('/link')).text;
        const phone = await device(app, name);
        const phoneRid = (await phone.post('/link')).text;
        assert.equal((await phone.post('/others')).text, '1');
        assert.equal(await store.get(laptopRid), undefined);
        // A copy of this device's linked record (a stolen remember cookie) must not survive.
        assert.equal(await store.get(phoneRid), undefined);
        assert.equal((await phone.get('/me')).text, name);
      });

      test('delete() ends the linked record; an unlinked one is left alone', async () => {
        const { app } = makeApp(store);
        const name = user();
        const a = await device(app, name);
        const linked = (await a.post('/link')).text;
        await a.post('/delete');
        assert.equal(await store.get(linked), undefined);
        const b = await device(app, name);
        const unlinked = (await b.post('/link')).text;
        await b.post('/unlink');
        await b.post('/delete');
        assert.ok(await store.get(unlinked));
      });

      test('a maxSessionsPerUser eviction ends the evicted session’s linked record', async () => {
        const { app } = makeApp(store, { maxSessionsPerUser: 1 });
        const name = user();
        const old = await device(app, name);
        const rid = (await old.post('/link')).text;
        await device(app, name);
        assert.equal(await store.get(rid), undefined);
        assert.equal((await old.get('/me')).text, 'nobody');
      });

      test('hostile links in a stored record: the session still ends, nothing else does', async () => {
        const { app } = makeApp(store);
        const name = user();
        const victim = await device(app, name);
        const bystander = await device(app, user());
        const sid = payloadOf(victim.cookies().session!).sid as string;
        const keep = (await bystander.post('/link')).text;
        for (const hostile of [null, 'x', [keep], { a: 42, b: { c: keep } }, { '': '' }]) {
          await store.set(sid, { set: { _links: hostile }, unset: [] }, { ttl: 600 });
          assert.equal((await victim.get('/me')).text, name);
        }
        const handle = (await victim.get('/here')).text;
        assert.equal((await bystander.post(`/sessions/${handle}/end`)).text, 'false');
        await victim.post('/delete');
        assert.equal((await victim.get('/me')).text, 'nobody');
        assert.ok(await store.get(keep));
      });
    });
  }
}

describe('linkRecord: arguments, the reserved key, cookie mode', () => {
  test('linksOf keeps only non-empty string ids, whatever the stored value', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        const links = linksOf({ _links: value });
        assert.equal(Object.getPrototypeOf(links), Object.prototype);
        for (const [name, id] of Object.entries(links)) {
          assert.notEqual(name, '__proto__');
          assert.equal(typeof id, 'string');
          assert.notEqual(id, '');
        }
      }),
    );
    assert.deepEqual(linksOf({ _links: JSON.parse('{"__proto__":"x","a":"r"}') }), { a: 'r' });
  });

  test('an empty name or id is a TypeError; _links is not a data key; cookie mode refuses', async () => {
    const { app, session } = makeApp(new MemoryStore());
    app.post('/bad', async (req) => {
      for (const [name, id] of [
        ['', 'r'],
        ['__proto__', 'r'],
        ['x', ''],
        [42, 'r'],
        ['x', 42],
      ] as const)
        await assert.rejects(
          session.linkRecord(req, name as string, id as unknown as string),
          TypeError,
        );
      const s = await session.get<{ _links?: unknown }>(req);
      s._links = { x: 'r' };
      assert.throws(() => s.save(), SessionError);
      return 'ok';
    });
    const client = await MODES[0]!.client(app);
    assert.equal((await client.post('/bad')).text, 'ok');
    const cookie = sessionApp(KEY);
    cookie.app.post('/link', async (req) => {
      await assert.rejects(cookie.session.linkRecord(req, 'x', 'r'), {
        code: 'ERR_SESSION_NO_STORE',
      });
      return 'ok';
    });
    assert.equal((await (await MODES[0]!.client(cookie.app)).post('/link')).text, 'ok');
  });
});

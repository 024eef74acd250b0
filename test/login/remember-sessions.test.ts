// Ending one session ends that device's remember-me record too (ASVS 5.0 V7.5.2): "log out this
// one" (destroySession), a maxSessionsPerUser eviction, and the session's own delete(); "log out
// everywhere else" (destroyOthers) ends every other device's record and keeps this device's.
// Run on MemoryStore and Redis, in-process and over HTTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore, type SessionOptions, type SessionStore } from '../../src/session/index.js';
import type { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { redisTestPrefix } from '../helpers/redis-prefix.js';
import { loginApp, payloadOf } from './helpers.js';

const redis = redisTestPrefix('microdot-login-sessions-test');

const STORES: { name: string; make: () => SessionStore }[] = [
  { name: 'memory', make: () => new MemoryStore() },
  { name: 'redis', make: () => redis.store() },
];

/** loginApp with routes to list, end one, end the others, and delete the session. */
function app(store: SessionStore, options: SessionOptions = {}) {
  const made = loginApp({ store, ...options });
  const { app, session, login } = made;
  const userOf = async (req: Parameters<typeof login.currentUser>[0]) =>
    (await login.currentUser(req))?.id;
  app.get('/sessions', async (req) => {
    const id = await userOf(req);
    if (id === undefined) return 'nobody';
    return { here: await session.currentHandle(req), list: await session.listSessions(id) };
  });
  app.post('/sessions/<handle>/end', async (req, { handle }) => {
    const id = await userOf(req);
    if (id === undefined) return 'nobody';
    return String(await session.destroySession(id, handle));
  });
  app.post('/others', async (req) => String(await session.destroyOthers(req)));
  app.post('/delete', async (req) => {
    (await session.get(req)).delete();
    return 'deleted';
  });
  return made;
}

interface Listing {
  here: string;
  list: { handle: string }[];
}

/** The handles of `client`'s user's sessions other than its own. */
async function otherHandles(client: TestClient): Promise<string[]> {
  const { here, list } = (await client.get('/sessions')).json as Listing;
  return list.map((s) => s.handle).filter((h) => h !== here);
}

const ridOf = (token: string) => payloadOf(token).rid as string;

for (const { name, make } of STORES) {
  for (const mode of MODES) {
    describe(`remember-me and session management with ${name} (${mode.name})`, () => {
      test('"log out this one" logs out a device that ticked remember me', async () => {
        const store = make();
        const { app: a, session } = app(store);
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const remembered = laptop.cookies()._remember!;
        const phone = await mode.client(a);
        await phone.post('/login/1');
        const [handle] = await otherHandles(phone);
        assert.equal((await phone.post(`/sessions/${handle}/end`)).text, 'true');
        assert.equal(await store.get(ridOf(remembered)), undefined, 'remember record left');
        // Its next request is not restored from the remember cookie: no new session row.
        assert.equal((await laptop.get('/who')).text, 'nobody');
        assert.equal(laptop.cookies()._remember, undefined);
        assert.equal((await session.listSessions(1)).length, 1);
        assert.equal((await phone.get('/who')).text, 'ana');
      });

      test('a session restored from the remember cookie is logged out with its new token', async () => {
        const store = make();
        const { app: a, session } = app(store);
        const first = await mode.client(a);
        await first.post('/login/1?remember=true');
        // The session ends (closed browser); the remember cookie restores a new one.
        const laptop = await mode.client(a, { cookies: { _remember: first.cookies()._remember! } });
        assert.equal((await laptop.get('/who')).text, 'ana');
        const successor = laptop.cookies()._remember!;
        const phone = await mode.client(a);
        await phone.post('/login/1');
        const handles = await otherHandles(phone);
        assert.equal(handles.length, 2); // `first`'s session and the restored one
        for (const handle of handles) await phone.post(`/sessions/${handle}/end`);
        assert.equal(await store.get(ridOf(successor)), undefined);
        assert.equal((await laptop.get('/who')).text, 'nobody');
        assert.equal((await session.listSessions(1)).length, 1);
      });

      test('destroyOthers ends the other devices’ remember tokens and keeps this one’s', async () => {
        const store = make();
        const { app: a } = app(store);
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const laptopToken = laptop.cookies()._remember!;
        const phone = await mode.client(a);
        await phone.post('/login/1?remember=true');
        const phoneToken = phone.cookies()._remember!;
        // One session ended (the laptop's, as listSessions counts them), its record with it.
        assert.equal((await phone.post('/others')).text, '1');
        const thief = await mode.client(a, { cookies: { _remember: laptopToken } });
        assert.equal((await thief.get('/who')).text, 'nobody');
        assert.equal((await phone.get('/who')).text, 'ana');
        // The phone's session ends (browser closed): its own remember cookie still restores.
        assert.ok(await store.get(ridOf(phoneToken)), 'this device’s remember record ended');
        const phoneLater = await mode.client(a, { cookies: { _remember: phoneToken } });
        assert.equal((await phoneLater.get('/who')).text, 'ana');
      });

      test('maxSessionsPerUser: the evicted device’s remember token ends with its session', async () => {
        const store = make();
        const { app: a } = app(store, { maxSessionsPerUser: 1 });
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const token = laptop.cookies()._remember!;
        const phone = await mode.client(a);
        await phone.post('/login/1');
        assert.equal(await store.get(ridOf(token)), undefined);
        assert.equal((await laptop.get('/who')).text, 'nobody');
        assert.equal((await phone.get('/who')).text, 'ana');
      });

      test('the session’s own delete() ends its remember record', async () => {
        const store = make();
        const { app: a } = app(store);
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const token = laptop.cookies()._remember!;
        await laptop.post('/delete');
        assert.equal(await store.get(ridOf(token)), undefined);
        assert.equal((await laptop.get('/who')).text, 'nobody');
      });

      test('logging in again with remember, then ending that session, leaves no remember record', async () => {
        const store = make();
        const { app: a } = app(store);
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const old = laptop.cookies()._remember!;
        await laptop.post('/login/1?remember=7'); // a new token; the old one revoked
        const token = laptop.cookies()._remember!;
        assert.notEqual(ridOf(token), ridOf(old));
        const phone = await mode.client(a);
        await phone.post('/login/1');
        const [handle] = await otherHandles(phone);
        await phone.post(`/sessions/${handle}/end`);
        assert.equal(await store.get(ridOf(token)), undefined);
        assert.equal((await laptop.get('/who')).text, 'nobody');
      });
    });
  }
}

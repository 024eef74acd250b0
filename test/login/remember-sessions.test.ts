// Ending one session ends that device's remember-me token too (ASVS 5.0 V7.5.2): "log out this
// one" (destroySession), a maxSessionsPerUser eviction, and the session's own delete() end the
// token's holder record, and a stale session of the device ends only its own; "log out
// everywhere else" (destroyOthers) ends every record of the user, this device's too, so no copy of
// any remember cookie works; Login.logoutOthers then gives this device a fresh remember token.
// Run on MemoryStore and Redis, in-process and over HTTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
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
  app.post('/logout-others', async (req) => String(await login.logoutOthers(req)));
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
/** The holder record of a token: the session that holds the token links it. */
const hidOf = (token: string) => payloadOf(token).hid as string;

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
        assert.equal(await store.get(hidOf(remembered)), undefined, 'remember holder left');
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
        assert.equal(await store.get(hidOf(successor)), undefined);
        assert.equal((await laptop.get('/who')).text, 'nobody');
        assert.equal((await session.listSessions(1)).length, 1);
      });

      for (const ending of ['destroySession', 'delete'] as const)
        test(`ending a stale session of a restored device leaves its newer session's remember-me (${ending})`, async () => {
          const store = make();
          const { app: a } = app(store);
          const stale = await mode.client(a);
          await stale.post('/login/1?remember=true');
          const { here: staleHandle } = (await stale.get('/sessions')).json as Listing;
          // The browser loses the session cookie (its record lives on in the store, and is
          // listed): the remember cookie restores a newer session, which holds the token now.
          const laptop = await mode.client(a, {
            cookies: { _remember: stale.cookies()._remember! },
          });
          assert.equal((await laptop.get('/who')).text, 'ana');
          const successor = laptop.cookies()._remember!;
          const phone = await mode.client(a);
          await phone.post('/login/1');
          if (ending === 'delete') await stale.post('/delete');
          else assert.equal((await phone.post(`/sessions/${staleHandle}/end`)).text, 'true');
          // The laptop's remember-me still restores it.
          const later = await mode.client(a, { cookies: { _remember: successor } });
          assert.equal((await later.get('/who')).text, 'ana');
          // Ending the session that holds the token now still logs that browser out.
          const { here } = (await later.get('/sessions')).json as Listing;
          assert.equal((await phone.post(`/sessions/${here}/end`)).text, 'true');
          const after = await mode.client(a, {
            cookies: { _remember: later.cookies()._remember! },
          });
          assert.equal((await after.get('/who')).text, 'nobody');
        });

      test('logoutOthers: no copy of any remember token works; this device is remembered anew', async () => {
        const store = make();
        const { app: a } = app(store);
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const laptopToken = laptop.cookies()._remember!;
        const phone = await mode.client(a);
        await phone.post('/login/1?remember=7');
        const phoneToken = phone.cookies()._remember!;
        // A thief restored from a copy of the phone's cookie: a session, linking the same record.
        const thief = await mode.client(a, { cookies: { _remember: phoneToken } });
        assert.equal((await thief.get('/who')).text, 'ana');
        // Two sessions ended (the laptop's and the thief's, as listSessions counts them).
        assert.equal((await phone.post('/logout-others')).text, '2');
        assert.equal((await thief.get('/who')).text, 'nobody');
        for (const token of [laptopToken, phoneToken]) {
          const copy = await mode.client(a, { cookies: { _remember: token } });
          assert.equal((await copy.get('/who')).text, 'nobody');
        }
        // The phone's old record is only a marker now (remember-replaced.ts): no token restores.
        assert.equal((await store.get(ridOf(phoneToken)))?._remember, undefined);
        // The phone: still logged in, with a new token (a new record, as many days) that restores.
        assert.equal((await phone.get('/who')).text, 'ana');
        const renewed = phone.cookies()._remember!;
        assert.notEqual(ridOf(renewed), ridOf(phoneToken));
        assert.equal(payloadOf(renewed).days, 7);
        const phoneLater = await mode.client(a, { cookies: { _remember: renewed } });
        assert.equal((await phoneLater.get('/who')).text, 'ana');
        // Ending the phone's session ("log out this one" elsewhere) ends the new record too.
        const desk = await mode.client(a);
        await desk.post('/login/1');
        for (const handle of await otherHandles(desk)) await desk.post(`/sessions/${handle}/end`);
        assert.equal(await store.get(hidOf(renewed)), undefined);
      });

      test('logoutOthers without a remember cookie sets none; logged out, it ends nothing', async () => {
        const store = make();
        const { app: a } = app(store);
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const phone = await mode.client(a);
        await phone.post('/login/1');
        assert.equal((await phone.post('/logout-others')).text, '1');
        assert.equal(phone.cookies()._remember, undefined);
        assert.equal((await laptop.get('/who')).text, 'nobody');
        const nobody = await mode.client(a);
        assert.equal((await nobody.post('/logout-others')).text, '0');
        assert.equal((await phone.get('/who')).text, 'ana');
      });

      test('destroyOthers alone ends this device’s remember record too (it is not renewed)', async () => {
        const store = make();
        const { app: a } = app(store);
        const phone = await mode.client(a);
        await phone.post('/login/1?remember=true');
        const token = phone.cookies()._remember!;
        const copy = await mode.client(a, { cookies: { _remember: token } });
        assert.equal((await phone.post('/others')).text, '0');
        assert.equal(await store.get(ridOf(token)), undefined);
        assert.equal((await copy.get('/who')).text, 'nobody');
        assert.equal((await phone.get('/who')).text, 'ana');
      });

      test('maxSessionsPerUser: the evicted device’s remember token ends with its session', async () => {
        const store = make();
        const { app: a } = app(store, { maxSessionsPerUser: 1 });
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        const token = laptop.cookies()._remember!;
        const phone = await mode.client(a);
        await phone.post('/login/1');
        assert.equal(await store.get(hidOf(token)), undefined);
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
        assert.equal(await store.get(hidOf(token)), undefined);
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
        assert.equal(await store.get(hidOf(token)), undefined);
        assert.equal((await laptop.get('/who')).text, 'nobody');
      });
    });
  }
}

test('logoutOthers: a hostile _remember cookie never gets this device a remember token', async () => {
  const store = new MemoryStore();
  const { app: a } = app(store);
  const http = MODES.find((m) => m.name === 'http')!;
  const bo = await http.client(a);
  await bo.post('/login/2?remember=true');
  const boToken = bo.cookies()._remember!;
  const ended = await http.client(a);
  await ended.post('/login/1?remember=true');
  const endedToken = ended.cookies()._remember!;
  await ended.post('/logout');
  const tamper = (t: string, i: number) =>
    t.slice(0, i % t.length) + (t[i % t.length] === 'A' ? 'B' : 'A') + t.slice((i % t.length) + 1);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ unit: 'grapheme-ascii' }).map((v) => encodeURIComponent(v)),
        fc.constant(boToken), // valid, but another user's
        fc.constant(endedToken), // this user's, but its record ended (logout)
        fc.nat().map((i) => tamper(endedToken, i)),
        fc.nat().map((i) => tamper(boToken, i)),
      ),
      async (hostile) => {
        const phone = await http.client(a);
        await phone.post('/login/1');
        const res = await phone.post('/logout-others', {
          headers: { cookie: `_remember=${hostile}` },
        });
        assert.equal(res.statusCode, 200);
        const lines = [res.headers['set-cookie'] ?? []].flat();
        for (const line of lines.filter((l) => l.startsWith('_remember=')))
          assert.match(line, /^_remember=;|Max-Age=0/i, `a remember cookie was issued: ${line}`);
        assert.equal((await phone.get('/who')).text, 'ana');
      },
    ),
    { numRuns: 40 },
  );
  assert.ok(await store.get(ridOf(boToken)), 'another user’s remember record ended');
});

// Two live sessions never link one holder, so ending a stale session never ends the
// remember-me of the device: loginUser without `remember`, on a browser that still has its
// remember cookie, keeps its record but gives the new session a holder of its own (a new token),
// and the stale session (whose cookie the browser lost) keeps linking only the old one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MODES } from '../helpers/clients.js';
import { testStores } from '../helpers/store-factories.js';
import { loginApp, payloadOf } from './helpers.js';

const FACTORIES = testStores('shared-holder', ['memory', 'redis']).factories;

for (const [name, make] of FACTORIES) {
  for (const mode of MODES) {
    describe(`a holder linked by two sessions: ${name} (${mode.name})`, () => {
      test('ending a stale session leaves the remember-me of the device that logged in again', async () => {
        const { app, session } = loginApp({ store: make() });
        app.get('/handle', async (req) => (await session.currentHandle(req)) ?? '');
        const device = await mode.client(app);
        await device.post('/login/1?remember=true');
        const token = device.cookies()._remember!;
        const stale = (await device.get('/handle')).text;
        // The browser lost its session cookie (kept its remember cookie), and the user typed the
        // password on a login page that did not restore first, without ticking "remember me".
        const again = await mode.client(app, { cookies: { _remember: token } });
        await again.post('/login/1');
        assert.equal((await again.get('/who')).text, 'ana');
        // The device keeps its remember-me (the same record), with a holder of its own.
        const kept = again.cookies()._remember!;
        assert.equal(payloadOf(kept).rid, payloadOf(token).rid, 'the device keeps its remember-me');
        assert.notEqual(payloadOf(kept).hid, payloadOf(token).hid);
        assert.equal((await session.listSessions(1)).length, 2);
        // The user ends the stale session (listed, not this device's live one).
        assert.ok(await session.destroySession(1, stale));
        assert.equal((await again.get('/who')).text, 'ana');
        // Later the device's session is over: its remember-me should still log it in.
        const later = await mode.client(app, { cookies: { _remember: kept } });
        assert.equal((await later.get('/who')).text, 'ana', "the device's remember-me was ended");
      });
    });
  }
}

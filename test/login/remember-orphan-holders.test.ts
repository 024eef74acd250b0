// One valid remember token cannot make holder records without bound. For REUSE_GRACE (10 s) after
// a renewal, every request showing the previous generation is a "parallel" restore with a new
// holder of its own; a holder is written only after the session that links it (at the end of a
// request that did not fail), so requests that end in an error (a route that calls currentUser,
// then throws or abort()s) leave none behind. Before, each left a 30-day holder nothing linked.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abort } from '../../src/index.js';
import { MODES } from '../helpers/clients.js';
import { testStores } from '../helpers/store-factories.js';
import { loginApp } from './helpers.js';

const FACTORIES = testStores('orphan-holders', ['memory', 'redis']).factories;

for (const [name, make] of FACTORIES) {
  describe(`holder records made by parallel restores that fail: ${name}`, () => {
    test('their number stays bounded (maxSessionsPerUser: 2)', async () => {
      const store = make();
      const { app, login } = loginApp({ store, maxSessionsPerUser: 2 });
      app.get(
        '/items/<int:id>',
        login.required(() => abort(404)),
      );
      const first = await MODES[0]!.client(app);
      await first.post('/login/1?remember=true');
      const t0 = first.cookies()._remember!;
      // One renewal opens the grace window for t0 ...
      const renew = await MODES[0]!.client(app, { cookies: { _remember: t0 } });
      assert.equal((await renew.get('/who')).text, 'ana');
      // ... in which every request with t0 at a failing page leaves a holder behind.
      const N = 50;
      await Promise.all(
        Array.from({ length: N }, async () => {
          const c = await MODES[0]!.client(app, { cookies: { _remember: t0 } });
          assert.equal((await c.get('/items/7')).statusCode, 404);
        }),
      );
      const records = await store.list('1');
      const sessions = records.filter((r) => r.meta !== undefined).length;
      const others = records.length - sessions;
      assert.ok(sessions <= 2);
      assert.ok(
        others <= 10,
        `${others} non-session records of user 1 (holders, remember records) for ${sessions} sessions, after ${N} failed restores`,
      );
    });
  });
}

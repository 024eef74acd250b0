// A stolen remember token cannot revive a revoked login by stalling between reading its record
// and renewing it, and a stalled renewal written late cannot move the record's generation back.
// The store is real (memory, SQLite, Redis, PostgreSQL); a wrapper around it holds one write of a
// request at a gate while other requests restore (and log out).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionStore } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';
import { testStores } from '../helpers/store-factories.js';
import { loginApp, payloadOf } from './helpers.js';
import { gatedOn } from './remember-helpers.js';

const FACTORIES = testStores('remember-race', ['memory', 'sqlite', 'redis', 'postgres']).factories;

/** `store`, with a gate on its next `set`, whatever it writes (remember-helpers.ts). */
const gated = (store: SessionStore) => gatedOn(store, () => true);

for (const [name, make] of FACTORIES) {
  for (const mode of MODES) {
    describe(`remember-me restore racing a logout: ${name} (${mode.name})`, () => {
      for (const revocation of ['logout', 'destroyAll'] as const)
        test(`a stalled restore with a stolen token does not revive the login the victim ended (${revocation})`, async () => {
          const real = make();
          const g = gated(real);
          const { app, session } = loginApp({ store: g.store });
          const first = await mode.client(app);
          await first.post('/login/1?remember=true');
          const stolen = first.cookies()._remember!;
          // The thief's request reads the record, then stalls before its renewal is written.
          const thief = await mode.client(app, { cookies: { _remember: stolen } });
          g.arm();
          const thiefAnswer = thief.get('/who');
          await g.reached;
          // Meanwhile the victim's browser (its session over) restores with the same token, and
          // then logs out: every remember token of that login is revoked.
          const victim = await mode.client(app, { cookies: { _remember: stolen } });
          assert.equal((await victim.get('/who')).text, 'ana');
          if (revocation === 'logout') await victim.post('/logout');
          else await session.destroyAll(1);
          g.release();
          assert.equal((await thiefAnswer).text, 'nobody');
          const token = thief.cookies()._remember;
          const later = await mode.client(app, { cookies: { _remember: token ?? 'none' } });
          assert.equal((await later.get('/who')).text, 'nobody');
        });
    });
  }
}

for (const [name, make] of FACTORIES) {
  for (const mode of MODES) {
    describe(`remember-me restores racing each other: ${name} (${mode.name})`, () => {
      test('a renewal written late does not roll the generation back', async () => {
        const real = make();
        const g = gated(real);
        const reused: unknown[] = [];
        const { app } = loginApp(
          { store: g.store },
          { onRememberReuse: (_req, id) => void reused.push(id) },
        );
        const first = await mode.client(app);
        await first.post('/login/1?remember=true');
        const token = first.cookies()._remember!;
        // Restore A reads the record (generation 0), then stalls before its renewal is written.
        const slow = await mode.client(app, { cookies: { _remember: token } });
        g.arm();
        const slowAnswer = slow.get('/who');
        await g.reached;
        // Restore B renews the record (generation 1); later the browser renews it again (2).
        const tab = await mode.client(app, { cookies: { _remember: token } });
        assert.equal((await tab.get('/who')).text, 'ana');
        const browser = await mode.client(app, {
          cookies: { _remember: tab.cookies()._remember! },
        });
        assert.equal((await browser.get('/who')).text, 'ana');
        const live = browser.cookies()._remember!;
        assert.equal(payloadOf(live).gen, 2);
        // A's renewal (to generation 1) lands now: the live token of generation 2 still restores.
        g.release();
        await slowAnswer;
        const later = await mode.client(app, { cookies: { _remember: live } });
        assert.equal((await later.get('/who')).text, 'ana');
        assert.equal(payloadOf(later.cookies()._remember!).gen, 3);
        assert.deepEqual(reused, []);
        // And the theft detector still sees an older generation shown again (the tab's).
        const copy = await mode.client(app, { cookies: { _remember: tab.cookies()._remember! } });
        assert.equal((await copy.get('/who')).text, 'nobody');
        assert.deepEqual(reused, [1]);
        assert.equal((await later.get('/who')).text, 'nobody');
      });
    });
  }
}

// A stolen remember token cannot revive a revoked login by stalling between reading its record
// and renewing it. The store is real (memory, SQLite, Redis, PostgreSQL); a wrapper around it
// holds one write of the thief's request at a gate while the victim restores and logs out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionStore } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';
import { deferred } from '../helpers/deferred.js';
import { testStores } from '../helpers/store-factories.js';
import { loginApp } from './helpers.js';

const FACTORIES = testStores('remember-race', ['memory', 'sqlite', 'redis', 'postgres']).factories;

/**
 * `store`, with a gate: once armed, the next `set` waits (before reaching the store) until
 * `release()`; `reached` resolves when it is waiting. Every other call goes straight through.
 */
function gated(store: SessionStore) {
  let armed = false;
  const reached = deferred();
  const gate = deferred();
  const wrapper: SessionStore = {
    get: (id) => store.get(id),
    async set(id, patch, options) {
      if (armed) {
        armed = false;
        reached.resolve();
        await gate.promise;
      }
      return store.set(id, patch, options);
    },
    destroy: (id) => store.destroy(id),
    touch: (id, ttl) => store.touch(id, ttl),
    destroyAll: (userId) => store.destroyAll(userId),
    list: (userId) => store.list(userId),
    destroyOwned: (userId, id) => store.destroyOwned(userId, id),
    clear: () => store.clear(),
  };
  return {
    store: wrapper,
    arm: () => {
      armed = true;
    },
    reached: reached.promise,
    release: gate.resolve,
  };
}

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

// A revocation (destroyAll, logoutOthers, theft detection) that lands while a restore is between
// renewing the remember record and writing its new session stops that session. The session is
// fresh, so its write is a `replace` that creates it whatever happened meanwhile: after it, the
// remember record is read again, and the session ended when the record is gone.
//
// The store is real (memory, SQLite, Redis, PostgreSQL); a wrapper holds the restoring request's
// session write at a gate, after the record was renewed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REUSE_GRACE } from '../../src/login/index.js';
import { MODES } from '../helpers/clients.js';
import { testStores } from '../helpers/store-factories.js';
import { loginApp } from './helpers.js';
import { ageRotation, gatedOn, sessionLogin } from './remember-helpers.js';

const FACTORIES = testStores('restore-revoked', [
  'memory',
  'sqlite',
  'redis',
  'postgres',
]).factories;

const REVOCATIONS = ['destroyAll', 'logoutOthers', 'theft'] as const;

for (const [name, make] of FACTORIES) {
  for (const mode of MODES) {
    describe(`a restore's session write racing a revocation: ${name} (${mode.name})`, () => {
      for (const revocation of REVOCATIONS)
        test(`the thief is not logged in after ${revocation}`, async () => {
          const real = make();
          const g = gatedOn(real, sessionLogin);
          const reused: unknown[] = [];
          const { app, session, login } = loginApp(
            { store: g.store },
            { onRememberReuse: (_req, id) => void reused.push(id) },
          );
          app.post('/others', async (req) => String(await login.logoutOthers(req)));
          const victim = await mode.client(app);
          await victim.post('/login/1?remember=true');
          const stolen = victim.cookies()._remember!;
          // The thief restores: the record is renewed, then the request stalls before its new
          // session is written.
          const thief = await mode.client(app, { cookies: { _remember: stolen } });
          g.arm();
          const thiefAnswer = thief.get('/who');
          await g.reached;
          if (revocation === 'destroyAll') await session.destroyAll(1);
          else if (revocation === 'logoutOthers') await victim.post('/others');
          else {
            // The victim's browser, its session over, shows the older token after the grace period.
            await ageRotation(real, stolen, REUSE_GRACE + 1);
            const copy = await mode.client(app, { cookies: { _remember: stolen } });
            assert.equal((await copy.get('/who')).text, 'nobody');
            assert.deepEqual(reused, [1]);
          }
          g.release();
          await thiefAnswer;
          assert.equal((await thief.get('/who')).text, 'nobody', 'the revoked login came back');
        });
    });
  }
}

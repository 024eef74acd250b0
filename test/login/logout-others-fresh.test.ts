// "Log out everywhere else" from a login restored from a stolen remember cookie (security review,
// finding 2). A thief who restored a login from a copy of the victim's remember cookie, then
// called Login.logoutOthers, ended the victim's sessions and the stolen chain's record, and got a
// new record with no tie to it: the victim's copy then restored nothing and tripped no theft
// detection. Now logoutOthers refuses a login that is not fresh (LoginNotFreshError) unless the
// caller opts in (`{ requireFresh: false }`), and the requester's replaced record stays as a
// marker, so that an older generation of it shown later is still theft.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoginConfigError, LoginNotFreshError } from '../../src/login/index.js';
import { MemoryStore } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';
import { testStores } from '../helpers/store-factories.js';
import { loginApp } from './helpers.js';
import { ageRotation } from './remember-helpers.js';

const FACTORIES = testStores('logout-others-fresh', ['memory', 'redis']).factories;

for (const [name, make] of FACTORIES) {
  for (const mode of MODES) {
    describe(`logoutOthers from a stolen remember cookie: ${name} (${mode.name})`, () => {
      /** The login app, a victim remembered, and a thief restored from a copy of its cookie. */
      async function stolen() {
        const store = make();
        const reused: unknown[] = [];
        const made = loginApp({ store }, { onRememberReuse: (_req, id) => void reused.push(id) });
        const { app, login } = made;
        const errors: unknown[] = [];
        app.post('/others', async (req) => {
          try {
            return String(await login.logoutOthers(req));
          } catch (err) {
            errors.push(err);
            return ['refused', 403];
          }
        });
        app.post('/others-anyway', async (req) =>
          String(await login.logoutOthers(req, { requireFresh: false })),
        );
        const victim = await mode.client(app);
        await victim.post('/login/1?remember=true');
        const copy = victim.cookies()._remember!;
        const thief = await mode.client(app, { cookies: { _remember: copy } });
        assert.equal((await thief.get('/who')).text, 'ana');
        return { ...made, store, reused, errors, victim, copy, thief };
      }

      test('the thief cannot evict the victim and escape theft detection', async () => {
        const { app, reused, victim, thief } = await stolen();
        await thief.post('/others');
        const victimNow = (await victim.get('/who')).text;
        const thiefNow = (await thief.get('/who')).text;
        const later = await mode.client(app, {
          cookies: { _remember: thief.cookies()._remember! },
        });
        const thiefRemembered = (await later.get('/who')).text;
        assert.ok(
          victimNow === 'ana' || (thiefNow === 'nobody' && thiefRemembered === 'nobody'),
          `victim: ${victimNow}, thief: ${thiefNow}, thief's new token: ${thiefRemembered}, theft alarms: ${reused.length}`,
        );
      });

      test('a restored login is refused with LoginNotFreshError; a typed-in one is not', async () => {
        const { errors, victim, thief } = await stolen();
        const res = await thief.post('/others');
        assert.equal(res.statusCode, 403);
        assert.ok(errors[0] instanceof LoginNotFreshError, String(errors[0]));
        assert.equal((errors[0] as LoginNotFreshError).code, 'ERR_LOGIN_NOT_FRESH');
        assert.match((errors[0] as Error).message, /requireFresh: false/);
        assert.equal((await victim.get('/who')).text, 'ana');
        // The victim typed the password in: fresh, so allowed, and the thief is out.
        assert.equal((await victim.post('/others')).text, '1');
        assert.equal((await thief.get('/who')).text, 'nobody');
      });

      test('opted in, the victim’s older generation is still theft after the thief’s logoutOthers', async () => {
        const { app, store, reused, victim, copy, thief } = await stolen();
        // Past the grace period for a browser's parallel requests.
        await ageRotation(store, thief.cookies()._remember!, 60);
        assert.equal((await thief.post('/others-anyway')).text, '1');
        const renewed = thief.cookies()._remember!;
        // The victim's browser comes back with its token, an older generation of the chain.
        const back = await mode.client(app, { cookies: { _remember: copy } });
        assert.equal((await back.get('/who')).text, 'nobody');
        assert.deepEqual(reused, [1], 'the reuse was not taken for theft');
        assert.equal((await thief.get('/who')).text, 'nobody');
        const later = await mode.client(app, { cookies: { _remember: renewed } });
        assert.equal((await later.get('/who')).text, 'nobody');
        assert.equal((await victim.get('/who')).text, 'nobody');
      });

      test('opted in, the replaced token itself restores nothing and is not theft', async () => {
        const { app, reused, thief } = await stolen();
        const before = thief.cookies()._remember!;
        await thief.post('/others-anyway');
        const again = await mode.client(app, { cookies: { _remember: before } });
        assert.equal((await again.get('/who')).text, 'nobody');
        assert.deepEqual(reused, []);
        assert.equal((await thief.get('/who')).text, 'ana');
      });
    });
  }
}

test('logoutOthers: requireFresh other than true or false is a LoginConfigError', async () => {
  const { app, login } = loginApp({ store: new MemoryStore() });
  app.post('/others', async (req) => {
    try {
      await login.logoutOthers(req, { requireFresh: 'no' as unknown as boolean });
      return 'ended';
    } catch (err) {
      return err instanceof LoginConfigError && /requireFresh/.test(err.message)
        ? 'refused'
        : 'other';
    }
  });
  const client = await MODES[0]!.client(app);
  await client.post('/login/1');
  assert.equal((await client.post('/others')).text, 'refused');
});

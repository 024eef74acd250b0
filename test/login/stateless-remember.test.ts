// Remember tokens without a record (`rid`) in store mode (security review, finding 5): Python
// Microdot's, or ours made before the app had a store. They were honoured as stateless: never
// revoked by logout, destroyAll or logoutOthers, reusable without limit, and reuse was never
// theft. Now (statelessRemember: 'accept', the default, for Python interop): each is single-use
// (shown again past the grace period, it is theft), and a per-user "not before" time, moved by
// destroyAll, logoutOthers and logout, refuses every one issued before it. 'refuse' honours none.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoginConfigError } from '../../src/login/index.js';
import { MODES } from '../helpers/clients.js';
import { testStores } from '../helpers/store-factories.js';
import { loginApp, payloadOf } from './helpers.js';

const FACTORIES = testStores('stateless-remember', ['memory', 'redis']).factories;
const DAY = 86400;

/** A remember token of ours made in cookie mode, with the same key: no record. */
async function statelessToken(mode: (typeof MODES)[number], userId = 1): Promise<string> {
  const before = loginApp();
  const old = await mode.client(before.app);
  await old.post(`/login/${userId}?remember=true`);
  const token = old.cookies()._remember!;
  assert.equal(payloadOf(token).rid, undefined);
  return token;
}

for (const [name, make] of FACTORIES) {
  for (const mode of MODES) {
    describe(`a remember token without a record, in store mode: ${name} (${mode.name})`, () => {
      function app(options: Parameters<typeof loginApp>[1] = {}) {
        const reused: unknown[] = [];
        const made = loginApp(
          { store: make() },
          { onRememberReuse: (_req, id) => void reused.push(id), ...options },
        );
        made.app.post('/others', async (req) => String(await made.login.logoutOthers(req)));
        return { ...made, reused };
      }
      const who = async (a: ReturnType<typeof app>['app'], token: string) =>
        (await (await mode.client(a, { cookies: { _remember: token } })).get('/who')).text;

      test('destroyAll and logout end it like any other', async () => {
        const copied = await statelessToken(mode);
        const { app: a, session } = app();
        const thief = await mode.client(a, { cookies: { _remember: copied } });
        assert.equal((await thief.get('/who')).text, 'ana');
        await session.destroyAll(1);
        await thief.post('/logout');
        assert.equal(await who(a, copied), 'nobody', 'a revoked login came back');
      });

      test('Python interop: honoured by default, and renewed as a token with a record', async () => {
        const { app: a, session } = app();
        // Microdot's claims, with a float `exp` as Python writes it.
        const token = session.issueToken({ user_id: 1, days: 7, exp: Date.now() / 1000 + 7 * DAY });
        const browser = await mode.client(a, { cookies: { _remember: token } });
        assert.equal((await browser.get('/who')).text, 'ana');
        const renewed = browser.cookies()._remember!;
        assert.equal(typeof payloadOf(renewed).rid, 'string');
        assert.equal(payloadOf(renewed).days, 7);
      });

      test('single-use: shown again past the grace period, it is theft', async (t) => {
        const token = await statelessToken(mode);
        const { app: a, reused } = app();
        const first = await mode.client(a, { cookies: { _remember: token } });
        assert.equal((await first.get('/who')).text, 'ana');
        // Within the grace period (a browser's parallel requests) it still restores.
        assert.equal(await who(a, token), 'ana');
        assert.deepEqual(reused, []);
        t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 60_000 });
        try {
          assert.equal(await who(a, token), 'nobody');
          assert.deepEqual(reused, [1]);
          assert.equal((await first.get('/who')).text, 'nobody', 'theft ends every session');
        } finally {
          // Deno's node:test keeps mocked timers across tests until they are reset.
          t.mock.timers.reset();
        }
      });

      test('destroyAll ends an unused copy (the user logged in here before)', async () => {
        const token = await statelessToken(mode);
        const { app: a, session } = app();
        const laptop = await mode.client(a);
        await laptop.post('/login/1');
        await session.destroyAll(1);
        assert.equal(await who(a, token), 'nobody');
      });

      test('destroyAll ends an unused copy once any was shown', async () => {
        const used = await statelessToken(mode);
        const unused = await statelessToken(mode);
        const { app: a, session } = app();
        assert.equal(await who(a, used), 'ana');
        await session.destroyAll(1);
        assert.equal(await who(a, unused), 'nobody');
        // Another user's are not touched.
        assert.equal(await who(a, await statelessToken(mode, 2)), 'bo');
      });

      test('logoutOthers and logout end unused copies; a token issued later is honoured', async () => {
        const early = await statelessToken(mode);
        const { app: a, session } = app();
        const phone = await mode.client(a);
        await phone.post('/login/1');
        await phone.post('/others');
        assert.equal(await who(a, early), 'nobody');
        // A later one (a Python service logging the user in again) works, until a logout.
        const later = session.issueToken({
          user_id: 1,
          days: 30,
          exp: Date.now() / 1000 + 30 * DAY + 1,
        });
        const device = await mode.client(a, { cookies: { _remember: later } });
        assert.equal((await device.get('/who')).text, 'ana');
        const spare = session.issueToken({
          user_id: 1,
          days: 30,
          exp: Date.now() / 1000 + 30 * DAY,
        });
        await device.post('/logout');
        assert.equal(await who(a, spare), 'nobody');
      });

      test("statelessRemember: 'refuse' honours none in store mode", async () => {
        const token = await statelessToken(mode);
        const { app: a } = app({ statelessRemember: 'refuse' });
        const browser = await mode.client(a, { cookies: { _remember: token } });
        assert.equal((await browser.get('/who')).text, 'nobody');
        assert.equal(browser.cookies()._remember, undefined, 'the cookie is removed');
        // Ours, with a record, still restore.
        const laptop = await mode.client(a);
        await laptop.post('/login/1?remember=true');
        assert.equal(await who(a, laptop.cookies()._remember!), 'ana');
      });
    });
  }
}

test("statelessRemember: only 'accept' or 'refuse'; cookie mode ignores 'refuse'", async () => {
  assert.throws(
    () => loginApp({}, { statelessRemember: 'no' as 'refuse' }),
    (err: unknown) => err instanceof LoginConfigError && /statelessRemember/.test(err.message),
  );
  const mode = MODES[0]!;
  const token = await statelessToken(mode);
  const { app } = loginApp({}, { statelessRemember: 'refuse' });
  const browser = await mode.client(app, { cookies: { _remember: token } });
  assert.equal((await browser.get('/who')).text, 'ana');
});

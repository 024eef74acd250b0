// The findings of the 0.1.0 security review (issue 11, part 1) that live in the session layer,
// each as the reviewer reproduced it, through the public API, on every store and both ways
// (in-process and over HTTP). Each of these failed on 0.1.0.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import {
  MemoryStore,
  Session,
  SessionConfigError,
  SessionError,
  type SessionStore,
  withSession,
} from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';
import { deferred } from '../helpers/deferred.js';
import { sessionApp, sessionCookie } from '../helpers/session-app.js';
import { testStores } from '../helpers/store-factories.js';

const KEY = 'review-findings-secret-key-0123456789abcdef';
const FACTORIES = testStores('findings').factories;

/** sessionApp's routes (/read, /login/<name>, /me, …) and the findings' own, on `store`. */
function makeApp(store: SessionStore) {
  const { app, session } = sessionApp(KEY, { store });
  // A gate the slow request waits at until the test opens it.
  let slow = deferred();
  // Logout as many apps write it: no read of the session first.
  app.post('/logout', (req) => {
    session.delete(req);
    return 'bye';
  });
  // A login that replaces the session without reading it first.
  app.post('/relogin/<name>', (req, { name }) => {
    session.update(req, { userId: name });
    return 'ok';
  });
  app.get(
    '/slow',
    withSession<{ lastPage?: string }>(async (_req, s) => {
      await slow.promise;
      s.lastPage = '/slow';
      s.save();
      return 'slow done';
    }),
  );
  return {
    app,
    session,
    slow: () => {
      slow = deferred();
      return slow;
    },
  };
}

for (const [storeName, factory] of FACTORIES) {
  for (const mode of MODES) {
    describe(`review findings: ${storeName} [${mode.name}]`, () => {
      const store = factory();

      test('finding 1: delete() without a read of the session destroys the record', async () => {
        const { app } = makeApp(store);
        const client = await mode.client(app);
        const token = sessionCookie(await client.post('/login/alice'))!;
        const copy = await mode.client(app, { cookies: { session: token } });
        assert.equal((await copy.get('/me')).text, 'alice');
        const bye = await client.post('/logout');
        assert.equal(sessionCookie(bye), '', 'the browser cookie is removed');
        assert.equal(
          (await copy.get('/me')).text,
          'nobody',
          'replay of copied cookie after logout',
        );
      });

      test('finding 1: a save without a read ends the session the cookie named', async () => {
        const { app } = makeApp(store);
        const client = await mode.client(app);
        const token = sessionCookie(await client.post('/login/alice'))!;
        const copy = await mode.client(app, { cookies: { session: token } });
        const renewed = sessionCookie(await client.post('/relogin/alice'));
        assert.ok(renewed && renewed !== token);
        assert.equal((await client.get('/me')).text, 'alice');
        assert.equal((await copy.get('/me')).text, 'nobody', 'the old session is gone');
      });

      test('finding 2: a request in flight does not bring a destroyed session back', async () => {
        for (const end of ['destroyAll', 'logout'] as const) {
          const { app, session, slow } = makeApp(store);
          const user = `victim-${randomBytes(4).toString('hex')}`;
          const victim = await mode.client(app);
          const token = sessionCookie(await victim.post(`/login/${user}`))!;
          const thief = await mode.client(app, { cookies: { session: token } });
          const gate = slow();
          const inFlight = thief.get('/slow');
          // Let the slow request read its session before the session is ended.
          await new Promise((resolve) => setTimeout(resolve, 100));
          if (end === 'destroyAll') assert.equal(await session.destroyAll(user), 1);
          else await victim.post('/logout');
          gate.resolve();
          const res = await inFlight;
          assert.equal(res.statusCode, 200);
          assert.equal(sessionCookie(res), '', `${end}: the late response removes the cookie`);
          const replay = await mode.client(app, { cookies: { session: token } });
          assert.equal(
            (await replay.get('/read')).text,
            '{}',
            `${end}: after in-flight request finished`,
          );
        }
      });

      test('finding 5: destroyAll(42) ends the sessions of user 42 (a number)', async () => {
        const { app, session } = makeApp(store);
        await store.destroyAll('42'); // user 42 is a shared name among these runs: start clean
        const client = await mode.client(app);
        await client.post('/login/42');
        assert.equal((await client.get('/me')).text, '42');
        assert.equal(await session.destroyAll(42), 1);
        assert.equal((await client.get('/me')).text, 'nobody');
        await client.post('/login/42');
        assert.equal(await session.destroyAll('42'), 1, "'42' and 42 are the same user");
      });
    });
  }
}

describe('finding 5: a user value that is neither string nor number', () => {
  test('is refused at save() with a clear error, never silently left unindexed', async () => {
    const app = new Microdot();
    const session = new Session(app, { secretKey: KEY, store: new MemoryStore() });
    let bad: unknown;
    let thrown: unknown;
    app.post(
      '/save',
      withSession((_req, s) => {
        s.userId = bad;
        try {
          s.save();
        } catch (error) {
          thrown = error;
        }
        return 'ok';
      }),
    );
    const client = await MODES[0]!.client(app);
    for (const value of [{ id: 1 }, true, [1], Number.NaN, 10n]) {
      bad = value;
      thrown = undefined;
      await client.post('/save');
      assert.ok(thrown instanceof SessionError, `userId ${String(value)}: ${String(thrown)}`);
      assert.equal(thrown.code, 'ERR_SESSION_USER_ID');
      assert.match(thrown.message, /userId.*string or a finite number/);
    }
    await assert.rejects(session.destroyAll({} as unknown as string), SessionError);
  });
});

describe('finding 7: bad cookie options fail when the Session is built', () => {
  const cases: [string, ConstructorParameters<typeof Session>[1]][] = [
    ['a path with ;', { cookieOptions: { path: '/; Domain=evil.example' } }],
    ['a path with a control character', { cookieOptions: { path: '/\nx' } }],
    ['a domain with ;', { cookieOptions: { domain: 'example.com; Secure' } }],
    ['a bad sameSite', { cookieOptions: { sameSite: 'Sometimes' as 'Lax' } }],
    ['a __Host- name without Secure', { cookieName: '__Host-session' }],
    ['a __Secure- name without Secure', { cookieName: '__Secure-session' }],
  ];
  for (const [what, options] of cases) {
    test(`${what} throws SessionConfigError`, () => {
      assert.throws(() => new Session(null, { secretKey: KEY, ...options }), SessionConfigError);
    });
  }

  test('good options still pass, and their responses are fine', async () => {
    const app = new Microdot();
    new Session(app, {
      secretKey: KEY,
      cookieName: '__Host-session',
      cookieOptions: { secure: true, sameSite: 'Strict' },
    });
    new Session(null, { secretKey: KEY, cookieOptions: { path: '/app', domain: 'example.com' } });
    app.get(
      '/',
      withSession((_req, s) => {
        s.n = 1;
        s.save();
        return 'ok';
      }),
    );
    const res = await (await MODES[0]!.client(app)).get('/');
    assert.equal(res.statusCode, 200);
  });
});

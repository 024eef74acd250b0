// LoginThrottle (microdot-ts/auth): failed logins limited per user name and per client address,
// counters shared through a store, parallel guesses bounded. On MemoryStore and Redis.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthConfigError, LoginThrottle } from '../../src/auth/index.js';
import { Microdot, Request } from '../../src/index.js';
import { MemoryStore, type SessionStore } from '../../src/session/index.js';
import { redisTestPrefix } from '../helpers/redis-prefix.js';

const redis = redisTestPrefix('microdot-throttle-test');

const app = new Microdot();
const from = (clientAddr: string) =>
  new Request({ app, method: 'POST', url: '/login', headers: {}, clientAddr });

const STORES: { name: string; make: () => SessionStore }[] = [
  { name: 'memory', make: () => new MemoryStore() },
  { name: 'redis', make: () => redis.store() },
];

for (const { name, make } of STORES) {
  describe(`LoginThrottle on ${name}`, () => {
    test('5 failures for a user name within the window, then a wait (any address, any case)', async () => {
      const throttle = new LoginThrottle({ store: make() });
      for (let i = 0; i < 5; i++)
        assert.equal((await throttle.attempt(from(`10.0.0.${i}`), 'Ana')).allowed, true);
      const refused = await throttle.attempt(from('10.0.0.99'), 'ana');
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfter > 890 && refused.retryAfter <= 900, String(refused.retryAfter));
      assert.equal((await throttle.attempt(from('10.0.0.98'), 'bo')).allowed, true);
    });

    test('5 failures from one address, whatever the user names, then a wait', async () => {
      const throttle = new LoginThrottle({ store: make() });
      for (let i = 0; i < 5; i++)
        assert.equal((await throttle.attempt(from('192.0.2.7'), `user${i}`)).allowed, true);
      assert.equal((await throttle.attempt(from('192.0.2.7'), 'someone-else')).allowed, false);
      assert.equal((await throttle.attempt(from('192.0.2.8'), 'someone-else')).allowed, true);
    });

    test('a success forgets the user name failures; refused attempts do not extend the wait', async () => {
      const throttle = new LoginThrottle({ store: make(), limit: 3 });
      for (let i = 0; i < 2; i++) await throttle.attempt(from(`198.51.100.${i}`), 'cy');
      const ok = await throttle.attempt(from('198.51.100.50'), 'cy');
      assert.equal(ok.allowed, true);
      await ok.succeeded();
      for (let i = 0; i < 3; i++)
        assert.equal((await throttle.attempt(from(`198.51.100.${10 + i}`), 'cy')).allowed, true);
      const first = await throttle.attempt(from('198.51.100.20'), 'cy');
      for (let i = 0; i < 10; i++) await throttle.attempt(from('198.51.100.21'), 'cy');
      const later = await throttle.attempt(from('198.51.100.22'), 'cy');
      assert.equal(later.allowed, false);
      assert.ok(later.retryAfter <= first.retryAfter);
    });

    test('parallel guesses: at most limit of 20 at once get a password check', async () => {
      const throttle = new LoginThrottle({ store: make() });
      const verdicts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => throttle.attempt(from(`203.0.113.${i}`), 'dee')),
      );
      const allowed = verdicts.filter((v) => v.allowed).length;
      assert.ok(allowed <= 5, `${allowed} allowed`);
      // Refused attempts are not counted: what is left of the limit is still there, no more.
      let more = 0;
      for (let i = 0; i < 10; i++)
        if ((await throttle.attempt(from(`203.0.114.${i}`), 'dee')).allowed) more++;
      assert.equal(allowed + more, 5);
    });

    test('two instances on one store share the counters (as two app processes would)', async () => {
      const store = make();
      const a = new LoginThrottle({ store });
      const b = new LoginThrottle({ store });
      for (let i = 0; i < 3; i++) await a.attempt(from(`100.64.0.${i}`), 'eve');
      for (let i = 0; i < 2; i++) await b.attempt(from(`100.64.1.${i}`), 'eve');
      assert.equal((await a.attempt(from('100.64.2.1'), 'eve')).allowed, false);
      assert.equal((await b.attempt(from('100.64.2.2'), 'eve')).allowed, false);
    });

    test('the window passes: attempts are allowed again', async () => {
      const throttle = new LoginThrottle({ store: make(), limit: 1, window: 1 });
      assert.equal((await throttle.attempt(from('10.1.1.1'), 'fay')).allowed, true);
      assert.equal((await throttle.attempt(from('10.1.1.2'), 'fay')).allowed, false);
      await new Promise((r) => setTimeout(r, 2100));
      assert.equal((await throttle.attempt(from('10.1.1.3'), 'fay')).allowed, true);
    });
  });
}

test('hostile user names (long, odd, __proto__) are counted, never thrown', async () => {
  const throttle = new LoginThrottle({ limit: 1 });
  const names = ['__proto__', 'constructor', 'x'.repeat(100_000), '\u0000\ud800', ''];
  for (const [i, name] of names.entries()) {
    assert.equal((await throttle.attempt(from(`172.16.0.${i}`), name)).allowed, true);
    assert.equal((await throttle.attempt(from(`172.16.1.${i}`), name)).allowed, false);
  }
});

test('options are checked when built', () => {
  assert.throws(() => new LoginThrottle({ limit: 0 }), AuthConfigError);
  assert.throws(() => new LoginThrottle({ window: 1.5 }), /window must be an integer/);
  assert.throws(() => new LoginThrottle({ max: 5 } as never), /unknown option "max"/);
});

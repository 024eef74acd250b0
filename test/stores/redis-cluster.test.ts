// RedisStore on a real Redis Cluster: a one-node cluster (all 16384 slots) that this file starts
// on free ports and stops at the end. Cluster mode refuses any command whose keys are in two
// slots (CROSSSLOT), so the contract suite here proves the store never sends one, whatever the
// ids and user ids. Review finding 4: a user id that starts with `}`, or is empty, gave the
// user index an empty hash tag, so "log out everywhere" failed with CROSSSLOT (and a 500).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Microdot } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import { RedisStore } from '../../src/stores/redis.js';
import { MODES } from '../helpers/clients.js';
import { type RedisCluster, startRedisCluster } from '../helpers/redis-cluster.js';
import { newId, storeContract } from './store-contract.js';

const prefix = `microdot-test:${randomBytes(6).toString('hex')}:`;
let redis: RedisCluster | undefined;
let cluster: RedisCluster['client'] | undefined;

before(async () => {
  redis = await startRedisCluster();
  cluster = redis.client;
});
after(() => redis?.stop());

storeContract('RedisStore (one-node cluster)', () => new RedisStore({ client: cluster!, prefix }));

describe('RedisStore on Redis Cluster', () => {
  test('finding 4: "log out everywhere" for user ids with an empty hash tag', async () => {
    const store = new RedisStore({ client: cluster!, prefix });
    for (const user of ['}', '}alice', '', '{}', '}{x']) {
      const ids = [newId(), newId()];
      for (const id of ids) {
        await store.set(id, { set: { user }, unset: [], replace: true }, { ttl: 60, userId: user });
      }
      assert.equal(await store.destroyAll(user), 2, `destroyAll(${JSON.stringify(user)})`);
      for (const id of ids) assert.equal(await store.get(id), undefined);
    }
  });

  for (const mode of MODES) {
    test(`finding 4: logins as "}alice" and "" end everywhere, no 500 [${mode.name}]`, async () => {
      const app = new Microdot();
      app.logError = () => {};
      const session = new Session(app, {
        secretKey: 'redis-cluster-secret-key-0123456789abcdef',
        store: new RedisStore({ client: cluster!, prefix }),
      });
      let next = '';
      app.post(
        '/login',
        withSession<{ userId?: string }>((_req, s) => {
          s.userId = next;
          s.regenerate();
          s.save();
          return 'ok';
        }),
      );
      app.get(
        '/me',
        withSession<{ userId?: string }>((_req, s) => JSON.stringify(s.userId ?? null)),
      );
      app.post('/everywhere', async () => String(await session.destroyAll(next)));
      for (const user of ['}alice', '']) {
        next = user;
        const laptop = await mode.client(app);
        const phone = await mode.client(app);
        for (const device of [laptop, phone]) {
          assert.equal((await device.post('/login')).statusCode, 200);
          assert.equal((await device.get('/me')).text, JSON.stringify(user));
        }
        const res = await laptop.post('/everywhere');
        assert.equal(res.statusCode, 200, `log out everywhere for ${JSON.stringify(user)}`);
        assert.equal(res.text, '2');
        assert.equal((await phone.get('/me')).text, 'null');
        assert.equal((await laptop.get('/me')).text, 'null');
      }
    });
  }
});

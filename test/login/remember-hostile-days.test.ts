// A remember record whose `days` are not what loginUser accepts (0 < days <= 3650; a hostile or
// damaged record) reads as no record: 1e308 days made the next generation's lifetime infinite (a
// 500), and days of 0 or less renewed into a token already expired.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';
import { loginApp, payloadOf } from './helpers.js';

describe('a remember record with hostile days', () => {
  for (const days of [1e308, -1, 0, 1e9])
    test(`days ${days} read as no record`, async () => {
      const store = new MemoryStore();
      const { app } = loginApp({ store });
      const first = await MODES[0]!.client(app);
      await first.post('/login/1?remember=true');
      const token = first.cookies()._remember!;
      const rid = payloadOf(token).rid as string;
      await store.set(rid, { set: { _remember: { user: 1, days } }, unset: [] }, { ttl: 600 });
      const client = await MODES[0]!.client(app, { cookies: { _remember: token } });
      const res = await client.get('/who');
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'nobody');
    });
});

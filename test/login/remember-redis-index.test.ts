// RedisStore's user index after remember-me restores: a renewal ends the renewed token's holder
// (and its index entry), so the index keeps no ids whose records are gone. Before, the holder was
// retired with a 60 s TTL by a patch naming no user; the index only moves an entry's score
// forward, so each restore left an id listed for the token's 30 days, which `list`
// (listSessions, destroyOthers, every maxSessionsPerUser check) read one by one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/stores/redis.js';
import { MODES } from '../helpers/clients.js';
import { REDIS_URL, redisTestPrefix } from '../helpers/redis-prefix.js';
import { loginApp, payloadOf } from './helpers.js';

const redis = redisTestPrefix('microdot-remember-redis-index');

describe('RedisStore user index after remember-me restores', () => {
  test('the index does not keep ids whose records are gone (or about to be) for 30 days', async () => {
    const prefix = `${redis.prefix}a:`;
    const store = redis.track(new RedisStore({ url: REDIS_URL, prefix }));
    const client = redis.track(new Redis(REDIS_URL));
    // maxSessionsPerUser bounds the sessions (an evicted session ends the holder it links).
    const { app, session } = loginApp({ store, maxSessionsPerUser: 3 });
    const first = await MODES[0]!.client(app);
    await first.post('/login/1?remember=true');
    let token = first.cookies()._remember!;
    const RESTORES = 40;
    for (let i = 0; i < RESTORES; i++) {
      // A browser without a session (or a thief) restores with the latest token, again and again.
      const browser = await MODES[0]!.client(app, { cookies: { _remember: token } });
      assert.equal((await browser.get('/who')).text, 'ana');
      // Time passes until the next restore (a day, say): the retired holder's 60 s are over.
      const retired = payloadOf(token).hid as string;
      await client.pexpire(`${prefix}s:{${retired}}`, 1);
      await client.pexpire(`${prefix}s:{${retired}}:user`, 1);
      token = browser.cookies()._remember!;
    }
    await new Promise((r) => setTimeout(r, 20));
    const index = `${prefix}uz:{u${Buffer.from('1').toString('base64url')}}`;
    const entries = await client.zrange(index, '0', '-1', 'WITHSCORES');
    const now = Date.now();
    const DAY = 86_400_000;
    let stale = 0;
    for (let i = 0; i < entries.length; i += 2) {
      const id = entries[i]!;
      const score = Number(entries[i + 1]);
      const pttl = await client.pttl(`${prefix}s:{${id}}`);
      // The index says the id lives more than a day longer than its record does.
      if (score - now > Math.max(pttl, 0) + DAY) stale++;
    }
    // listSessions shows the 3 sessions; `list` had to look at every id of the index.
    assert.equal((await session.listSessions(1)).length, 3);
    assert.ok(
      stale <= 1,
      `${stale} of ${entries.length / 2} index entries outlive their record by more than a day (after ${RESTORES} restores)`,
    );
  });
});

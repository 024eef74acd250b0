// Round trips to Redis per store-mode request, counted on the wire (a proxy in front of Redis
// reads what the client writes): what `npm run bench`'s Redis cases pay on every request, pinned
// so that a change cannot add one unnoticed, on an ioredis client and on a node-redis one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Microdot } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import type { NodeRedisClient } from '../../src/stores/node-redis-connection.js';
import { RedisStore } from '../../src/stores/redis.js';
import { SHAS } from '../../src/stores/redis-scripts.js';
import { META_KEY } from '../../src/stores/store.js';
import { TestClient } from '../../src/test-client.js';
import { startTcpProxy, type TcpProxy } from '../helpers/net.js';
import { nodeRedisClient, redisTestPrefix } from '../helpers/redis-prefix.js';
import { RespReader } from '../helpers/resp-reader.js';
import { payloadOf } from '../helpers/session-app.js';

const { prefix, track } = redisTestPrefix('microdot-test');
/**
 * What reached Redis, one entry per chunk a client sent: the commands it completed (a script by
 * its name). A client waits for the replies to one write before the next, so each is a round trip.
 */
const writes: string[][] = [];
const scriptOf = new Map(Object.entries(SHAS).map(([name, sha]) => [sha, name]));
const reader = new RespReader();
let proxy: TcpProxy;

before(async () => {
  proxy = await startTcpProxy(6379, (chunk) => {
    const commands = reader.read(chunk).map(([name = '', sha = '']) => {
      const script = name.toLowerCase() === 'evalsha' ? scriptOf.get(sha) : undefined;
      return script === undefined ? name.toLowerCase() : `evalsha ${script}`;
    });
    if (commands.length > 0) writes.push(commands);
  });
});
after(() => proxy.close());

function app(client: Redis | NodeRedisClient) {
  const a = new Microdot();
  new Session(a, {
    secretKey: 'round-trips-secret-0123456789-abcdefghij',
    store: new RedisStore({ client, prefix }),
  });
  a.get(
    '/count',
    withSession<{ n?: number }>((_req, s) => {
      s.n = (s.n ?? 0) + 1;
      s.save();
      return String(s.n);
    }),
  );
  a.get(
    '/login',
    withSession<{ userId?: string; n?: number }>((_req, s) => {
      s.userId = `u-${randomBytes(4).toString('hex')}`;
      s.save();
      return 'in';
    }),
  );
  a.get(
    '/read',
    withSession<{ n?: number }>((_req, s) => String(s.n ?? 0)),
  );
  return a;
}

/**
 * The writes one request makes to Redis (after a first request that loaded the scripts): each
 * waits for the replies to the one before, so there are as many round trips as writes.
 */
async function writesOf(c: TestClient, path: string): Promise<string[][]> {
  writes.length = 0;
  assert.equal((await c.get(path)).statusCode, 200);
  return [...writes];
}

for (const kind of ['ioredis', 'node-redis'] as const) {
  describe(`on ${kind}`, () => {
    let client: Redis | NodeRedisClient;
    before(() => {
      const url = `redis://127.0.0.1:${proxy.port}`;
      client = track(
        kind === 'ioredis' ? new Redis(url, { enableAutoPipelining: true }) : nodeRedisClient(url),
      );
    });

    test('a read + write of a store session: one round trip to read, one to write', async () => {
      const c = new TestClient(app(client));
      await c.get('/count');
      await c.get('/count');
      assert.deepEqual(await writesOf(c, '/count'), [['hgetall'], ['evalsha set']]);
      assert.deepEqual(await writesOf(c, '/read'), [['hgetall']]);
      assert.equal((await c.get('/read')).text, '3');
    });

    test('a logged-in session: the user index goes out with the write, ahead of it', async () => {
      const c = new TestClient(app(client));
      await c.get('/login');
      await c.get('/count');
      assert.deepEqual(await writesOf(c, '/count'), [
        ['hgetall'],
        ['evalsha index', 'evalsha set'],
      ]);
      assert.equal((await c.get('/read')).text, '2');
    });

    test("a logged-in session's once-a-minute lastSeenAt write: also two round trips", async () => {
      const store = new RedisStore({ client, prefix });
      const c = new TestClient(app(client));
      await c.get('/login');
      // Seen ten minutes ago, as far as the store knows: this read writes lastSeenAt.
      const sid = payloadOf(c.cookies().session!).sid as string;
      const stale = Math.floor(Date.now() / 1000) - 600;
      await store.set(
        sid,
        { set: { [META_KEY]: { createdAt: stale, lastSeenAt: stale } }, unset: [] },
        { ttl: 3600 },
      );
      assert.deepEqual(await writesOf(c, '/read'), [['hgetall'], ['evalsha index', 'evalsha set']]);
      // Written: the next read within the minute is a read only.
      assert.deepEqual(await writesOf(c, '/read'), [['hgetall']]);
    });
  });
}

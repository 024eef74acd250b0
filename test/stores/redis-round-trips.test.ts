// Round trips to Redis per store-mode request, counted on the client: what `npm run bench`'s
// Redis case pays on every request, pinned so that a change cannot add one unnoticed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { Microdot } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import { RedisStore } from '../../src/stores/redis.js';
import { TestClient } from '../../src/test-client.js';
import { REDIS_URL, redisTestPrefix } from '../helpers/redis-prefix.js';

const { prefix, track } = redisTestPrefix('microdot-test');
const client = track(new Redis(REDIS_URL, { enableAutoPipelining: true }));
/** The commands sent, by name. */
const sent: string[] = [];
const send = client.sendCommand.bind(client);
client.sendCommand = ((command: { name: string }) => {
  sent.push(command.name);
  return send(command as Parameters<typeof send>[0]);
}) as typeof client.sendCommand;

function app() {
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

/** The commands one request sends (after a first one that loads the scripts). */
async function commandsOf(c: TestClient, path: string): Promise<string[]> {
  sent.length = 0;
  assert.equal((await c.get(path)).statusCode, 200);
  return [...sent];
}

test('a read + write of a store session: one read and one write, no more', async () => {
  const c = new TestClient(app());
  await c.get('/count');
  await c.get('/count');
  assert.deepEqual(await commandsOf(c, '/count'), ['hgetall', 'evalsha']);
  assert.deepEqual(await commandsOf(c, '/read'), ['hgetall']);
  assert.equal((await c.get('/read')).text, '3');
});

test('a logged-in session: the read, the user index and the write', async () => {
  const c = new TestClient(app());
  await c.get('/login');
  await c.get('/count');
  assert.deepEqual(await commandsOf(c, '/count'), ['hgetall', 'evalsha', 'evalsha']);
});

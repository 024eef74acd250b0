// Round trips to Redis per store-mode request, counted on the client's socket: what `npm run
// bench`'s Redis cases pay on every request, pinned so that a change cannot add one unnoticed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { Microdot } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import { RedisStore } from '../../src/stores/redis.js';
import { SHAS } from '../../src/stores/redis-scripts.js';
import { META_KEY } from '../../src/stores/store.js';
import { TestClient } from '../../src/test-client.js';
import { REDIS_URL, redisTestPrefix } from '../helpers/redis-prefix.js';
import { payloadOf } from '../helpers/session-app.js';

const { prefix, track } = redisTestPrefix('microdot-test');
const client = track(new Redis(REDIS_URL, { enableAutoPipelining: true }));
/** What went to Redis, one entry per write on the socket: the commands that write carried. */
const writes: string[][] = [];
/** Commands handed to the client and not written yet (a pipeline writes them all at once). */
let unsent: string[] = [];
const scriptOf = new Map(Object.entries(SHAS).map(([name, sha]) => [sha, name]));
const send = client.sendCommand.bind(client);
client.sendCommand = ((command: { name: string; args: unknown[] }, stream?: unknown) => {
  const script = command.name === 'evalsha' ? scriptOf.get(String(command.args[0])) : undefined;
  unsent.push(script === undefined ? command.name : `${command.name} ${script}`);
  type Args = Parameters<typeof send>;
  return send(command as Args[0], stream as Args[1]);
}) as typeof client.sendCommand;
client.on('ready', () => {
  const socket = client.stream;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    writes.push(unsent);
    unsent = [];
    return write(...args);
  }) as typeof socket.write;
});

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

/**
 * The writes one request makes to Redis (after a first request that loaded the scripts): each
 * waits for the replies to the one before, so there are as many round trips as writes.
 */
async function writesOf(c: TestClient, path: string): Promise<string[][]> {
  writes.length = 0;
  unsent = [];
  assert.equal((await c.get(path)).statusCode, 200);
  assert.deepEqual(unsent, [], 'every command was written');
  return [...writes];
}

test('a read + write of a store session: one round trip to read, one to write', async () => {
  const c = new TestClient(app());
  await c.get('/count');
  await c.get('/count');
  assert.deepEqual(await writesOf(c, '/count'), [['hgetall'], ['evalsha set']]);
  assert.deepEqual(await writesOf(c, '/read'), [['hgetall']]);
  assert.equal((await c.get('/read')).text, '3');
});

test('a logged-in session: the user index goes out with the write, ahead of it', async () => {
  const c = new TestClient(app());
  await c.get('/login');
  await c.get('/count');
  assert.deepEqual(await writesOf(c, '/count'), [['hgetall'], ['evalsha index', 'evalsha set']]);
  assert.equal((await c.get('/read')).text, '2');
});

test("a logged-in session's once-a-minute lastSeenAt write: also two round trips", async () => {
  const store = new RedisStore({ client, prefix });
  const c = new TestClient(app());
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

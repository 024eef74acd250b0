// RedisStore on a real Redis Cluster: a one-node cluster (all 16384 slots) that this file starts
// on free ports and stops at the end. Cluster mode refuses any command whose keys are in two
// slots (CROSSSLOT), so the contract suite here proves the store never sends one, whatever the
// ids and user ids. Review finding 4: a user id that starts with `}`, or is empty, gave the
// user index an empty hash tag, so "log out everywhere" failed with CROSSSLOT (and a 500).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { Microdot } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import { RedisStore } from '../../src/stores/redis.js';
import { MODES } from '../helpers/clients.js';
import { freePort } from '../helpers/net.js';
import { newId, storeContract, waitFor } from './store-contract.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'microdot-redis-cluster-'));
const prefix = `microdot-test:${randomBytes(6).toString('hex')}:`;
let port = 0;
let server: ChildProcess | undefined;
let cluster: Cluster | undefined;

/** Whether 127.0.0.1:`p` can be listened on now. */
async function isFree(p: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(p, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port whose cluster-bus port (port + 10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p + 10000 <= 65535 && (await isFree(p + 10000))) return p;
  }
}

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

before(async () => {
  port = await clusterPort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      // Without it the node reports its address as '' in CLUSTER SLOTS (it has met no peer),
      // and clients cannot follow the slot map.
      '--cluster-announce-ip',
      '127.0.0.1',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  server = child;
  await waitFor(
    async () => {
      if (child.exitCode !== null) assert.fail(`redis-server exited with ${child.exitCode}`);
      return cli('ping').then(
        (out) => out.trim() === 'PONG',
        () => false,
      );
    },
    10_000,
    'redis-server to start',
  );
  await cli('cluster', 'addslotsrange', '0', '16383');
  await waitFor(
    async () => (await cli('cluster', 'info')).includes('cluster_state:ok'),
    10_000,
    'cluster_state:ok',
  );
  cluster = new Cluster([{ host: '127.0.0.1', port }]);
  await waitFor(() => cluster!.status === 'ready', 10_000, 'the cluster client');
});

after(async () => {
  await cluster?.quit().catch(() => cluster?.disconnect());
  const child = server;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

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

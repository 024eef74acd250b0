// A one-node Redis Cluster (all 16384 slots) for tests: redis-server --cluster-enabled yes on free
// ports, started by the test file that needs it and stopped by it.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { freePort } from './net.js';

const run = promisify(execFile);

/** A running one-node cluster and a client of it. */
export interface RedisCluster {
  readonly port: number;
  readonly client: Cluster;
  /** Closes the client, kills the server and removes its folder. */
  stop(): Promise<void>;
}

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

async function until(check: () => Promise<boolean>, what: string, child: ChildProcess) {
  const deadline = Date.now() + 10_000;
  while (!(await check().catch(() => false))) {
    if (child.exitCode !== null) assert.fail(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts a one-node cluster and waits for `cluster_state:ok` and a ready client. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'microdot-redis-cluster-'));
  const port = await clusterPort();
  const cli = async (...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;
  const child = spawn(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'],
      // Without it the node reports its address as '' in CLUSTER SLOTS (it has met no peer),
      // and clients cannot follow the slot map.
      ...['--cluster-announce-ip', '127.0.0.1'],
      ...['--cluster-config-file', join(dir, 'nodes.conf'), '--save', '', '--appendonly', 'no'],
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(async () => (await cli('ping')).trim() === 'PONG', 'redis-server', child);
    await cli('cluster', 'addslotsrange', '0', '16383');
    await until(
      async () => (await cli('cluster', 'info')).includes('cluster_state:ok'),
      'cluster_state:ok',
      child,
    );
    const client = new Cluster([{ host: '127.0.0.1', port }]);
    await until(async () => client.status === 'ready', 'the cluster client', child);
    return {
      port,
      client,
      stop: async () => {
        await client.quit().catch(() => client.disconnect());
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

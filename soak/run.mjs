// `npm run soak`: load and soak of the login example, 127.0.0.1 only, bounded in time and count.
// Not a unit test. For each mode (cookie, encrypted, redis) it starts soak/server.mjs in its own
// process (pinned to core 0 when taskset and two cores are there; the load runs on core 1), logs
// in SOAK_CLIENTS clients, each with its own session, and has each loop for SOAK_SECONDS on
// POST /soak/incr (read-modify-write), with a GET / (must greet its own name) and a GET
// /soak/ping (no session) every 10 requests. In redis mode the store is a redis-server of our
// own (temp dir, free port, AOF with fsync always), killed with SIGKILL part-way and restarted on
// the same port and directory while the app keeps running.
//
// Environment: SOAK_CLIENTS (50), SOAK_SECONDS (15, per mode), SOAK_MODES (cookie,encrypted,redis),
// SOAK_RSS_GROWTH_MIB (16: the most the app's RSS may grow over the second half of a mode's run;
// the first half is warm-up: JIT, heap sizing, sockets).
// Exits 1 when any check fails; the last line is `soak: N passed, M failed`.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { redisPing } from '../bench/lib/redis-ping.mjs';

const CLIENTS = positive('SOAK_CLIENTS', 50);
const SECONDS = positive('SOAK_SECONDS', 15);
const RSS_GROWTH_MIB = positive('SOAK_RSS_GROWTH_MIB', 16);
const MODES = (process.env.SOAK_MODES ?? 'cookie,encrypted,redis')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const SECRET_KEY = randomBytes(32).toString('base64url');
const REQUEST_TIMEOUT_MS = 10_000;
const RECOVERY_LIMIT_MS = 5_000;
/** Whole run: every mode's load plus generous start-up and teardown, then we give up. */
const WATCHDOG_MS = MODES.length * (SECONDS + 60) * 1000;

function positive(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 10_000) {
    throw new Error(`${name} must be an integer from 1 to 10000, got ${JSON.stringify(raw)}`);
  }
  return value;
}

for (const mode of MODES) {
  if (!['cookie', 'encrypted', 'redis'].includes(mode)) {
    throw new Error(`SOAK_MODES: unknown mode "${mode}" (cookie, encrypted, redis)`);
  }
}
if (MODES.includes('redis') && SECONDS < 3) {
  throw new Error('SOAK_SECONDS must be at least 3 in redis mode (outage and recovery need time)');
}

// ---------------------------------------------------------------------------------------------
// Child processes: every one we start is killed when we exit, however we exit.

const children = new Set();
const tempDirs = new Set();

function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nsoak: ${signal}, stopping`);
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`soak: watchdog: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  process.exit(1);
}, WATCHDOG_MS).unref();

const PIN = (() => {
  if (availableParallelism() < 2 || spawnSync('taskset', ['-c', '1', 'true']).status !== 0) {
    return { app: undefined, label: 'no pinning (needs taskset and 2 cores)' };
  }
  spawnSync('taskset', ['-pc', '1', String(process.pid)]);
  return { app: '0', label: 'app on core 0, load on core 1 (taskset)' };
})();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Stops a child: `signal`, then SIGKILL if it is still there after `graceMs`. */
async function stop(child, signal = 'SIGTERM', graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

async function startApp(mode, env) {
  const node = [process.execPath, '--expose-gc', SERVER];
  const argv = PIN.app ? ['taskset', '-c', PIN.app, ...node] : node;
  const child = track(
    spawn(argv[0], argv.slice(1), {
      env: { ...process.env, NODE_ENV: 'production', SOAK_MODE: mode, SECRET_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const port = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`app: no LISTENING line in 15 s\n${stderr}`)),
      15_000,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${signal ?? code}) before listening\n${stderr}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const match = /^LISTENING (\d+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  child.removeAllListeners('exit');
  child.once('exit', () => children.delete(child));
  // For the real pid (not taskset's, which execs node in place: the same pid).
  return { child, port, pid: child.pid, stderr: () => stderr };
}

/** Resident set size of `pid` in KiB, now. */
function rssNow(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of `pid` in KiB, after asking it for a full GC. */
async function rssKiB(pid) {
  try {
    process.kill(pid, 'SIGUSR2');
    await sleep(300);
    return rssNow(pid);
  } catch {
    return Number.NaN;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Our own redis-server: AOF with fsync always, no RDB, 127.0.0.1 only, in `dir`, on `port`. */
async function startRedis(dir, port) {
  const child = track(
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--daemonize',
        'no',
        '--logfile',
        join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    ),
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
    if (await redisPing(port)) return child;
    await sleep(20);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} not ready in 10 s`);
}

// ---------------------------------------------------------------------------------------------
// HTTP

function send(agent, port, method, path, { cookie, json, form } = {}) {
  return new Promise((resolve) => {
    const headers = {};
    let body;
    if (json !== undefined) {
      body = JSON.stringify(json);
      headers['content-type'] = 'application/json';
    } else if (form !== undefined) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    if (cookie !== undefined) headers.cookie = `session=${cookie}`;
    const start = performance.now();
    const fail = (error) =>
      resolve({ status: 0, error: error.message, start, end: performance.now(), body: '' });
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            start,
            end: performance.now(),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', fail);
    req.end(body);
  });
}

/** The session cookie a response sets: a value, null when it deletes it, undefined if none. */
function sessionCookie(res) {
  for (const line of res.headers?.['set-cookie'] ?? []) {
    const match = /^session=([^;]*)/.exec(line);
    if (!match) continue;
    const deleted = match[1] === '' || /;\s*max-age=0\b/i.test(line);
    return deleted ? null : match[1];
  }
  return undefined;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// One mode

function newStats() {
  return {
    requests: 0,
    latencies: [],
    byStatus: new Map(),
    /** Every 5xx (and network error) with its timing, classified once the fault times are known. */
    failures: [],
    /** Responses that were not what this client should see: foreign or missing user or secret. */
    leaks: 0,
    leakSamples: [],
    /** Responses showing an empty session where the client's own should have been. */
    missing: 0,
    missingSamples: [],
    /** Other wrong answers: a bad status on GET /soak/ping, an unexpected 4xx, a bad body. */
    wrong: 0,
    wrongSamples: [],
    /** Acknowledged increments not found later (count went back or stood still). */
    lost: 0,
    /** Increments applied by a request that failed (an ambiguous write: allowed, reported). */
    phantom: 0,
    failedIncr: 0,
    acked: 0,
    recoveredAt: undefined,
    outage: { incr503: 0, incrOther: 0, ping: 0, pingOk: 0 },
  };
}

function note(list, text) {
  if (list.length < 5) list.push(text);
}

async function runMode(mode) {
  const stats = newStats();
  const fault = { down: false, killAt: undefined, restartAt: undefined, readyAt: undefined };
  let redis;
  let redisDir;
  let redisPort;
  const env = {};
  if (mode === 'redis') {
    redisDir = mkdtempSync(join(tmpdir(), 'soak-redis-'));
    tempDirs.add(redisDir);
    redisPort = await freePort();
    redis = await startRedis(redisDir, redisPort);
    env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
    env.REDIS_PREFIX = `soak-${process.pid}-${randomBytes(4).toString('hex')}:`;
  }
  const app = await startApp(mode, env);
  const agent = new Agent({ keepAlive: true, noDelay: true, maxSockets: CLIENTS + 10 });
  const rssIdle = await rssKiB(app.pid);

  /**
   * Whether `data` is `c`'s own session. Another client's user name or secret is a leak; no user
   * or no secret is a session lost (its data gone: a fresh empty session answered instead).
   */
  const judge = (c, data, what) => {
    const username = data?.username ?? null;
    const secret = data?.secret ?? null;
    if ((username !== null && username !== c.name) || (secret !== null && secret !== c.secret)) {
      stats.leaks++;
      note(stats.leakSamples, `${c.name}: ${what}`);
      return false;
    }
    if (username === null || (secret === null && data?.secret !== undefined)) {
      stats.missing++;
      note(stats.missingSamples, `${c.name}: ${what}`);
      return false;
    }
    return true;
  };

  const record = (res, path) => {
    stats.requests++;
    stats.latencies.push(res.end - res.start);
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    if (res.status === 0 || res.status >= 500) {
      stats.failures.push({ path, status: res.status, start: res.start, end: res.end });
    }
  };

  // Log everyone in first (not timed): POST / answers 302 with the session cookie.
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const name = `client-${i}`;
    const res = await send(agent, app.port, 'POST', '/', { form: { username: name } });
    const cookie = sessionCookie(res);
    if (res.status !== 302 || typeof cookie !== 'string') {
      throw new Error(`${mode}: login of ${name} gave ${res.status} ${res.error ?? ''}`);
    }
    clients.push({ name, secret: randomBytes(12).toString('base64url'), cookie });
  }

  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  const warmEnd = t0 + SECONDS * 500;

  // RSS: idle, half-way (the end of warm-up) and at the end, each after a full GC in the app.
  let rssMid = Number.NaN;
  const rssTrace = [];
  const rssTimer = (async () => {
    await sleep(warmEnd - performance.now());
    rssMid = await rssKiB(app.pid);
    // Without GC, a twentieth of the run apart: the shape of the curve, for the report.
    while (performance.now() < deadline) {
      rssTrace.push(rssNow(app.pid));
      await sleep(Math.min(SECONDS * 50, deadline - performance.now()));
    }
  })();

  // Fault injection (redis): kill -9 at 30 %, down for max(1 s, 20 %), restart on the same port
  // with the same AOF directory; the rest of the run shows the recovery.
  const faultTask =
    mode !== 'redis'
      ? Promise.resolve()
      : (async () => {
          await sleep(SECONDS * 300);
          fault.down = true;
          fault.killAt = performance.now();
          redis.kill('SIGKILL');
          await exited(redis);
          await sleep(Math.max(1000, SECONDS * 200));
          fault.restartAt = performance.now();
          redis = await startRedis(redisDir, redisPort);
          fault.readyAt = performance.now();
          fault.down = false;
        })();

  const loop = async (c) => {
    let last = 0;
    let failedSince = 0;
    let secretSent = false;
    for (let n = 0; performance.now() < deadline; n++) {
      const downAtStart = fault.down;
      const res = await send(agent, app.port, 'POST', '/soak/incr', {
        cookie: c.cookie,
        ...(secretSent ? {} : { json: { secret: c.secret } }),
      });
      record(res, 'incr');
      const set = sessionCookie(res);
      if (set !== undefined) c.cookie = set ?? undefined;
      if (downAtStart && fault.down) {
        if (res.status === 503) stats.outage.incr503++;
        else stats.outage.incrOther++;
      }
      if (res.status === 200) {
        // Recovery: the first acknowledged increment that ended after Redis was restarted.
        if (fault.restartAt !== undefined && res.end >= fault.restartAt) {
          stats.recoveredAt ??= res.end;
        }
        secretSent = true;
        stats.acked++;
        const data = parseJson(res.body);
        judge(c, data, `POST /soak/incr gave ${res.body.slice(0, 120)}`);
        const count = data?.count;
        if (typeof count !== 'number' || count < last + 1) {
          stats.lost += Math.max(1, last + 1 - (count ?? 0));
          note(stats.wrongSamples, `${c.name}: count ${count} after ${last}`);
        } else if (count > last + 1) {
          // Applied by requests that answered 503: fine if there were that many.
          stats.phantom += count - last - 1;
          if (count - last - 1 > failedSince) {
            stats.wrong++;
            note(
              stats.wrongSamples,
              `${c.name}: count ${count} after ${last}, ${failedSince} failed`,
            );
          }
        }
        if (typeof count === 'number') last = count;
        failedSince = 0;
      } else {
        failedSince++;
        stats.failedIncr++;
        if (res.status !== 503 && res.status < 500 && res.status !== 0) {
          stats.wrong++;
          note(
            stats.wrongSamples,
            `${c.name}: POST /soak/incr ${res.status} ${res.body.slice(0, 80)}`,
          );
        }
        if (res.status !== 200 && fault.down) await sleep(20); // no busy loop while down
      }
      if (n % 10 === 5) {
        const home = await send(agent, app.port, 'GET', '/', { cookie: c.cookie });
        record(home, 'home');
        const set2 = sessionCookie(home);
        if (set2 !== undefined) c.cookie = set2 ?? undefined;
        if (home.status === 200 && !home.body.includes(`Hello <b>${c.name}</b>!`)) {
          const who = /Hello <b>([^<]*)<\/b>/.exec(home.body)?.[1];
          judge(c, { username: who ?? null }, `GET / greeted ${who ?? 'nobody'}`);
        } else if (home.status !== 200 && home.status !== 503 && home.status !== 0) {
          stats.wrong++;
          note(stats.wrongSamples, `${c.name}: GET / ${home.status}`);
        }
      }
      if (n % 10 === 0) {
        const downAtStart = fault.down;
        const ping = await send(agent, app.port, 'GET', '/soak/ping');
        record(ping, 'ping');
        const down = downAtStart && fault.down;
        if (down) stats.outage.ping++;
        if (ping.status === 200 && down) stats.outage.pingOk++;
        if (ping.status !== 200) {
          stats.wrong++;
          note(stats.wrongSamples, `GET /soak/ping ${ping.status} ${ping.error ?? ''}`);
        }
      }
    }
    c.last = last;
    c.failedSince = failedSince;
  };

  await Promise.all(clients.map(loop));
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all([faultTask, rssTimer]);
  const rssEnd = await rssKiB(app.pid);

  // Final state of every session (with the store back, if it was down): nothing acked lost.
  for (const c of clients) {
    let res;
    for (let attempt = 0; attempt < 20; attempt++) {
      res = await send(agent, app.port, 'GET', '/soak/state', { cookie: c.cookie });
      if (res.status !== 503) break;
      await sleep(250);
    }
    const data = parseJson(res.body);
    const what = `final GET /soak/state gave ${res.status} ${res.body.slice(0, 120)}`;
    if (res.status !== 200 || !judge(c, data, what)) continue;
    if (data.count < c.last) {
      stats.lost += c.last - data.count;
      note(stats.wrongSamples, `${c.name}: final count ${data.count}, last acknowledged ${c.last}`);
    } else if (data.count > c.last) {
      stats.phantom += data.count - c.last;
      if (data.count - c.last > c.failedSince) {
        stats.wrong++;
        note(stats.wrongSamples, `${c.name}: final count ${data.count} after ${c.last}`);
      }
    }
  }

  const appAlive = app.child.exitCode === null && app.child.signalCode === null;
  agent.destroy();
  await stop(app.child);
  if (redis !== undefined) await stop(redis);
  if (redisDir !== undefined) {
    rmSync(redisDir, { recursive: true, force: true });
    tempDirs.delete(redisDir);
  }

  const recoveredAt = stats.recoveredAt;
  return {
    mode,
    stats,
    fault,
    elapsed,
    rssIdle,
    rssMid,
    rssEnd,
    rssTrace,
    appAlive,
    recoveredAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const quantile = (sorted, q) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const mib = (kib) => (Number.isNaN(kib) ? '?' : `${(kib / 1024).toFixed(1)}`);

function evaluate(result) {
  const { mode, stats, fault } = result;
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name: `${mode}: ${name}`, ok, detail });

  let fiveXX = 0;
  let outage503 = 0;
  let network = 0;
  for (const f of stats.failures) {
    if (f.status === 0) network++;
    else fiveXX++;
    const duringOutage =
      f.status === 503 &&
      fault.killAt !== undefined &&
      f.end >= fault.killAt &&
      (result.recoveredAt === undefined || f.start <= result.recoveredAt);
    if (duringOutage) outage503++;
  }
  const unexpected5xx = fiveXX - outage503;
  check(
    'no 5xx (except 503 while Redis is down)',
    unexpected5xx === 0 && network === 0,
    `${unexpected5xx} unexpected 5xx, ${network} network errors`,
  );
  check(
    'no cross-client leak',
    stats.leaks === 0,
    stats.leakSamples.length ? stats.leakSamples.join('; ') : '0',
  );
  check(
    'no lost update, no session lost',
    stats.lost === 0 && stats.missing === 0,
    `${stats.acked} acknowledged increments, ${stats.lost} lost, ${stats.phantom} applied by a failed request; ${stats.missing} answers with the session gone${stats.missingSamples.length ? ` (${stats.missingSamples.join('; ')})` : ''}`,
  );
  check(
    'every other answer as expected',
    stats.wrong === 0,
    stats.wrongSamples.length ? stats.wrongSamples.join('; ') : '0',
  );
  const growth = result.rssEnd - result.rssMid;
  check(
    `RSS flat (≤ ${RSS_GROWTH_MIB} MiB growth over the second half)`,
    Number.isFinite(growth) && growth <= RSS_GROWTH_MIB * 1024,
    `idle ${mib(result.rssIdle)}, half-way ${mib(result.rssMid)}, end ${mib(result.rssEnd)} MiB (${growth >= 0 ? '+' : ''}${mib(growth)}; after GC); every tenth of the second half ${result.rssTrace.map(mib).join(' ')}`,
  );
  if (mode === 'redis') {
    const o = stats.outage;
    check(
      'Redis down: requests needing the store get 503',
      o.incr503 > 0 && o.incrOther === 0,
      `${o.incr503} × 503, ${o.incrOther} other answers`,
    );
    check(
      'Redis down: the no-session route answers 200',
      o.ping > 0 && o.pingOk === o.ping,
      `${o.pingOk}/${o.ping} × 200`,
    );
    const recovery =
      result.recoveredAt === undefined ? Number.NaN : result.recoveredAt - fault.readyAt;
    check(
      `recovers without restarting the app (≤ ${RECOVERY_LIMIT_MS / 1000} s)`,
      result.appAlive && recovery <= RECOVERY_LIMIT_MS,
      `first 200 ${Number.isNaN(recovery) ? 'never' : `${recovery.toFixed(0)} ms`} after Redis was back (down ${((fault.readyAt - fault.killAt) / 1000).toFixed(1)} s), app pid unchanged: ${result.appAlive}`,
    );
  }
  return { checks, fiveXX, outage503, growth };
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) =>
          i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]),
        )
        .join('  '),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------

console.log(
  `soak: ${CLIENTS} clients × ${SECONDS} s per mode (${MODES.join(', ')}); ${PIN.label}; node ${process.version}`,
);
const rows = [
  [
    'mode',
    'requests',
    'req/s',
    'p50 ms',
    'p99 ms',
    '5xx',
    '503 outage',
    'leaks',
    'lost',
    'rss idle/mid/end MiB',
    'growth MiB',
    'result',
  ],
];
const allChecks = [];
for (const mode of MODES) {
  process.stdout.write(`soak: ${mode}… `);
  let result;
  try {
    result = await runMode(mode);
  } catch (error) {
    // A mode that cannot run (no redis-server, an app that does not start) is a failed check.
    cleanup();
    console.log('could not run');
    allChecks.push({ name: `${mode}: runs`, ok: false, detail: error.message.split('\n')[0] });
    rows.push([mode, ...Array(rows[0].length - 2).fill('-'), 'FAIL']);
    continue;
  }
  const { checks, fiveXX, outage503, growth } = evaluate(result);
  allChecks.push(...checks);
  console.log(`${result.stats.requests} requests in ${result.elapsed.toFixed(1)} s`);
  const sorted = Float64Array.from(result.stats.latencies).sort();
  rows.push([
    mode,
    result.stats.requests,
    Math.round(result.stats.requests / result.elapsed),
    quantile(sorted, 0.5).toFixed(2),
    quantile(sorted, 0.99).toFixed(2),
    fiveXX,
    outage503,
    result.stats.leaks,
    result.stats.missing === 0
      ? result.stats.lost
      : `${result.stats.lost} (+${result.stats.missing} gone)`,
    `${mib(result.rssIdle)}/${mib(result.rssMid)}/${mib(result.rssEnd)}`,
    `${growth >= 0 ? '+' : ''}${mib(growth)}`,
    checks.every((c) => c.ok) ? 'PASS' : 'FAIL',
  ]);
}
console.log(`\n${table(rows)}\n`);
for (const c of allChecks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name} — ${c.detail}`);
const failed = allChecks.filter((c) => !c.ok).length;
console.log(`soak: ${allChecks.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;

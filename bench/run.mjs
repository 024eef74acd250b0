// `npm run bench`: microdot-ts against raw node:http and the session peers, side by side in one
// run. Each server is started pinned to core 0, checked for correctness, then loaded from core 1
// in interleaved rounds; the table gives the median req/s and p99 of each case and the median of
// its per-round ratios to raw-hello, sampled in the same round (right before the case, for the
// cases with a ratio target). Numbers belong in the README, never in tests.
//
// Environment: BENCH_SECONDS (5), BENCH_ROUNDS (5), BENCH_CASES (comma list; raw-hello is
// always included), BENCH_MEMORY (1; 0 skips the memory case), BENCH_MEMORY_REQUESTS (100000),
// BENCH_TOOL=autocannon (use autocannon even where wrk is installed), BENCH_REALTIME (1; 0 skips
// the WebSocket echo and SSE fan-out rows, whose names BENCH_CASES also takes: ws-echo, sse-fanout).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CASES,
  CheckError,
  check,
  craftedCookie,
  issuedCookie,
  userCookies,
} from './lib/cases.mjs';
import { detectTool, runLoad } from './lib/load.mjs';
import { REALTIME_CASES, realtimeTable } from './lib/realtime.mjs';
import { redisCpuMicros, redisPing } from './lib/redis-ping.mjs';
import { cpuMicros, killAll, rssKiB, startServer } from './lib/server.mjs';
import { tcpOpen } from './lib/tcp-open.mjs';

const SECONDS = positive('BENCH_SECONDS', 5);
const ROUNDS = positive('BENCH_ROUNDS', 5);
const MEMORY = process.env.BENCH_MEMORY !== '0';
const MEMORY_REQUESTS = positive('BENCH_MEMORY_REQUESTS', 100_000);
const WARMUP_SECONDS = Math.min(2, SECONDS);
const SECRET_KEY = randomBytes(32).toString('base64url');
const serverFile = (name) => fileURLToPath(new URL(`./servers/${name}.mjs`, import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/latest.md', import.meta.url));

function positive(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Core pinning: servers on core 0, the load generator on core 1, when the machine allows it. */
function pinning() {
  if (availableParallelism() < 2) return { server: undefined, load: undefined, label: 'none' };
  const ok = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  return ok
    ? { server: '0', load: '1', label: 'server on core 0, load on core 1 (taskset)' }
    : { server: undefined, load: undefined, label: 'none (taskset missing)' };
}

function selectedCases() {
  const wanted = (process.env.BENCH_CASES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = [...CASES, ...REALTIME_CASES].map((c) => c.name);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new Error(`unknown BENCH_CASES ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  const realtime =
    process.env.BENCH_REALTIME === '0'
      ? []
      : REALTIME_CASES.filter((c) => !wanted.length || wanted.includes(c.name));
  if (!wanted.length) return { http: CASES, realtime };
  // Only real-time cases asked for: no HTTP case (not even raw-hello) is run.
  if (!CASES.some((c) => wanted.includes(c.name))) return { http: [], realtime };
  return { http: CASES.filter((c) => c.name === 'raw-hello' || wanted.includes(c.name)), realtime };
}

/** Starts a server only to take the cookie it issues, then stops it. */
async function cookieIssuedBy(name, pin) {
  const server = await startServer(serverFile(name), { cpu: pin, env: { SECRET_KEY } });
  try {
    return await issuedCookie(server.port);
  } finally {
    await server.stop();
  }
}

/** Starts and checks one case; returns the running entry, or records why it cannot run. */
async function prepare(c, pin, tool, services) {
  // pairs: for each case this one is compared with, its paired ratios by req/s and by CPU time.
  const entry = { case: c, samples: [], ratios: [], cpuRatios: [], pairs: new Map() };
  if (c.redis && !services.redis) {
    entry.unavailable = 'Redis not reachable at 127.0.0.1:6379';
    return entry;
  }
  if (c.postgres && !services.postgres) {
    entry.unavailable = 'PostgreSQL not reachable at 127.0.0.1:5432';
    return entry;
  }
  try {
    entry.server = await startServer(serverFile(c.server ?? c.name), {
      cpu: pin.server,
      env: { SECRET_KEY, ...c.env },
    });
  } catch (err) {
    entry.unavailable = err.message;
    return entry;
  }
  try {
    if (c.users) {
      const cookies = await userCookies(c.users, c.sealed, SECRET_KEY, entry.server.port);
      // The first, a middle and the last user's cookies are checked in full.
      for (const i of [0, c.users >> 1, c.users - 1]) {
        await check(c, entry.server.port, cookies[i]);
      }
      entry.cookie = cookies[0];
      entry.cookiesFile = join(tmpdir(), `microdot-bench-${process.pid}-${c.name}.txt`);
      writeFileSync(entry.cookiesFile, `${cookies.join('\n')}\n`);
    } else {
      if (c.cookie === 'craft') entry.cookie = craftedCookie(SECRET_KEY);
      else if (c.cookie === 'self') entry.cookie = await issuedCookie(entry.server.port);
      else entry.cookie = await cookieIssuedBy(c.cookie, pin.server);
      await check(c, entry.server.port, entry.cookie);
    }
    // Warm-up (JIT, connection pools) outside the timed rounds.
    const warm = await runLoad(tool, {
      port: entry.server.port,
      cookie: entry.cookie,
      cookiesFile: entry.cookiesFile,
      seconds: WARMUP_SECONDS,
      cpu: pin.load,
    });
    if (warm.non2xx) throw new CheckError(`${warm.non2xx} non-2xx responses during warm-up`);
  } catch (err) {
    entry.failed = err instanceof CheckError ? err.message : `${err.message}`;
    console.error(`\n!!! ${c.name} FAILED its correctness check: ${entry.failed}\n`);
    await entry.server.stop();
    entry.server = undefined;
  }
  return entry;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** RSS of a fresh server after `MEMORY_REQUESTS` requests with its session cookie. */
async function memoryAfterLoad(c, pin, tool) {
  const server = await startServer(serverFile(c.name), { cpu: pin.server, env: { SECRET_KEY } });
  try {
    const cookie =
      c.cookie === 'craft' ? craftedCookie(SECRET_KEY) : await issuedCookie(server.port);
    const before = await rssKiB(server.pid);
    // wrk cannot stop after a count, so load in short bursts until enough responses were made.
    let requests = 0;
    for (let burst = 0; requests < MEMORY_REQUESTS; burst++) {
      if (burst >= 150) throw new Error(`only ${requests} requests after ${burst} bursts`);
      const r = await runLoad(tool, { port: server.port, cookie, seconds: 2, cpu: pin.load });
      if (r.non2xx) throw new CheckError(`${r.non2xx} non-2xx responses`);
      requests += r.requests;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { before, after: await rssKiB(server.pid), requests };
  } finally {
    await server.stop();
  }
}

function machine() {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {}
  return `Node ${process.version}, ${cpu.trim()}, ${availableParallelism()} cores`;
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (kib) => `${fmt(kib / 1024, 1)} MiB`;

function targetText(target) {
  if (!target) return '';
  const parts = [];
  if (target.ratio !== undefined) parts.push(`≥ ${target.ratio.toFixed(2)}`);
  if (target.beats !== undefined) {
    parts.push(
      target.factor === undefined
        ? `> ${target.beats}`
        : `≥ ${target.factor.toFixed(2)} × ${target.beats}`,
    );
  }
  return parts.join(', ');
}

/** The cases `c` is paired with: its `pair` and the case it must beat. */
function pairedWith(c) {
  return [...new Set([c.pair, c.target?.beats].filter(Boolean))];
}

function report(entries, { tool, pin, memory, started, realtime }) {
  const byName = new Map(entries.map((e) => [e.case.name, e]));
  const base = byName.get('raw-hello')?.rps;
  const lines = [
    '# microdot-ts benchmark',
    '',
    `- date: ${started.toISOString()}`,
    `- machine: ${machine()}`,
    `- load: ${tool.label}, ${ROUNDS} interleaved round(s), order reversed every other round, × ${SECONDS} s per case (median shown), ${WARMUP_SECONDS} s warm-up`,
    `- pinning: ${pin.label}`,
    '',
    '| case | req/s | p99 ms | × raw-hello (median of paired ratios) | target | | server CPU µs/request | × raw-hello by CPU time |',
    '| --- | ---: | ---: | ---: | --- | --- | ---: | ---: |',
  ];
  if (!entries.length) lines.splice(-2, 2, '(no HTTP case selected)');
  for (const e of entries) {
    const target = targetText(e.case.target);
    if (e.unavailable || e.failed) {
      const why = e.failed ? `**FAILED**: ${e.failed}` : `unavailable: ${e.unavailable}`;
      lines.push(
        `| ${e.case.name} | – | – | – | ${target} | ${why.replaceAll('|', '\\|')} | – | – |`,
      );
      continue;
    }
    const ratio = e.ratio ?? (base ? e.rps / base : Number.NaN);
    const verdicts = [];
    if (e.case.target?.ratio !== undefined)
      verdicts.push(ratio >= e.case.target.ratio ? 'met' : 'missed');
    const beats = e.case.target?.beats;
    if (beats) {
      const other = byName.get(beats)?.rps;
      const paired = e.pairs.get(beats)?.ratio;
      if (other === undefined) verdicts.push(`(${beats} not measured)`);
      else if (e.case.target.factor === undefined) verdicts.push(e.rps > other ? 'met' : 'missed');
      else if (paired !== undefined) {
        verdicts.push(
          `${paired >= e.case.target.factor ? 'met' : 'missed'} (${paired.toFixed(2)} ×)`,
        );
      }
    }
    const verdict = verdicts.join('; ');
    const notes = [
      verdict,
      e.loadErrors ? `${e.loadErrors} socket errors` : '',
      e.redisCpuPerRequest === undefined
        ? ''
        : `Redis server CPU ${fmt(e.redisCpuPerRequest, 1)} µs/request`,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `| ${e.case.name} | ${fmt(e.rps)} | ${fmt(e.p99ms, 2)} | ${Number.isNaN(ratio) ? '–' : ratio.toFixed(2)} | ${target} | ${notes} | ${Number.isNaN(e.cpuPerRequest) ? '–' : fmt(e.cpuPerRequest, 1)} | ${e.cpuRatio === undefined ? (e.case.name === 'raw-hello' ? '1.00' : '–') : e.cpuRatio.toFixed(2)} |`,
    );
  }
  const pairs = entries.filter((e) => e.pairs?.size);
  if (pairs.length) {
    lines.push(
      '',
      'Paired ratios between cases (median over the rounds of this case over the other, both sampled in the same round):',
      '',
      '| case | over | × by req/s | × by CPU time |',
      '| --- | --- | ---: | ---: |',
    );
    for (const e of pairs) {
      for (const [other, p] of e.pairs) {
        const cell = (x) => (x === undefined ? '–' : x.toFixed(2));
        lines.push(`| ${e.case.name} | ${other} | ${cell(p.ratio)} | ${cell(p.cpuRatio)} |`);
      }
    }
  }
  if (memory.length) {
    lines.push(
      '',
      `Memory: VmRSS of a fresh server before and after ≥ ${fmt(MEMORY_REQUESTS)} requests with its cookie`,
      '',
      '| server | requests | RSS at start | RSS after | growth |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const m of memory) {
      const row = m.error
        ? ['–', '–', '–', m.error.replaceAll('|', '\\|')]
        : [fmt(m.requests), mib(m.before), mib(m.after), mib(m.after - m.before)];
      lines.push(`| ${m.name} | ${row.join(' | ')} |`);
    }
    const [raw, ours] = memory;
    if (!raw.error && !ours.error) {
      lines.push('', `${ours.name} − ${raw.name} after the load: ${mib(ours.after - raw.after)}`);
    }
  }
  lines.push(...realtime);
  return `${lines.join('\n')}\n`;
}

async function main() {
  const started = new Date();
  const { http: cases, realtime: realtimeCases } = selectedCases();
  const tool = detectTool(process.env.BENCH_TOOL === 'autocannon' ? 'autocannon' : 'wrk');
  const pin = pinning();
  const services = { redis: await redisPing(6379), postgres: await tcpOpen(5432) };
  // Every run is bounded: per case a start, a check, a warm-up and ROUNDS loads, plus the memory case.
  // (raw-hello is also loaded before each case with a ratio target.)
  const loads = cases.length + cases.filter((c) => c.target?.ratio !== undefined).length;
  const budgetMs =
    (cases.length * (20 + WARMUP_SECONDS) +
      loads * ROUNDS * (SECONDS + 15) +
      (MEMORY ? 700 : 0) +
      realtimeCases.length * (60 + 2 * ROUNDS * (SECONDS + 40))) *
    1000;
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${budgetMs / 1000} s, giving up`);
    killAll();
    process.exit(2);
  }, budgetMs);
  console.error(`bench: ${cases.length} cases, ${tool.label}, pinning: ${pin.label}`);

  const entries = [];
  for (const c of cases) {
    process.stderr.write(`bench: starting ${c.name} … `);
    const entry = await prepare(c, pin, tool, services);
    console.error(
      entry.unavailable ? `unavailable (${entry.unavailable})` : entry.failed ? 'FAILED' : 'ok',
    );
    entries.push(entry);
  }

  const running = entries.filter((e) => e.server);
  const raw = running.find((e) => e.case.name === 'raw-hello');
  /** One timed load of `e`, recorded; returns its req/s. */
  const sample = async (e, round) => {
    const cpuBefore = await cpuMicros(e.server.pid);
    const redisBefore = e.case.redis ? await redisCpuMicros() : undefined;
    const r = await runLoad(tool, {
      port: e.server.port,
      cookie: e.cookie,
      cookiesFile: e.cookiesFile,
      seconds: SECONDS,
      cpu: pin.load,
    });
    const cpuAfter = await cpuMicros(e.server.pid);
    const redisAfter = e.case.redis ? await redisCpuMicros() : undefined;
    // Redis's own CPU time per request: the other half of a store case's cost.
    r.redisCpuPerRequest =
      redisBefore === undefined || redisAfter === undefined
        ? undefined
        : (redisAfter - redisBefore) / Math.max(1, r.requests);
    // The server's CPU time per request: unlike req/s, idle gaps (a slow load generator) do
    // not count, so it is a second, steadier view of the same cost.
    r.cpuPerRequest =
      cpuBefore === undefined || cpuAfter === undefined
        ? Number.NaN
        : (cpuAfter - cpuBefore) / Math.max(1, r.requests);
    console.error(
      `bench: round ${round}/${ROUNDS} ${e.case.name}: ${fmt(r.rps)} req/s, p99 ${fmt(r.p99ms, 2)} ms, server CPU ${fmt(r.cpuPerRequest, 1)} µs/request`,
    );
    if (r.non2xx) {
      e.failed = `${r.non2xx} non-2xx responses under load`;
      console.error(`\n!!! ${e.case.name} FAILED under load: ${e.failed}\n`);
    }
    e.loadErrors = (e.loadErrors ?? 0) + r.errors;
    e.samples.push(r);
    return r.rps;
  };
  // Each case's ratio in a round is its req/s over the latest raw-hello sample; raw-hello is
  // sampled at the start of each round and again right before each case with a ratio target, so
  // those are compared with a baseline taken seconds earlier. The table gives the median ratio
  // over the rounds: the req/s of this shared machine drifts by ±10% from minute to minute.
  // Every other round runs the cases in reverse order, so a pair of cases (say a memo and no
  // memo) is measured first-then-second as often as second-then-first: a fixed order measured a
  // steady 5–15% in favour of whichever ran first on a busy machine.
  const others = running.filter((e) => e !== raw);
  for (let round = 1; round <= ROUNDS; round++) {
    let baseline = raw && !raw.failed ? await sample(raw, round) : Number.NaN;
    const order = round % 2 ? others : [...others].reverse();
    for (const e of order) {
      if (e.failed) continue;
      if (raw && !raw.failed && e.case.target?.ratio !== undefined) {
        baseline = await sample(raw, round);
      }
      const rps = await sample(e, round);
      e.ratios.push(rps / baseline);
      // The same pairing by CPU time per request: raw-hello's over this case's.
      e.cpuRatios.push(raw.samples.at(-1).cpuPerRequest / e.samples.at(-1).cpuPerRequest);
    }
    // And with the cases each is compared with, both sampled in this round.
    for (const e of others) {
      for (const name of pairedWith(e.case)) {
        const other = running.find((x) => x.case.name === name);
        if (e.failed || !other || other.failed) continue;
        if (e.samples.length !== round || other.samples.length !== round) continue;
        const mine = e.samples.at(-1);
        const theirs = other.samples.at(-1);
        if (!e.pairs.has(name)) e.pairs.set(name, { ratios: [], cpuRatios: [] });
        const p = e.pairs.get(name);
        p.ratios.push(mine.rps / theirs.rps);
        p.cpuRatios.push(theirs.cpuPerRequest / mine.cpuPerRequest);
      }
    }
  }
  for (const e of running) {
    if (e.ratios.length && e.ratios.every(Number.isFinite)) e.ratio = median(e.ratios);
    if (e.cpuRatios.length && e.cpuRatios.every(Number.isFinite)) {
      e.cpuRatio = median(e.cpuRatios);
    }
    e.cpuPerRequest = median(e.samples.map((s) => s.cpuPerRequest));
    const redisCpu = e.samples.map((s) => s.redisCpuPerRequest);
    if (redisCpu.length && redisCpu.every(Number.isFinite)) e.redisCpuPerRequest = median(redisCpu);
    for (const p of e.pairs.values()) {
      p.ratio = median(p.ratios);
      if (p.cpuRatios.every(Number.isFinite)) p.cpuRatio = median(p.cpuRatios);
    }
  }
  for (const e of running) {
    e.rps = median(e.samples.map((s) => s.rps));
    e.p99ms = median(e.samples.map((s) => s.p99ms));
    await e.server.stop();
    if (e.cookiesFile) rmSync(e.cookiesFile, { force: true });
  }

  const memory = [];
  if (MEMORY && cases.length) {
    for (const name of ['raw-hello', 'microdot-session-rw']) {
      const c = CASES.find((x) => x.name === name);
      console.error(`bench: memory, ${fmt(MEMORY_REQUESTS)} requests against ${name}`);
      try {
        memory.push({ name, ...(await memoryAfterLoad(c, pin, tool)) });
      } catch (err) {
        memory.push({
          name,
          error:
            err instanceof CheckError ? `FAILED: ${err.message}` : `unavailable: ${err.message}`,
        });
      }
    }
  }

  const realtime = realtimeCases.length
    ? await realtimeTable({
        cases: realtimeCases,
        seconds: SECONDS,
        rounds: ROUNDS,
        pin,
        log: (line) => console.error(line),
      })
    : [];

  clearTimeout(watchdog);
  const table = report(entries, { tool, pin, memory, started, realtime });
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, table);
  console.log(`\n${table}`);
  console.error(`bench: written to ${RESULTS}`);
  const failed = entries.filter((e) => e.failed).map((e) => e.case.name);
  if (failed.length) {
    console.error(`bench: FAILED correctness: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} finally {
  killAll();
}

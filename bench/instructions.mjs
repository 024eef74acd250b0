// `npm run bench:instructions`: the framework's CPU instructions per request, counted by
// valgrind's callgrind, for the in-process cases of bench/inproc.mjs. Unlike req/s or CPU time,
// an instruction count does not move with what else the machine (or its host) is doing, so it
// can settle differences of a few per cent that wrk cannot see on a shared VM (issue #17: the
// memo must never cost more than 2% where cookies do not repeat).
//
// Each case runs twice, with INSTR_FROM and INSTR_TO requests; the difference of the two totals
// over the difference of the counts is the steady-state cost per request (start-up, building
// the cookies, JIT warm-up and the memo's first window all cancel out).
// Two runs of the same count differ by about 2% in all (start-up: module loading, JIT and GC
// timing), so the two counts are far apart, and V8 runs in its predictable mode (no background
// compilation or GC threads, a fixed GC schedule).
// Env: INSTR_CASES (rwd,rwd0,rawhs,encrwd,encrwd0), INSTR_FROM (5000), INSTR_TO (65000),
// INSTR_USERS (20000), INSTR_DIST (dist/src). Needs valgrind (apt-get install -y valgrind).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CASES = (process.env.INSTR_CASES ?? 'rwd,rwd0,rawhs,encrwd,encrwd0').split(',');
const FROM = Number(process.env.INSTR_FROM ?? 5_000);
const TO = Number(process.env.INSTR_TO ?? 65_000);
const USERS = Number(process.env.INSTR_USERS ?? 20_000);
const DIST = path.resolve(process.env.INSTR_DIST ?? 'dist/src');
const CHILD = fileURLToPath(new URL('./lib/instructions-child.mjs', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/instructions.md', import.meta.url));
// The same key for every run, so that each case sends the same cookies at both counts.
const SECRET = randomBytes(32).toString('base64url');
// Each pair: [case, the case it is compared with, what the ratio means].
const PAIRS = [
  ['rwd', 'rwd0', 'the memo on distinct cookies (target ≤ 1.02)'],
  ['encrwd', 'encrwd0', 'the memo on distinct encrypted cookies (target ≤ 1.02)'],
  ['rwd', 'rawhs', 'default signed session vs the hand-written node:crypto handler'],
  ['rwd0', 'rawhs', 'verifyCache: 0 vs the hand-written handler'],
];

if (spawnSync('valgrind', ['--version']).error) {
  console.error('bench:instructions needs valgrind (apt-get install -y valgrind)');
  process.exit(2);
}
if (!(FROM > 0 && TO > FROM)) throw new Error('INSTR_FROM and INSTR_TO: 0 < FROM < TO');

/** Total instructions (callgrind's "I refs") of one child run of `name` with `n` requests. */
function count(name, n) {
  const argv = [
    '--tool=callgrind',
    // V8 writes machine code into its heap: valgrind must notice code that changes.
    '--smc-check=all-non-file',
    '--callgrind-out-file=/dev/null',
    process.execPath,
    '--predictable',
    '--predictable-gc-schedule',
    CHILD,
  ];
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    INSTR_DIR: DIST,
    INSTR_CASE: name,
    INSTR_N: String(n),
    INSTR_SECRET: SECRET,
    INSTR_USERS: String(USERS),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
      if (code !== 0 || refs === undefined) {
        reject(new Error(`${name} ×${n} failed (exit ${code}): ${stderr.slice(-600)}`));
      } else resolve(Number(refs.replaceAll(',', '')));
    });
  });
}

/** Runs `jobs` (functions returning promises) at most `limit` at a time, in order. */
async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

const started = Date.now();
const runs = CASES.flatMap((name) => [FROM, TO].map((n) => ({ name, n })));
console.error(`bench:instructions: ${runs.length} callgrind runs of ${DIST} (1–2 min each)`);
const totals = await pool(
  runs.map((r) => async () => {
    const total = await count(r.name, r.n);
    console.error(`  ${r.name} ×${r.n}: ${total.toLocaleString('en-US')} instructions`);
    return total;
  }),
  Math.max(1, availableParallelism()),
);
const perRequest = new Map(
  CASES.map((name, i) => [name, (totals[2 * i + 1] - totals[2 * i]) / (TO - FROM)]),
);

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const lines = [
  '# microdot-ts: instructions per request (callgrind)',
  `- date: ${new Date(started).toISOString()}, Node ${process.version}`,
  `- per request = (instructions at ${TO} requests − at ${FROM}) / ${TO - FROM}; ${USERS} distinct cookies`,
  '',
  '| case | instructions per request |',
  '| --- | ---: |',
  ...CASES.map((name) => `| ${name} | ${fmt(perRequest.get(name))} |`),
  '',
  '| pair | ratio | what it shows |',
  '| --- | ---: | --- |',
  ...PAIRS.filter(([a, b]) => perRequest.has(a) && perRequest.has(b)).map(
    ([a, b, what]) =>
      `| ${a} / ${b} | ${(perRequest.get(a) / perRequest.get(b)).toFixed(3)} | ${what} |`,
  ),
];
const table = `${lines.join('\n')}\n`;
mkdirSync(path.dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, table);
console.log(table);
console.error(
  `bench:instructions: written to ${RESULTS} in ${Math.round((Date.now() - started) / 1000)} s`,
);

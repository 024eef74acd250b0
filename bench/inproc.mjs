// In-process CPU cost per request of the session cases: drives app.handler with fake
// node:http objects (no sockets, no parser), so only the framework's own work is timed.
// Usage: node bench/inproc.mjs <distDirA> [<distDirB> ...]  (each a built `dist/src`)
// Env: INPROC_N (requests per sample, 4000), INPROC_ROUNDS (40), INPROC_USERS (20000),
// INPROC_CASES (comma list of: hello; csrf: hello with CSRF's before-request hook; ahook: hello
// with an async before-request hook; read, rw, encrw: one cookie sent every time; rwd, rwd0,
// encrwd, encrwd0: a different cookie each time, going round INPROC_USERS users, with the
// default memo and with verifyCache 0; rawhs: the hand-written node:crypto HS256 handler of
// bench/servers/raw-hs256.mjs, with the rwd cookies).
import { randomBytes } from 'node:crypto';
import { buildCases, call, sinkTotal } from './lib/inproc-cases.mjs';

const N = Number(process.env.INPROC_N ?? 4000);
const ROUNDS = Number(process.env.INPROC_ROUNDS ?? 40);
const USERS = Number(process.env.INPROC_USERS ?? 20_000);
const CASES = (
  process.env.INPROC_CASES ?? 'hello,read,rw,encrw,rwd,rwd0,encrwd,encrwd0,rawhs'
).split(',');
const SECRET = randomBytes(32).toString('base64url');

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: node bench/inproc.mjs <dist/src> [<dist/src> …]');
const variants = [];
for (const d of dirs) variants.push({ dir: d, cases: await buildCases(d, SECRET, USERS) });
// Sanity: every case answers 200, and a session case counts from the cookie (count 1 → 2).
for (const v of variants) {
  for (const c of CASES) {
    if (!v.cases[c]) throw new Error(`unknown case ${c}`);
    const [h, cookies] = v.cases[c];
    const o = call(h, cookies[0]);
    if (o.status !== 200) throw new Error(`${v.dir} ${c}: ${o.status}`);
  }
}
const results = new Map();
let next = 0;
for (let r = 0; r < ROUNDS; r++) {
  // The cases in a new order each round: a case must not always pay for its predecessor's garbage.
  const cases = CASES.map((_, i) => CASES[(i + r) % CASES.length]);
  for (const c of cases) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const [h, cookies] = v.cases[c];
      const n = cookies.length;
      const t0 = process.cpuUsage();
      for (let i = 0; i < N; i++) call(h, cookies[next++ % n]);
      // What a request left for later (a hook's promise) runs before the clock stops.
      await new Promise((resolve) => setImmediate(resolve));
      const cpu = process.cpuUsage(t0);
      const key = `${c}\t${v.dir}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push((cpu.user + cpu.system) / N);
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
// The machine's speed drifts over seconds (shared VM): compare variants round by round.
for (const c of CASES) {
  const base = results.get(`${c}\t${variants[0].dir}`);
  const line = variants.map((v, i) => {
    const a = results.get(`${c}\t${v.dir}`);
    const cell = `${median(a).toFixed(2)}µs`;
    if (i === 0) return cell;
    const diff = median(a.map((x, r) => x - base[r]));
    const ratio = median(a.map((x, r) => x / base[r]));
    return `${cell} (paired Δ ${diff >= 0 ? '+' : ''}${diff.toFixed(2)}µs, ×${ratio.toFixed(3)})`;
  });
  console.log(`${c.padEnd(8)} ${line.join('   ')}`);
}
// Pairs of cases within each variant, round by round (e.g. the memo's cost on misses).
for (const v of variants) {
  for (const [a, b] of [
    ['rwd', 'rwd0'],
    ['encrwd', 'encrwd0'],
    ['rwd0', 'rawhs'],
    ['rwd', 'rawhs'],
  ]) {
    const x = results.get(`${a}\t${v.dir}`);
    const y = results.get(`${b}\t${v.dir}`);
    if (!x || !y) continue;
    const ratio = median(x.map((t, r) => t / y[r]));
    console.log(`${a} / ${b} (paired, ${v.dir}): ×${ratio.toFixed(3)}`);
  }
}
if (process.env.INPROC_DUMP)
  for (const [k, a] of results) console.log(k, a.map((x) => x.toFixed(1)).join(' '));
if (sinkTotal() < 0) console.log(sinkTotal());

// `npm run bench:server-instructions`: user-space instructions per request of whole servers
// (bench/servers/*.mjs: node:http, its parser, sockets, the framework), counted by valgrind's
// callgrind while wrk loads them over 127.0.0.1 with the 20,000 distinct signed cookies of the
// distinct-cookie cases. Where bench:instructions counts the framework in-process (fake request
// and response objects), this counts everything the server process executes outside the kernel,
// so it shows whether a gap that wrk sees between two servers is in their code or elsewhere
// (kernel, bytes on the wire, the host).
//
// Each case: start the server under callgrind, load it for WARM seconds (JIT and memo warm-up),
// zero the counters, load it for RUN seconds, dump, divide by the requests wrk completed.
// Under valgrind a server answers a few hundred requests a second, so wrk runs with 10
// connections. Two runs of a case agree within about 2%.
// Env: SERVER_INSTR_CASES (rwd,rwd0,rawhs), SERVER_INSTR_WARM (30), SERVER_INSTR_RUN (30).
// Needs valgrind and wrk (apt-get install -y valgrind wrk) and a build (npm run build).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { userCookies } from './lib/cases.mjs';

const CASES = {
  rawhs: { server: 'raw-hs256', env: {}, what: 'hand-written node:http + node:crypto HS256' },
  rwd: { server: 'microdot-session-rw', env: {}, what: 'microdot-ts signed session, default' },
  rwd0: {
    server: 'microdot-session-rw',
    env: { VERIFY_CACHE: '0' },
    what: 'microdot-ts signed session, verifyCache: 0',
  },
};
const PAIRS = [
  ['rwd', 'rawhs', 'default signed session vs the hand-written server (≤ 1 is fewer)'],
  ['rwd0', 'rawhs', 'verifyCache: 0 vs the hand-written server'],
  ['rwd', 'rwd0', 'the memo on distinct cookies (target ≤ 1.02)'],
];
const wanted = (process.env.SERVER_INSTR_CASES ?? 'rwd,rwd0,rawhs').split(',');
const WARM = Number(process.env.SERVER_INSTR_WARM ?? 30);
const RUN = Number(process.env.SERVER_INSTR_RUN ?? 30);
const SECRET = randomBytes(32).toString('base64url');
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const RESULTS = here('./results/server-instructions.md');

for (const tool of ['valgrind', 'wrk', 'callgrind_control']) {
  const probe = spawnSync(tool, [tool === 'wrk' ? '-v' : '--version']);
  if (probe.error) {
    console.error(`bench:server-instructions needs ${tool} (apt-get install -y valgrind wrk)`);
    process.exit(2);
  }
}
for (const name of wanted) {
  if (!CASES[name]) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES)}`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'server-instr-'));
const cookiesFile = path.join(dir, 'cookies.txt');
writeFileSync(cookiesFile, `${(await userCookies(20_000, 'jws', SECRET, 0)).join('\n')}\n`);

function wrk(port, seconds) {
  const out = spawnSync(
    'wrk',
    [
      '-t1',
      '-c10',
      `-d${seconds}s`,
      '-s',
      here('./lib/many-users.lua'),
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: 'utf8', env: { ...process.env, BENCH_COOKIES_FILE: cookiesFile } },
  );
  const requests = Number(/(\d+) requests in/.exec(out.stdout)?.[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out.stdout);
  if (!(requests > 0) || errors) throw new Error(`wrk failed:\n${out.stdout}${out.stderr}`);
  return requests;
}

async function measure(name) {
  const c = CASES[name];
  const prefix = path.join(dir, `${name}.out`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file', // V8 writes machine code into its heap
      `--callgrind-out-file=${prefix}`,
      process.execPath,
      here(`./servers/${c.server}.mjs`),
    ],
    {
      env: { ...process.env, ...c.env, NODE_ENV: 'production', SECRET_KEY: SECRET },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const port = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const m = /LISTENING (\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`${name}: server exited (${code})`)));
  });
  try {
    wrk(port, WARM);
    spawnSync('callgrind_control', ['-z', String(child.pid)]);
    const requests = wrk(port, RUN);
    spawnSync('callgrind_control', ['-d', String(child.pid)]);
    const dump = readdirSync(dir).find((f) => f.startsWith(`${name}.out.`));
    if (!dump) throw new Error(`${name}: callgrind wrote no dump`);
    const total = Number(/^totals: (\d+)/m.exec(readFileSync(path.join(dir, dump), 'utf8'))?.[1]);
    return { requests, perRequest: total / requests };
  } finally {
    child.kill('SIGKILL');
  }
}

const results = {};
try {
  for (const name of wanted) {
    results[name] = await measure(name);
    const r = results[name];
    console.error(
      `${name}: ${Math.round(r.perRequest)} instructions/request (${r.requests} requests)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const lines = [
  '# Whole-server instructions per request (callgrind, distinct signed cookies)',
  '',
  `- date: ${new Date().toISOString()}, Node ${process.version}; warm-up ${WARM} s, counted ${RUN} s, wrk -t1 -c10`,
  '',
  '| case | server | instructions/request | requests counted |',
  '| --- | --- | ---: | ---: |',
  ...wanted.map(
    (n) =>
      `| ${n} | ${CASES[n].what} | ${Math.round(results[n].perRequest)} | ${results[n].requests} |`,
  ),
  '',
  '| ratio | what | value |',
  '| --- | --- | ---: |',
  ...PAIRS.filter(([a, b]) => results[a] && results[b]).map(
    ([a, b, what]) =>
      `| ${a} / ${b} | ${what} | ${(results[a].perRequest / results[b].perRequest).toFixed(3)} |`,
  ),
  '',
];
writeFileSync(RESULTS, lines.join('\n'));
console.log(lines.join('\n'));

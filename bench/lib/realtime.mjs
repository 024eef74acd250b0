// The real-time rows of `npm run bench`: WebSocket echo (messages/s, microdot-ts against the
// bare `ws` package) and SSE fan-out (one event to 1,000 streams, microdot-ts against bare
// node:http). Servers run on core 0 and the load on core 1, as the HTTP cases; rounds are
// interleaved and each ratio is paired within its round.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

const LOAD = fileURLToPath(new URL('./realtime-load.mjs', import.meta.url));
const serverFile = (name) => fileURLToPath(new URL(`../servers/${name}.mjs`, import.meta.url));

/** The cases: each compares microdot-ts with its baseline, in the same round. */
export const REALTIME_CASES = [
  {
    name: 'ws-echo',
    what: 'WebSocket echo, 32 clients ping-ponging 64-byte text messages',
    unit: 'messages/s',
    baseline: 'raw-ws-echo',
    ours: 'microdot-ws-echo',
    load: (seconds) => ({ mode: 'ws-echo', path: '/echo', seconds, connections: 32 }),
    check: (r) => (r.errors === 0 ? undefined : `${r.errors} wrong or failed echoes`),
  },
  {
    name: 'sse-fanout',
    what: 'SSE fan-out: 200 events, each to 1,000 open streams',
    unit: 'events delivered/s',
    baseline: 'raw-sse-fanout',
    ours: 'microdot-sse-fanout',
    load: () => ({
      mode: 'sse-fanout',
      path: '/events',
      seconds: 30,
      connections: 1000,
      events: 200,
    }),
    check: (r) =>
      r.delivered === 200 * 1000 ? undefined : `${r.delivered} of 200,000 events delivered`,
  },
];

function runLoadChild(options, cpu) {
  const argv = cpu
    ? ['taskset', '-c', cpu, process.execPath, LOAD, JSON.stringify(options)]
    : [process.execPath, LOAD, JSON.stringify(options)];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`load exited ${code}: ${err.trim().slice(-300)}`));
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Runs the selected real-time cases and returns the markdown lines of their table.
 * @param {{ cases: typeof REALTIME_CASES, seconds: number, rounds: number, pin: { server?: string, load?: string }, log: (line: string) => void }} options
 */
export async function realtimeTable({ cases, seconds, rounds, pin, log }) {
  const lines = [
    '',
    'Real-time (servers on core 0, load on core 1; median of the rounds, ratio paired per round):',
    '',
    '| case | what | microdot-ts | baseline | × baseline | |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const c of cases) {
    const runs = { ours: [], base: [], ratios: [], ms: [] };
    let failure;
    const servers = {};
    try {
      servers.base = await startServer(serverFile(c.baseline), { cpu: pin.server });
      servers.ours = await startServer(serverFile(c.ours), { cpu: pin.server });
      // A short warm-up of each, outside the rounds.
      for (const key of ['base', 'ours']) {
        const warm = await runLoadChild({ ...c.load(1), port: servers[key].port }, pin.load);
        failure ??= c.check(warm);
      }
      for (let round = 1; round <= rounds && failure === undefined; round++) {
        const sample = {};
        for (const key of ['base', 'ours']) {
          const r = await runLoadChild({ ...c.load(seconds), port: servers[key].port }, pin.load);
          failure ??= c.check(r);
          sample[key] = r;
          runs[key].push(r.perSecond);
          if (key === 'ours' && r.msPerEvent !== undefined) runs.ms.push(r.msPerEvent);
          log(
            `bench: round ${round}/${rounds} ${c.name} ${key === 'ours' ? c.ours : c.baseline}: ${fmt(r.perSecond)} ${c.unit}`,
          );
        }
        runs.ratios.push(sample.ours.perSecond / sample.base.perSecond);
      }
    } catch (err) {
      failure = err.message;
    } finally {
      await servers.base?.stop();
      await servers.ours?.stop();
    }
    if (failure !== undefined || runs.ratios.length === 0) {
      lines.push(`| ${c.name} | ${c.what} | – | – | – | **FAILED**: ${failure} |`);
      continue;
    }
    const note = runs.ms.length ? `${fmt(median(runs.ms), 2)} ms per event to all 1,000` : '';
    lines.push(
      `| ${c.name} | ${c.what} | ${fmt(median(runs.ours))} ${c.unit} | ${fmt(median(runs.base))} (${c.baseline}) | ${median(runs.ratios).toFixed(2)} | ${note} |`,
    );
  }
  return lines;
}

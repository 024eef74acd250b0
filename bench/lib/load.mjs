// Load generators: wrk (preferred, from Debian) or autocannon from bench/node_modules, each run as
// a pinned child process bounded in time, with their output parsed into one result shape.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CONNECTIONS = 50;
const AUTOCANNON_CHILD = fileURLToPath(new URL('./autocannon-child.mjs', import.meta.url));
const MANY_USERS_SCRIPT = fileURLToPath(new URL('./many-users.lua', import.meta.url));

/** `{ name, version }` of the load tool this machine has: wrk if installed, else autocannon. */
export function detectTool(prefer = 'wrk') {
  const wrk = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (prefer === 'wrk' && !wrk.error) {
    const version = /wrk (\S+)/.exec(`${wrk.stdout}${wrk.stderr}`)?.[1] ?? '?';
    return { name: 'wrk', version, label: `wrk ${version} -t1 -c${CONNECTIONS}` };
  }
  return {
    name: 'autocannon',
    version: '',
    label: `autocannon -c${CONNECTIONS}${wrk.error ? ' (wrk not found)' : ''}`,
  };
}

/**
 * Loads http://127.0.0.1:<port>/ for `seconds`, sending `cookie` as the Cookie header, or (wrk
 * only) going round the Cookie headers listed in `cookiesFile`, one per line.
 * @returns {Promise<{ rps: number, p99ms: number, requests: number, non2xx: number, errors: number }>}
 */
export function runLoad(tool, { port, cookie, cookiesFile, seconds, cpu }) {
  const url = `http://127.0.0.1:${port}/`;
  let argv;
  let env;
  if (tool.name === 'wrk') {
    argv = ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '--timeout', '5s'];
    if (cookiesFile) {
      argv.push('-s', MANY_USERS_SCRIPT);
      env = { ...process.env, BENCH_COOKIES_FILE: cookiesFile };
    } else if (cookie) {
      argv.push('-H', `Cookie: ${cookie}`);
    }
    argv.push(url);
  } else if (cookiesFile) {
    return Promise.reject(new Error('the many-users cases need wrk (apt-get install -y wrk)'));
  } else {
    const options = { url, cookie, connections: CONNECTIONS, duration: seconds };
    argv = [process.execPath, AUTOCANNON_CHILD, JSON.stringify(options)];
  }
  if (cpu) argv = ['taskset', '-c', cpu, ...argv];
  return exec(argv, (seconds + 15) * 1000, env).then((out) =>
    tool.name === 'wrk' ? parseWrk(out) : parseAutocannon(out),
  );
}

function exec(argv, timeoutMs, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${argv[0]} ${argv[1]} failed (${signal ?? code}): ${stderr.trim()}`));
    });
  });
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses wrk's text report (with --latency). */
export function parseWrk(text) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const p99 = /^\s*99(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\b/m.exec(text);
  const requests = /(\d+) requests in/.exec(text);
  if (!rps || !p99 || !requests) throw new Error(`cannot parse wrk output:\n${text}`);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    rps: Number(rps[1]),
    p99ms: Number(p99[1]) * UNIT_MS[p99[2]],
    requests: Number(requests[1]),
    non2xx,
    errors,
  };
}

/** Parses autocannon's JSON result. */
export function parseAutocannon(text) {
  const r = JSON.parse(text);
  return {
    rps: r.requests.average,
    p99ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx ?? 0,
    errors: (r.errors ?? 0) + (r.timeouts ?? 0),
  };
}

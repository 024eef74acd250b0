// Starts a bench server as a child process (optionally pinned to one core) and tracks every child
// so that all of them are killed when the runner exits, however it exits.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));

const children = new Set();

/** Kills every child still running (SIGKILL: a benchmark server holds nothing worth flushing). */
export function killAll() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, killing servers`);
    process.exit(130);
  });
}

/**
 * Runs `node <file>` and resolves once it prints `LISTENING <port>`.
 * Rejects (with the tail of its stderr) if it exits first or takes longer than `timeoutMs`.
 * @param {string} file absolute path of the server script
 * @param {{ cpu?: string, env?: Record<string, string>, timeoutMs?: number }} options
 * @returns {Promise<{ port: number, pid: number, stop: () => Promise<void> }>}
 */
export function startServer(file, { cpu, env = {}, timeoutMs = 15_000 } = {}) {
  const argv = cpu ? ['taskset', '-c', cpu, process.execPath, file] : [process.execPath, file];
  const child = spawn(argv[0], argv.slice(1), {
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const stop = () =>
    new Promise((resolve) => {
      children.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      stop().then(() => reject(new Error(`${why}${stderr ? `: ${lastError(stderr)}` : ''}`)));
    };
    const timer = setTimeout(() => fail(`no LISTENING line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before listening`));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      if (stdout === null) return;
      stdout += chunk;
      const match = /^LISTENING (\d+)$/m.exec(stdout);
      if (!match) return;
      stdout = null;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ port: Number(match[1]), pid: child.pid, stop });
    });
  });
}

/** The most telling line of a crashed server's stderr: the first `Error` line, else the last. */
function lastError(stderr) {
  const lines = stderr.split('\n').filter((line) => line.trim());
  const line = lines.find((l) => /\b\w*Error\b/.test(l)) ?? lines.at(-1) ?? '';
  // Paths relative to bench/ keep the table readable.
  return line.trim().replaceAll(BENCH_DIR, '').slice(0, 200);
}

/** Resident set size of a process in KiB, from /proc/<pid>/status (Linux only). */
export async function rssKiB(pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

let ticksPerSecond;

/**
 * CPU time the process `pid` has used so far (user + system, all its threads), in µs, from
 * /proc/<pid>/stat; `undefined` where there is no /proc.
 */
export async function cpuMicros(pid) {
  const { readFile } = await import('node:fs/promises');
  let stat;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  if (ticksPerSecond === undefined) {
    const { spawnSync } = await import('node:child_process');
    ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  }
  // Fields after the command name (which may hold spaces, inside parentheses): utime is the
  // 14th field of the line, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
}

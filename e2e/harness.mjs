// What an e2e script needs around its steps: a watchdog, numbered steps that count passes and
// failures, free ports, an example started as its own process, and headless Chromium.
// Needs Debian's Chromium at /usr/bin/chromium (playwright-core never downloads a browser).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SHOTS = join(ROOT, 'e2e', 'screenshots');
export const STEP_TIMEOUT_MS = 10_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts a run bounded to `totalMs`: returns `step`, `finish` and `track` (things to stop at the
 * end: child processes, servers, the browser). Whatever happens, they do not outlive the run.
 */
export function run(name, totalMs) {
  let passed = 0;
  let failed = 0;
  let finishing = false;
  /** @type {(() => unknown)[]} */
  const cleanups = [];

  async function finish(code) {
    if (finishing) return;
    finishing = true;
    for (const cleanup of cleanups.reverse()) {
      try {
        await Promise.race([cleanup(), new Promise((r) => setTimeout(r, 5000).unref())]);
      } catch {
        // already gone
      }
    }
    console.log(`${name}: ${passed} passed, ${failed} failed`);
    process.exit(code !== 0 || failed > 0 || passed === 0 ? 1 : 0);
  }

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      console.error(`${name}: ${signal}, stopping`);
      failed++;
      finish(1);
    });
  }
  setTimeout(() => {
    console.error(`${name}: timed out after ${totalMs / 1000} s`);
    failed++;
    finish(1);
  }, totalMs).unref();

  async function step(title, fn) {
    if (finishing) return;
    try {
      await fn();
      passed++;
      console.log(`ok   - ${title}`);
    } catch (err) {
      if (finishing) return;
      failed++;
      console.log(
        `FAIL - ${title}\n       ${String(err?.message ?? err)
          .split('\n')
          .join('\n       ')}`,
      );
    }
  }

  /** Runs `main`, then finishes; a throw from `main` is a failed setup. */
  async function main(fn) {
    try {
      await fn();
      await finish(0);
    } catch (err) {
      console.error(`${name}: setup failed: ${err?.stack ?? err}`);
      failed++;
      await finish(1);
    }
  }

  return { step, main, track: (cleanup) => cleanups.push(cleanup) };
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** A port that was free a moment ago: listen on port 0, read it, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `dist/<script>` with `env` and waits for "Listening on"; resolves to the child, which
 * `track` stops at the end.
 */
export function startExample(script, env, track) {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(process.execPath, [join(ROOT, 'dist', script)], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.on('exit', kill);
    track(kill);
    const timer = setTimeout(
      () => reject(new Error(`${script} did not say "Listening on" within 10 s:\n${output}`)),
      STEP_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
      if (output.includes('Listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/** Headless Chromium (with `extraArgs`), closed by `track` at the end. */
export async function launchBrowser(track, extraArgs = []) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: STEP_TIMEOUT_MS,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  track(() => browser.close());
  return browser;
}

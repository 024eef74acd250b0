// What an e2e script needs around its steps: a watchdog, numbered steps that count passes and
// failures, free ports, an example started as its own process, headless Chromium, and the page
// helpers every script uses (a fresh profile, the text a user sees, screenshots, form posts).
// Needs Debian's Chromium at /usr/bin/chromium (playwright-core never downloads a browser).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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

/**
 * Starts `dist/<script>` on a free port with `env` (see {@link startExample}), and makes the
 * screenshots folder; resolves to the example's base URL, `http://127.0.0.1:<port>`.
 */
export async function serveExample(script, env, track) {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  await startExample(script, { PORT: String(port), ...env }, track);
  return `http://127.0.0.1:${port}`;
}

/** Makes `server` (node:http) listen on 127.0.0.1 (port 0); resolves to its port. */
export function listenLocal(server, track) {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      track(() => new Promise((r) => server.close(r)));
      resolve(/** @type {import('node:net').AddressInfo} */ (server.address()).port);
    });
  });
}

/**
 * A new browser context (a separate profile) with the step timeouts, and its page. Dialogs are
 * dismissed and kept in `dialogs` (as "type: message"), uncaught page errors in `pageErrors`.
 */
export async function newPage(browser, viewport) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  /** @type {string[]} */
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  /** @type {string[]} */
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err?.message ?? err)));
  return { context, page, dialogs, pageErrors };
}

/** The text of `selector` in `page` as a user sees it, white space folded. */
export async function shownText(page, selector = 'body') {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text a user sees
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();
}

/** Saves a full-page screenshot of `page` as e2e/screenshots/`name`. */
export function screenshot(page, name) {
  return page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

/**
 * Runs `action` (a click, a navigation) and waits both for the POST it sends and for the page it
 * leads to, each on `base` when given; resolves to the POST's response.
 */
export async function postAndLoad(page, action, base) {
  const on = (url) => base === undefined || url.startsWith(base);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && on(r.url())),
    page.waitForNavigation({ waitUntil: 'load', url: (u) => on(u.href) }),
    action(),
  ]);
  return response;
}

// End-to-end test of the login example in a real (headless) Chromium, as a user would use it.
// Run with `npm run e2e` (which builds first); needs Debian's Chromium at /usr/bin/chromium
// (`apt-get install -y chromium`): playwright-core never downloads a browser.
// Screenshots go to e2e/screenshots/. Bounded: the whole run stops after 60 s.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = join(ROOT, 'e2e', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOTAL_TIMEOUT_MS = 55_000;
const STEP_TIMEOUT_MS = 10_000;
const EVIL_NAME = '<img src=x onerror=alert(1)>Alice';
const ODD_NAME = `Zoë & "Bob" O'Brien + 100% 😀`;

/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
/** @type {import('playwright-core').Browser | undefined} */
let browser;
let passed = 0;
let failed = 0;
let serverOutput = '';

function killServer() {
  if (server !== undefined && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
  }
}

// Whatever happens, the server does not outlive us (Playwright kills its browser on exit too).
process.on('exit', killServer);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`e2e: ${signal}, stopping`);
    failed++;
    finish(1);
  });
}

const watchdog = setTimeout(() => {
  console.error(`e2e: timed out after ${TOTAL_TIMEOUT_MS / 1000} s`);
  failed++;
  finish(1);
}, TOTAL_TIMEOUT_MS);
watchdog.unref();

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  killServer();
  try {
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
  } catch {
    // the browser is gone already
  }
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(code !== 0 || failed > 0 || passed === 0 ? 1 : 0);
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, fn) {
  if (finishing) return; // stopping (signal or time-out): run no more steps
  try {
    await fn();
    passed++;
    console.log(`ok   - ${name}`);
  } catch (err) {
    if (finishing) return; // the browser was closed under it: not a failure of the page
    failed++;
    console.log(
      `FAIL - ${name}\n       ${String(err?.message ?? err)
        .split('\n')
        .join('\n       ')}`,
    );
  }
}

/** A port that was free a moment ago: listen on port 0, read it, close. */
function freePort() {
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

function startServer(port) {
  return new Promise((resolve, reject) => {
    const script = join(ROOT, 'dist', 'examples', 'sessions', 'login.js');
    server = spawn(process.execPath, [script], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SESSION_STORE: 'cookie' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(
      () => reject(new Error(`server did not say "Listening on" within 10 s:\n${serverOutput}`)),
      STEP_TIMEOUT_MS,
    );
    const onData = (chunk) => {
      serverOutput += chunk;
      if (serverOutput.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout.setEncoding('utf8').on('data', onData);
    server.stderr.setEncoding('utf8').on('data', (chunk) => {
      serverOutput += chunk;
    });
    server.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${serverOutput}`));
    });
  });
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  await startServer(port);
  const base = `http://127.0.0.1:${port}`;
  console.log(`e2e: server on ${base}`);

  browser = await chromium.launch({
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
    ],
  });
  const context = await browser.newContext({ viewport: { width: 800, height: 500 } });
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
  page.on('pageerror', (err) => pageErrors.push(err.message));

  const sessionCookie = async () =>
    (await context.cookies(base)).find((cookie) => cookie.name === 'session');
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text a user sees
  const text = async () => (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
  const shot = (name) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

  /** Types `name` in the form and submits it; returns the status of the POST's response. */
  async function submit(name) {
    await page.locator('input[name="username"]').fill(name);
    const [response] = await Promise.all([
      page.waitForResponse((res) => res.request().method() === 'POST'),
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('input[type="submit"][value="Submit"]').click(),
    ]);
    return response.status();
  }

  async function expectLoggedOut() {
    const body = await text();
    assert(body.includes('You are not logged in.'), `page says: ${body}`);
    assert(!body.includes('Hello'), `page greets someone: ${body}`);
    assert(
      (await page.locator('form[method="POST" i] input[name="username"]').count()) === 1,
      'no login form with a username field',
    );
    assert((await page.locator('input[type="submit"][value="Submit"]').count()) === 1, 'no Submit');
  }

  async function expectGreeting(name) {
    assert(new URL(page.url()).pathname === '/', `ended on ${page.url()}, not /`);
    const body = await text();
    assert(body.includes('Hello'), `no "Hello" on the page: ${body}`);
    const shown = await page.locator('p b').textContent();
    assert(shown === name, `name shown as ${JSON.stringify(shown)}, want ${JSON.stringify(name)}`);
    assert(
      (await page.locator('input[type="submit"][value="Logout"]').count()) === 1,
      'no Logout button',
    );
  }

  await step('logged out: GET / shows "You are not logged in." and the login form', async () => {
    const response = await page.goto(`${base}/`);
    assert(response?.status() === 200, `GET / gave ${response?.status()}`);
    assert(
      (await page.title()) === 'Microdot login example',
      `title is ${JSON.stringify(await page.title())}`,
    );
    await expectLoggedOut();
    assert((await sessionCookie()) === undefined, 'a session cookie before login');
    await shot('1-logged-out.png');
  });

  await step(
    'login with an HTML user name: redirect to /, "Hello", name shown as text',
    async () => {
      const status = await submit(EVIL_NAME);
      assert(status === 302 || status === 303, `POST / gave ${status}, want a redirect`);
      await expectGreeting(EVIL_NAME);
      assert((await page.locator('img').count()) === 0, 'an <img> element is in the DOM');
      assert(
        (await page.content()).includes('&lt;img src=x onerror=alert(1)&gt;Alice'),
        'the name is not HTML-escaped in the page source',
      );
      await page.waitForTimeout(300); // give a would-be onerror handler time to fire
      assert(dialogs.length === 0, `dialogs fired: ${dialogs.join('; ')}`);
      assert(pageErrors.length === 0, `page errors: ${pageErrors.join('; ')}`);
      await shot('2-logged-in.png');
    },
  );

  await step('reload: still logged in', async () => {
    const response = await page.reload();
    assert(response?.status() === 200, `reload gave ${response?.status()}`);
    await expectGreeting(EVIL_NAME);
    assert(dialogs.length === 0, `dialogs fired: ${dialogs.join('; ')}`);
  });

  await step(
    'session cookie is HttpOnly, SameSite=Lax, Path=/, not readable by scripts',
    async () => {
      const cookie = await sessionCookie();
      assert(cookie !== undefined, 'no session cookie in the browser');
      assert(cookie.httpOnly === true, 'cookie is not HttpOnly');
      assert(cookie.sameSite === 'Lax', `SameSite is ${cookie.sameSite}`);
      assert(cookie.path === '/', `Path is ${cookie.path}`);
      assert(cookie.secure === false, 'Secure cookie over plain http would not be sent');
      assert(cookie.expires > Date.now() / 1000, `cookie expires at ${cookie.expires}`);
      const visible = await page.evaluate(() => document.cookie);
      assert(!visible.includes('session='), `document.cookie shows it: ${visible}`);
    },
  );

  await step('Logout: "You are not logged in." and the cookie gone', async () => {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('input[type="submit"][value="Logout"]').click(),
    ]);
    assert(new URL(page.url()).pathname === '/', `ended on ${page.url()}, not /`);
    await expectLoggedOut();
    const cookie = await sessionCookie();
    assert(cookie === undefined, `session cookie still there: ${JSON.stringify(cookie)}`);
    await page.reload();
    await expectLoggedOut();
    await shot('3-logged-out-again.png');
  });

  await step('empty user name: 400 page with a message and the form again', async () => {
    const status = await submit('');
    assert(status === 400, `POST / with an empty name gave ${status}`);
    const body = await text();
    assert(body.includes('Please give a user name'), `no message on the page: ${body}`);
    await expectLoggedOut();
    assert((await sessionCookie()) === undefined, 'a session cookie after a refused login');
    await shot('4-empty-name.png');
  });

  await step('blank (spaces only) user name: 400 too', async () => {
    await page.goto(`${base}/`);
    const status = await submit('   ');
    assert(status === 400, `POST / with a blank name gave ${status}`);
    assert((await text()).includes('Please give a user name'), 'no message on the page');
  });

  await step('non-ASCII, &, quotes, + and % in a user name survive the round trip', async () => {
    await page.goto(`${base}/`);
    const status = await submit(ODD_NAME);
    assert(status === 302 || status === 303, `POST / gave ${status}, want a redirect`);
    await expectGreeting(ODD_NAME);
    await shot('5-unicode-name.png');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('input[type="submit"][value="Logout"]').click(),
    ]);
    await expectLoggedOut();
  });
}

try {
  await main();
  await finish(0);
} catch (err) {
  console.error(`e2e: setup failed: ${err?.stack ?? err}`);
  failed++;
  await finish(1);
}

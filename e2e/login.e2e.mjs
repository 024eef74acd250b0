// End-to-end test of the login example in a real (headless) Chromium, as a user would use it.
// Run with `npm run e2e` (which builds first); needs Debian's Chromium at /usr/bin/chromium
// (`apt-get install -y chromium`): playwright-core never downloads a browser.
// Screenshots go to e2e/screenshots/. Bounded: the whole run stops after 60 s.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  assert,
  freePort,
  launchBrowser,
  run,
  SHOTS,
  STEP_TIMEOUT_MS,
  startExample,
} from './harness.mjs';

const EVIL_NAME = '<img src=x onerror=alert(1)>Alice';
const ODD_NAME = `Zoë & "Bob" O'Brien + 100% 😀`;

const { step, main, track } = run('e2e', 55_000);

await main(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  await startExample(
    'examples/sessions/login.js',
    { PORT: String(port), SESSION_STORE: 'cookie' },
    track,
  );
  const base = `http://127.0.0.1:${port}`;
  console.log(`e2e: server on ${base}`);

  const browser = await launchBrowser(track);
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
});

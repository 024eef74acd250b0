// End-to-end test of the login example in a real (headless) Chromium, as a user would use it.
// Run with `npm run e2e` (which builds first); needs Debian's Chromium at /usr/bin/chromium
// (`apt-get install -y chromium`): playwright-core never downloads a browser.
// Screenshots go to e2e/screenshots/. Bounded: the whole run stops after 60 s.
import {
  assert,
  launchBrowser,
  newPage,
  postAndLoad,
  run,
  screenshot,
  serveExample,
  shownText,
} from './harness.mjs';

const EVIL_NAME = '<img src=x onerror=alert(1)>Alice';
const ODD_NAME = `Zoë & "Bob" O'Brien + 100% 😀`;

const { step, main, track } = run('e2e', 55_000);

await main(async () => {
  const base = await serveExample('examples/sessions/login.js', { SESSION_STORE: 'cookie' }, track);
  console.log(`e2e: server on ${base}`);

  const browser = await launchBrowser(track);
  const { context, page, dialogs, pageErrors } = await newPage(browser, {
    width: 800,
    height: 500,
  });

  const sessionCookie = async () =>
    (await context.cookies(base)).find((cookie) => cookie.name === 'session');
  const text = () => shownText(page);
  const shot = (name) => screenshot(page, name);

  /** Types `name` in the form and submits it; returns the status of the POST's response. */
  async function submit(name) {
    await page.locator('input[name="username"]').fill(name);
    const click = () => page.locator('input[type="submit"][value="Submit"]').click();
    return (await postAndLoad(page, click)).status();
  }

  /** Clicks Logout and waits for the page it leads to. */
  const logOut = () =>
    Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('input[type="submit"][value="Logout"]').click(),
    ]);

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
    await logOut();
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
    await logOut();
    await expectLoggedOut();
  });
});

// The account example (`npm start`) in a real (headless) Chromium, with a MemoryStore:
// register; log in with "remember me"; a new browser that keeps only `_remember` is logged in
// again, not fresh; change password asks for a fresh login first; the sessions page in two
// browsers, where ending one session takes effect at once; ending sessions asks a restored login
// for the password first; throttled failed logins. A screenshot of each page goes to
// e2e/screenshots/ (not committed). Bounded: 120 s in all.
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

const { step, main, track } = run('e2e account', 120_000);
const NAME = 'Zoë مرحبا';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'staple of the battery';

await main(async () => {
  const base = await serveExample(
    'examples/account/main.js',
    // Users in memory; a table name of our own all the same, so that switching the store to
    // sqlite or postgres can never touch a developer's account_users.
    { SESSION_STORE: 'memory', USERS_TABLE: `e2e_account_users_${process.pid}` },
    track,
  );
  console.log(`e2e account: example on ${base}`);
  const browser = await launchBrowser(track);

  /** A browser context (a separate browser profile) with its own page. */
  async function open(cookies = []) {
    const { context, page, dialogs } = await newPage(browser, { width: 900, height: 640 });
    if (cookies.length > 0) await context.addCookies(cookies);
    const text = () => shownText(page, 'main');
    const shot = (name) => screenshot(page, name);
    /** Clicks `selector` and waits for the page it leads to; resolves to the POST's status. */
    const submit = async (selector) =>
      (await postAndLoad(page, () => page.locator(selector).click())).status();
    async function logIn(name, password, remember = false) {
      await page.locator('#name').fill(name);
      await page.locator('#password').fill(password);
      if (remember) await page.locator('input[name="remember"]').check();
      return submit('form[action^="/login"] button[type="submit"]');
    }
    return { context, page, text, shot, submit, logIn, dialogs };
  }

  const a = await open();
  let remember;

  await step(
    'register: a new account, home page with a welcome message, the name in <bdi>',
    async () => {
      await a.page.goto(`${base}/register`);
      assert((await a.page.title()) === 'Register · Accounts', `title ${await a.page.title()}`);
      await a.shot('account-1-register.png');
      await a.page.locator('#name').fill(NAME);
      await a.page.locator('#password').fill(PASSWORD);
      await a.page.locator('#confirm').fill(PASSWORD);
      const status = await a.submit('form[action="/register"] button');
      assert(status === 302, `POST /register gave ${status}`);
      assert(new URL(a.page.url()).pathname === '/', `ended on ${a.page.url()}`);
      const body = await a.text();
      assert(body.includes(`Welcome, ${NAME}! Your account is ready.`), body);
      assert((await a.page.locator('h1 bdi').textContent()) === NAME, 'name not in <bdi>');
      await a.shot('account-2-home-welcome.png');
    },
  );

  await step('a hostile user name is refused and shown as text', async () => {
    const b = await open();
    await b.page.goto(`${base}/register`);
    await b.page.locator('#name').fill('<img src=x onerror=alert(1)>');
    await b.page.locator('#password').fill(PASSWORD);
    await b.page.locator('#confirm').fill(PASSWORD);
    const status = await b.submit('form[action="/register"] button');
    assert(status === 400, `gave ${status}`);
    assert((await b.page.locator('main img').count()) === 0, 'an <img> is in the page');
    assert(
      (await b.page.locator('#name').inputValue()) === '<img src=x onerror=alert(1)>',
      'value not kept',
    );
    await b.page.waitForTimeout(200);
    assert(b.dialogs.length === 0, `dialogs: ${b.dialogs}`);
    await b.shot('account-3-register-refused.png');
    await b.context.close();
  });

  await step(
    'log out, then log in with "remember me": "Welcome back", a _remember cookie',
    async () => {
      await a.submit('nav form[action="/logout"] button');
      assert(new URL(a.page.url()).pathname === '/login', `ended on ${a.page.url()}`);
      assert((await a.text()).includes('You are logged out.'), await a.text());
      await a.shot('account-4-login.png');
      const status = await a.logIn(NAME, PASSWORD, true);
      assert(status === 302, `POST /login gave ${status}`);
      assert((await a.text()).includes(`Welcome back, ${NAME}!`), await a.text());
      remember = (await a.context.cookies(base)).find((c) => c.name === '_remember');
      assert(
        remember?.httpOnly && remember.sameSite === 'Lax',
        `remember cookie ${JSON.stringify(remember)}`,
      );
      assert(
        remember.expires > Date.now() / 1000 + 29 * 86400,
        'remember cookie shorter than 30 days',
      );
    },
  );

  let c;
  await step('a new browser with only _remember: logged in again, not fresh', async () => {
    c = await open([remember]);
    await c.page.goto(`${base}/`);
    assert(new URL(c.page.url()).pathname === '/', `ended on ${c.page.url()}`);
    const body = await c.text();
    assert(body.includes(`Hello, ${NAME}`), body);
    assert(body.includes('remember me'), `not marked as restored: ${body}`);
    await c.shot('account-5-restored-by-remember-me.png');
  });

  await step(
    'change password asks a restored login for the password first, then works',
    async () => {
      await c.page.locator('nav a[href="/password"]').click();
      await c.page.waitForLoadState('load');
      const url = new URL(c.page.url());
      assert(
        url.pathname === '/login' && url.searchParams.get('next') === '/password',
        `at ${c.page.url()}`,
      );
      assert((await c.text()).includes('enter your password again'), await c.text());
      await c.shot('account-6-fresh-login-needed.png');
      const status = await c.logIn(NAME, PASSWORD);
      assert(status === 302, `login gave ${status}`);
      assert(new URL(c.page.url()).pathname === '/password', `after login at ${c.page.url()}`);
      await c.shot('account-7-change-password.png');
    },
  );

  await step(
    'your sessions, in two browsers: ending one from the other takes effect at once',
    async () => {
      await a.page.goto(`${base}/sessions`);
      const rows = a.page.locator('tbody tr');
      assert((await rows.count()) === 2, `${await rows.count()} sessions listed`);
      assert((await a.page.locator('.tag').count()) === 1, 'no "this device" mark');
      assert((await a.text()).includes('Headless Chrome on Linux'), await a.text());
      await a.shot('account-8-sessions.png');
      await a.submit('form[action$="/end"] button');
      assert((await a.text()).includes('That session is logged out.'), await a.text());
      assert((await a.page.locator('tbody tr').count()) === 1, 'still listed');
      await c.page.goto(`${base}/password`);
      assert(
        new URL(c.page.url()).pathname === '/login',
        `the ended session still works: ${c.page.url()}`,
      );
      // That browser has a remember cookie (restored by it): the cookie's record ended with its session, so it was
      // not logged in again (which would list it as a new session).
      const kept = (await c.context.cookies(base)).find((k) => k.name === '_remember');
      assert(kept === undefined, `the ended browser kept ${JSON.stringify(kept)}`);
      await a.shot('account-9-session-ended.png');
      await a.page.goto(`${base}/sessions`);
      assert((await a.page.locator('tbody tr').count()) === 1, 'the ended browser came back');
    },
  );

  await step('change password (fresh login) ends the other sessions', async () => {
    await c.logIn(NAME, PASSWORD);
    assert(new URL(c.page.url()).pathname === '/password', `at ${c.page.url()}`);
    await c.page.locator('#current').fill(PASSWORD);
    await c.page.locator('#password').fill(NEW_PASSWORD);
    await c.page.locator('#confirm').fill(NEW_PASSWORD);
    const status = await c.submit('form[action="/password"] button');
    assert(status === 302, `POST /password gave ${status}`);
    const body = await c.text();
    assert(body.includes('Password changed. Your other sessions were logged out.'), body);
    await c.shot('account-10-password-changed.png');
    await a.page.goto(`${base}/`);
    assert(
      new URL(a.page.url()).pathname === '/login',
      `the other session survived: ${a.page.url()}`,
    );
  });

  await step(
    'a browser restored by remember me enters the password before logging out everywhere else',
    async () => {
      await c.page.goto(`${base}/`);
      assert(new URL(c.page.url()).pathname === '/', `c is logged out: ${c.page.url()}`);
      // A browser logged in with "remember me", then restarted (only `_remember` kept).
      const b = await open();
      await b.page.goto(`${base}/login`);
      assert((await b.logIn(NAME, NEW_PASSWORD, true)) === 302, 'login with remember me failed');
      const kept = (await b.context.cookies(base)).find((k) => k.name === '_remember');
      assert(kept !== undefined, 'no _remember cookie');
      await b.context.close();
      const r = await open([kept]);
      await r.page.goto(`${base}/sessions`);
      assert((await r.page.locator('tbody tr').count()) === 2, 'not two sessions listed');
      await r.page.locator('form[action="/sessions/others"] button').click();
      await r.page.waitForLoadState('load');
      const url = new URL(r.page.url());
      assert(
        url.pathname === '/login' && url.searchParams.get('next') === '/sessions/others',
        `at ${r.page.url()}`,
      );
      assert((await r.text()).includes('enter your password again'), await r.text());
      await r.shot('account-11-sessions-fresh-login-needed.png');
      const status = await r.logIn(NAME, NEW_PASSWORD);
      assert(status === 302, `login gave ${status}`);
      assert(new URL(r.page.url()).pathname === '/sessions', `after login at ${r.page.url()}`);
      await r.submit('form[action="/sessions/others"] button');
      assert((await r.text()).includes('You are logged out everywhere else.'), await r.text());
      assert((await r.page.locator('tbody tr').count()) === 1, 'the other session is listed');
      await r.shot('account-12-logged-out-elsewhere.png');
      await c.page.goto(`${base}/`);
      assert(new URL(c.page.url()).pathname === '/login', `still logged in: ${c.page.url()}`);
    },
  );

  await step('five wrong passwords, then "Too many failed logins" (429)', async () => {
    const d = await open();
    await d.page.goto(`${base}/login`);
    for (let i = 0; i < 5; i++) {
      const status = await d.logIn(NAME, `wrong ${i}`);
      assert(status === 401, `attempt ${i} gave ${status}`);
    }
    const status = await d.logIn(NAME, NEW_PASSWORD);
    assert(status === 429, `the sixth gave ${status}`);
    assert((await d.text()).includes('Too many failed logins'), await d.text());
    await d.shot('account-13-throttled.png');
  });
});

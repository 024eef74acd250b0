// Cross-site request forgery against the examples, in a real (headless) Chromium.
// A second server on another origin (http://localhost:<port>, while the example is on
// http://127.0.0.1:<port>: another site) serves pages that auto-submit forms to the example: a
// login (as the attacker) and a logout, and for the account example also "log out everywhere
// else" and a password change. Each must be refused with 403 and leave the victim's session as
// it was; the same forms posted from the example's own pages must still work.
// Run with `npm run e2e` (which builds first). Bounded: the whole run stops after 90 s.
import { createServer } from 'node:http';
import {
  assert,
  launchBrowser,
  listenLocal,
  newPage,
  postAndLoad,
  run,
  screenshot,
  serveExample,
  shownText,
} from './harness.mjs';

const { step, main, track } = run('e2e csrf', 90_000);

/**
 * The attacker's site: for each path, a page whose form posts `fields` to `target + action` as
 * soon as it loads. Resolves to its origin, on `localhost`.
 */
function attackerSite(target, forms) {
  const page = ({ action, fields }) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Win a prize</title></head>
<body><p>Loading your prize…</p>
<form id="f" method="POST" action="${target}${action}">${Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('')}</form>
<script>document.getElementById('f').submit();</script></body></html>`;
  const server = createServer((req, res) => {
    const form = forms[req.url ?? ''];
    res.writeHead(form ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(form ? page(form) : 'not found');
  });
  return listenLocal(server, track).then((port) => `http://localhost:${port}`);
}

/** What a browser context needs to drive one example: page, session cookie, text, POSTs. */
async function visitor(browser, base) {
  const { context, page } = await newPage(browser, { width: 800, height: 500 });
  return {
    page,
    cookies: async () =>
      JSON.stringify((await context.cookies(base)).map((c) => [c.name, c.value]).sort()),
    text: () => shownText(page),
    shot: (name) => screenshot(page, name),
    /** Runs `action` (a click, a navigation) and returns the POST it sent to the example. */
    async post(action) {
      const response = await postAndLoad(page, action, base);
      return {
        status: response.status(),
        headers: await response.request().allHeaders(),
        setCookie: await response.headerValue('set-cookie'),
      };
    },
  };
}

/**
 * The attack on one example: each forged form is refused with the HTML 403 page, sets no
 * cookie, and `stillVictim` holds afterwards; the browser's cookies are unchanged.
 */
async function forge(v, evil, path, stillVictim, shotName) {
  const before = await v.cookies();
  const { status, headers, setCookie } = await v.post(() => v.page.goto(`${evil}${path}`));
  assert(status === 403, `the forged ${path} gave ${status}`);
  assert(
    headers['sec-fetch-site'] === 'cross-site',
    `Sec-Fetch-Site: ${headers['sec-fetch-site']}`,
  );
  assert(headers.origin === evil, `Origin: ${headers.origin}`);
  // SameSite=Lax kept the victim's cookie off this POST, but the attack needs none: the browser
  // stores whatever Set-Cookie the answer to a top-level navigation carries.
  assert(setCookie === null, `the 403 sets a cookie: ${setCookie}`);
  const body = await v.text();
  assert(body.includes('sent from another web site'), `the 403 page says: ${body}`);
  if (shotName !== undefined) await v.shot(shotName);
  assert((await v.cookies()) === before, 'the cookies changed');
  await stillVictim();
}

await main(async () => {
  const browser = await launchBrowser(track, ['--host-resolver-rules=MAP localhost 127.0.0.1']);

  // --- examples/sessions (the Microdot login port) -------------------------------------------
  {
    const base = await serveExample(
      'examples/sessions/login.js',
      { SESSION_STORE: 'cookie' },
      track,
    );
    const evil = await attackerSite(base, {
      '/login': { action: '/', fields: { username: 'attacker-csrf' } },
      '/logout': { action: '/logout', fields: {} },
    });
    console.log(`e2e csrf: sessions example on ${base}, attacker on ${evil}`);
    const v = await visitor(browser, base);
    const stillVictim = async () => {
      await v.page.goto(`${base}/`);
      const body = await v.text();
      assert(body.includes('Hello victim!'), `the example now says: ${body}`);
    };

    await step('sessions: the victim logs in on the example', async () => {
      await v.page.goto(`${base}/`);
      await v.page.locator('input[name="username"]').fill('victim');
      const { status, headers } = await v.post(() =>
        v.page.locator('input[type="submit"]').click(),
      );
      assert(status === 302, `POST / gave ${status}`);
      assert(headers['sec-fetch-site'] === 'same-origin', 'not a same-origin post');
      await stillVictim();
    });
    await step('sessions: a forged login from another site is refused (403)', () =>
      forge(v, evil, '/login', stillVictim, 'csrf-1-forged-login-refused.png'),
    );
    await step('sessions: a forged logout from another site is refused (403)', () =>
      forge(v, evil, '/logout', stillVictim, 'csrf-2-forged-logout-refused.png'),
    );
    await step("sessions: the example's own Logout and login forms still work", async () => {
      let { status } = await v.post(() => v.page.locator('input[value="Logout"]').click());
      assert(status === 302, `Logout gave ${status}`);
      assert((await v.text()).includes('You are not logged in.'), 'still logged in after Logout');
      await v.page.locator('input[name="username"]').fill('victim');
      ({ status } = await v.post(() => v.page.locator('input[type="submit"]').click()));
      assert(status === 302, `login gave ${status}`);
      await stillVictim();
      await v.shot('csrf-3-own-forms-work.png');
    });
  }

  // --- examples/account (login, remember-me, sessions list, password change) -----------------
  {
    const base = await serveExample('examples/account/main.js', { SESSION_STORE: 'memory' }, track);
    const mallory = { name: 'mallory', password: 'mallory-password-1' };
    const evil = await attackerSite(base, {
      '/login': { action: '/login', fields: mallory },
      '/logout': { action: '/logout', fields: {} },
      '/others': { action: '/sessions/others', fields: {} },
      '/password': {
        action: '/password',
        fields: { current: 'x', password: 'owned-by-mallory', confirm: 'owned-by-mallory' },
      },
    });
    console.log(`e2e csrf: account example on ${base}, attacker on ${evil}`);
    const v = await visitor(browser, base);
    const stillVictim = async () => {
      await v.page.goto(`${base}/`);
      const body = await v.text();
      assert(body.includes('Hello, victim'), `the example now says: ${body}`);
      assert(!body.includes('mallory'), `the attacker shows: ${body}`);
    };
    /** Fills and sends the register or login form of the page `v` is on. */
    const send = async (who, fields) => {
      for (const [name, value] of Object.entries(fields)) {
        await who.page.locator(`input[name="${name}"]`).fill(value);
      }
      return who.post(() => who.page.locator('button[type="submit"]').last().click());
    };

    await step('account: the attacker and the victim each register', async () => {
      const m = await visitor(browser, base);
      await m.page.goto(`${base}/register`);
      let { status } = await send(m, { ...mallory, confirm: mallory.password });
      assert(status === 302, `mallory's registration gave ${status}`);
      await v.page.goto(`${base}/register`);
      const password = 'victim-password-1';
      ({ status } = await send(v, { name: 'victim', password, confirm: password }));
      assert(status === 302, `the victim's registration gave ${status}`);
      await stillVictim();
    });
    await step('account: a forged login as the attacker is refused (403)', () =>
      forge(v, evil, '/login', stillVictim, 'csrf-4-account-forged-login-refused.png'),
    );
    await step(
      'account: forged logout, "log out everywhere else" and password change: 403',
      async () => {
        for (const path of ['/logout', '/others', '/password']) {
          await forge(v, evil, path, stillVictim);
        }
      },
    );
    await step("account: the example's own Log out and Log in forms still work", async () => {
      let { status } = await v.post(() => v.page.locator('nav button[type="submit"]').click());
      assert(status === 302, `Log out gave ${status}`);
      assert((await v.text()).includes('You are logged out.'), 'no "You are logged out."');
      ({ status } = await send(v, { name: 'victim', password: 'victim-password-1' }));
      assert(status === 302, `Log in gave ${status}`);
      await stillVictim();
      await v.shot('csrf-5-account-own-forms-work.png');
    });
  }
});

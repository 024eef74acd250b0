// Cross-site request forgery against the login example, in a real (headless) Chromium.
// A second server on another origin (http://localhost:<port>, while the example is on
// http://127.0.0.1:<port>: another site) serves pages that auto-submit a login form and a
// logout form to the example. Both must be refused with 403 and leave the victim's session as it
// was; the same forms posted from the example's own pages must still work.
// Run with `npm run e2e` (which builds first). Bounded: the whole run stops after 60 s.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
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

const { step, main, track } = run('e2e csrf', 60_000);

/** The attacker's site: one page per forged form, each submitting itself on load. */
function attackerServer(target) {
  const page = (action, fields) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Win a prize</title></head>
<body><p>Loading your prize…</p>
<form id="f" method="POST" action="${target}${action}">${fields}</form>
<script>document.getElementById('f').submit();</script></body></html>`;
  const pages = {
    '/login': page('/', '<input name="username" value="attacker-csrf">'),
    '/logout': page('/logout', ''),
  };
  const server = createServer((req, res) => {
    const body = pages[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      track(() => new Promise((r) => server.close(r)));
      resolve(/** @type {import('node:net').AddressInfo} */ (server.address()).port);
    });
  });
}

await main(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  await startExample(
    'examples/sessions/login.js',
    { PORT: String(port), SESSION_STORE: 'cookie' },
    track,
  );
  const base = `http://127.0.0.1:${port}`;
  const evil = `http://localhost:${await attackerServer(base)}`;
  console.log(`e2e csrf: example on ${base}, attacker on ${evil}`);

  // localhost is mapped to 127.0.0.1, where the attacker's server listens.
  const browser = await launchBrowser(track, ['--host-resolver-rules=MAP localhost 127.0.0.1']);
  const context = await browser.newContext({ viewport: { width: 800, height: 500 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const session = async () => (await context.cookies(base)).find((c) => c.name === 'session');
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text a user sees
  const text = async () => (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
  const shot = (name) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

  /** Navigates (or clicks) and returns the POST the browser sent to the example, and its answer. */
  async function postFrom(action) {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(base)),
      page.waitForNavigation({ waitUntil: 'load', url: (u) => u.href.startsWith(base) }),
      action(),
    ]);
    return {
      status: response.status(),
      headers: await response.request().allHeaders(),
      setCookie: await response.headerValue('set-cookie'),
    };
  }

  async function expectVictim(cookieBefore) {
    const cookie = await session();
    assert(cookie?.value === cookieBefore, 'the session cookie changed');
    await page.goto(`${base}/`);
    const body = await text();
    assert(body.includes('Hello victim!'), `the example now says: ${body}`);
  }

  let victimCookie = '';
  await step('the victim logs in on the example', async () => {
    await page.goto(`${base}/`);
    await page.locator('input[name="username"]').fill('victim');
    const { status, headers } = await postFrom(() => page.locator('input[type="submit"]').click());
    assert(status === 302, `POST / gave ${status}`);
    assert(
      headers['sec-fetch-site'] === 'same-origin',
      `Sec-Fetch-Site: ${headers['sec-fetch-site']}`,
    );
    assert((await text()).includes('Hello victim!'), 'no greeting');
    victimCookie = (await session())?.value ?? '';
    assert(victimCookie !== '', 'no session cookie');
  });

  await step(
    'another site auto-submits a login form: 403, the victim stays logged in',
    async () => {
      const { status, headers, setCookie } = await postFrom(() => page.goto(`${evil}/login`));
      assert(status === 403, `the forged login gave ${status}`);
      assert(
        headers['sec-fetch-site'] === 'cross-site',
        `Sec-Fetch-Site: ${headers['sec-fetch-site']}`,
      );
      assert(headers.origin === evil, `Origin: ${headers.origin}`);
      // SameSite=Lax kept the victim's cookie off this POST, but the attack needs none: the
      // browser stores whatever Set-Cookie the answer to a top-level navigation carries.
      assert(
        !(headers.cookie ?? '').includes('session='),
        `the cookie was sent: ${headers.cookie}`,
      );
      assert(setCookie === null, `the 403 sets a cookie: ${setCookie}`);
      const body = await text();
      assert(body.includes('sent from another web site'), `the 403 page says: ${body}`);
      await shot('csrf-1-forged-login-refused.png');
      await expectVictim(victimCookie);
    },
  );

  await step(
    'another site auto-submits a logout form: 403, the victim stays logged in',
    async () => {
      const { status, headers, setCookie } = await postFrom(() => page.goto(`${evil}/logout`));
      assert(status === 403, `the forged logout gave ${status}`);
      assert(setCookie === null, `the 403 clears or sets a cookie: ${setCookie}`);
      assert(
        headers['sec-fetch-site'] === 'cross-site',
        `Sec-Fetch-Site: ${headers['sec-fetch-site']}`,
      );
      await shot('csrf-2-forged-logout-refused.png');
      await expectVictim(victimCookie);
    },
  );

  await step("the example's own Logout and login forms still work", async () => {
    let { status } = await postFrom(() => page.locator('input[value="Logout"]').click());
    assert(status === 302, `Logout gave ${status}`);
    assert((await text()).includes('You are not logged in.'), 'still logged in after Logout');
    assert((await session()) === undefined, 'the session cookie is still there');
    await page.locator('input[name="username"]').fill('victim');
    ({ status } = await postFrom(() => page.locator('input[type="submit"]').click()));
    assert(status === 302, `login gave ${status}`);
    assert((await text()).includes('Hello victim!'), 'no greeting after logging in again');
    await shot('csrf-3-own-forms-work.png');
  });
});

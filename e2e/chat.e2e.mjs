// The chat example in a real (headless) Chromium: two browser contexts log in as alice and bob
// and exchange messages over the WebSocket, see each other in the "online" list (SSE), and
// see markup sent as a message shown as text. A third context, logged out, is refused: its
// WebSocket never opens and the online list is not served. A page on another site cannot open
// the WebSocket either (Cross-Site WebSocket Hijacking).
// Run with `npm run e2e` (which builds first). Bounded: the whole run stops after 90 s.
import { createServer } from 'node:http';
import {
  assert,
  launchBrowser,
  listenLocal,
  newPage,
  run,
  screenshot,
  serveExample,
} from './harness.mjs';

const { step, main, track } = run('e2e chat', 90_000);
const USERS = { alice: 'alice-pass-2718', bob: 'bob-pass-31415' };

/** Another site, whose page tries to open the chat's WebSocket. */
function attackerServer(target) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Cute cats</title></head>
<body><p id="result">trying…</p><script>
const ws = new WebSocket('${target.replace('http', 'ws')}/ws');
ws.onopen = () => { document.getElementById('result').textContent = 'opened'; };
ws.onclose = () => { if (document.getElementById('result').textContent !== 'opened') document.getElementById('result').textContent = 'refused'; };
</script></body></html>`);
  });
  return listenLocal(server, track);
}

await main(async () => {
  const base = await serveExample(
    'examples/chat/main.js',
    {
      SECRET_KEY: 'e2e-chat-secret-key-that-is-long-enough-0123456789',
      CHAT_USERS: Object.entries(USERS)
        .map(([n, p]) => `${n}:${p}`)
        .join(','),
    },
    track,
  );
  const evil = `http://localhost:${await attackerServer(base)}`;
  const browser = await launchBrowser(track, ['--host-resolver-rules=MAP localhost 127.0.0.1']);

  const person = () => newPage(browser, { width: 900, height: 520 });
  /** What went wrong in the pages of `people`: uncaught errors and dialogs. */
  const errorsOf = (people) => people.flatMap((p) => [...p.pageErrors, ...p.dialogs]);
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text a user sees
  const shown = (locator) => locator.innerText();
  const logText = (page) => shown(page.locator('#log'));
  const onlineText = (page) => shown(page.locator('#online'));
  /** The online list as one line, read in the page. */
  const onlineIs = (page, names) =>
    page.waitForFunction(
      (want) =>
        [...document.querySelectorAll('#online li')].map((li) => li.textContent).join(' ') === want,
      names,
    );

  async function logIn(page, name) {
    await page.goto(`${base}/`);
    assert(page.url().startsWith(`${base}/login`), `not sent to the login page: ${page.url()}`);
    await page.locator('input[name="name"]').fill(name);
    await page.locator('input[name="password"]').fill(USERS[name]);
    await Promise.all([page.waitForURL(`${base}/`), page.locator('button[type="submit"]').click()]);
    await page.locator('#status', { hasText: 'connected' }).waitFor();
  }

  const alice = await person();
  const bob = await person();
  const stranger = await person();

  await step('a wrong password is refused', async () => {
    await alice.page.goto(`${base}/login`);
    await alice.page.locator('input[name="name"]').fill('alice');
    await alice.page.locator('input[name="password"]').fill('wrong');
    await alice.page.locator('button[type="submit"]').click();
    await alice.page.locator('.error', { hasText: 'Wrong name or password' }).waitFor();
  });

  await step('alice and bob log in; each sees both online', async () => {
    await logIn(alice.page, 'alice');
    await logIn(bob.page, 'bob');
    for (const { page } of [alice, bob]) {
      await onlineIs(page, 'alice bob');
    }
  });

  await step('alice and bob exchange messages over the WebSocket', async () => {
    await alice.page.locator('#text').fill('Hello Bob!');
    await alice.page.locator('#say button').click();
    await bob.page.locator('#log li', { hasText: 'alice: Hello Bob!' }).waitFor();
    await bob.page.locator('#text').fill('Hi Alice, how are you?');
    await bob.page.keyboard.press('Enter');
    await alice.page.locator('#log li', { hasText: 'bob: Hi Alice, how are you?' }).waitFor();
    assert(
      (await logText(alice.page)).includes('alice: Hello Bob!'),
      'alice does not see her own message',
    );
  });

  await step('markup sent as a message is shown as text, never run', async () => {
    const markup = '<img src=x onerror="alert(1)"><b>bold?</b>';
    await bob.page.locator('#text').fill(markup);
    await bob.page.locator('#say button').click();
    const line = alice.page.locator('#log li', { hasText: 'bold?' });
    await line.waitFor();
    assert((await shown(line)) === `bob: ${markup}`, `shown as: ${await shown(line)}`);
    assert((await alice.page.locator('#log img').count()) === 0, 'an <img> was created');
    // A page loaded now renders the history on the server: escaped there too.
    await alice.page.reload();
    await alice.page.locator('#status', { hasText: 'connected' }).waitFor();
    assert(
      (await alice.page.locator('#log img, #log li b b').count()) === 0,
      'history not escaped',
    );
    assert((await logText(alice.page)).includes(markup), 'history lost the message');
    const errors = errorsOf([alice, bob]);
    assert(errors.length === 0, errors.join('; '));
    await screenshot(alice.page, 'chat-1-alice.png');
    await screenshot(bob.page, 'chat-2-bob.png');
  });

  await step('a logged-out browser is refused: no WebSocket, no online list', async () => {
    await stranger.page.goto(`${base}/`);
    assert(
      stranger.page.url().startsWith(`${base}/login`),
      `not sent to login: ${stranger.page.url()}`,
    );
    const outcome = await stranger.page.evaluate(
      (url) =>
        new Promise((resolve) => {
          const ws = new WebSocket(url);
          const got = [];
          ws.onopen = () => got.push('open');
          ws.onmessage = (e) => got.push(e.data);
          ws.onclose = (e) => resolve({ got, code: e.code });
        }),
      `${base.replace('http', 'ws')}/ws`,
    );
    assert(outcome.got.length === 0, `the socket opened: ${JSON.stringify(outcome)}`);
    assert(outcome.code === 1006, `close code ${outcome.code}`);
    const online = await stranger.page.evaluate(async () => {
      const res = await fetch('/online', { redirect: 'manual' });
      return res.type;
    });
    assert(online === 'opaqueredirect', `/online answered: ${online}`);
    // The others are not disturbed.
    await alice.page.locator('#text').fill('still here');
    await alice.page.locator('#say button').click();
    await bob.page.locator('#log li', { hasText: 'alice: still here' }).waitFor();
    await screenshot(stranger.page, 'chat-3-stranger-login.png');
  });

  await step("another site's page cannot open alice's WebSocket", async () => {
    const page = await alice.context.newPage();
    await page.goto(`${evil}/`);
    await page.locator('#result', { hasText: 'refused' }).waitFor();
    await page.close();
  });

  await step('alice logs out: bob sees her leave, and her socket closes', async () => {
    await Promise.all([
      alice.page.waitForURL(`${base}/login`),
      alice.page.locator('header button').click(),
    ]);
    await onlineIs(bob.page, 'bob');
    assert((await onlineText(bob.page)).trim() === 'bob', 'alice is still listed');
    await screenshot(bob.page, 'chat-4-bob-alone.png');
  });
});

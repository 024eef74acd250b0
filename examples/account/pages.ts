// The account example's pages: server-rendered HTML. Every text that comes from a user is
// escaped, and user names sit in <bdi> so right-to-left text cannot reorder the page.
import type { SessionInfo } from 'microdot-ts/session';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A user name, escaped and isolated for bidirectional text. */
export const userName = (name: string): string => `<bdi>${escapeHtml(name)}</bdi>`;

/** Flash messages to show at the top of a page. */
export interface Flash {
  notice?: string | undefined;
  error?: string | undefined;
}

interface LayoutOptions {
  title: string;
  user?: { name: string } | undefined;
  current?: string;
  flash?: Flash;
}

function nav(options: LayoutOptions): string {
  const link = (href: string, text: string) =>
    `<a href="${href}"${options.current === href ? ' aria-current="page"' : ''}>${text}</a>`;
  if (options.user === undefined)
    return `<nav>${link('/login', 'Log in')}${link('/register', 'Register')}</nav>`;
  return `<nav>${link('/', 'Home')}${link('/sessions', 'Your sessions')}${link('/password', 'Change password')}
    <form class="inline" method="post" action="/logout"><button class="link" type="submit">Log out</button></form></nav>`;
}

/** The page around `body`. */
export function layout(options: LayoutOptions, body: string): string {
  const flash = options.flash ?? {};
  const messages = [
    flash.notice === undefined
      ? ''
      : `<div class="flash notice" role="status">${escapeHtml(flash.notice)}</div>`,
    flash.error === undefined
      ? ''
      : `<div class="flash error" role="alert">${escapeHtml(flash.error)}</div>`,
  ].join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(options.title)} · Accounts</title>
  <link rel="stylesheet" href="/style.css">
</head>
<body>
  <header><div class="bar"><a class="brand" href="/">Accounts</a>${nav(options)}</div></header>
  <main>${messages}${body}</main>
  <footer>microdot-ts account example: sessions, login, CSRF protection.</footer>
</body>
</html>`;
}

/** The query string that carries `next` to the login form's action, when there is one. */
const nextQuery = (next: string | undefined) =>
  next === undefined ? '' : `?next=${encodeURIComponent(next)}`;

/** The login form. */
export function loginForm(options: {
  name?: string;
  next?: string | undefined;
  reauth?: boolean;
}): string {
  return `<section class="card narrow">
  <h1>${options.reauth ? 'Confirm it is you' : 'Log in'}</h1>
  ${options.reauth ? '<p class="muted">For your security, enter your password again to continue.</p>' : ''}
  <form method="post" action="/login${escapeHtml(nextQuery(options.next))}">
    <label for="name">User name</label>
    <input type="text" id="name" name="name" autocomplete="username" required maxlength="64" value="${escapeHtml(options.name ?? '')}" autofocus>
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
    <label class="check"><input type="checkbox" name="remember" value="on"> Remember me for 30 days</label>
    <div class="actions"><button type="submit">Log in</button><span class="muted">No account? <a href="/register">Register</a></span></div>
  </form>
</section>`;
}

/** The registration form. */
export function registerForm(options: { name?: string }): string {
  return `<section class="card narrow">
  <h1>Create an account</h1>
  <form method="post" action="/register">
    <label for="name">User name</label>
    <input type="text" id="name" name="name" autocomplete="username" required maxlength="64" value="${escapeHtml(options.name ?? '')}" autofocus>
    <label for="password">Password <span class="muted">(at least 8 characters)</span></label>
    <input type="password" id="password" name="password" autocomplete="new-password" required minlength="8">
    <label for="confirm">Password, again</label>
    <input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="8">
    <div class="actions"><button type="submit">Register</button><span class="muted">Have an account? <a href="/login">Log in</a></span></div>
  </form>
</section>`;
}

/** The home page of a logged-in user. */
export function home(user: { name: string; createdAt: number }, restored: boolean): string {
  return `<section class="card">
  <h1>Hello, ${userName(user.name)}</h1>
  <p>You have had an account since ${escapeHtml(when(user.createdAt))}.</p>
  <p class="muted">${restored ? 'You were logged in by your “remember me” cookie: changing your password will ask for it again.' : 'You logged in with your password in this session.'}</p>
  <div class="actions"><a class="button" href="/sessions">Your sessions</a><a href="/password">Change password</a></div>
</section>`;
}

/** The "your sessions" page (store mode). */
export function sessionsList(rows: SessionInfo[], here: string | undefined): string {
  const row = (s: SessionInfo) => `<tr>
      <td>${escapeHtml(browserOf(s.userAgent))}${s.handle === here ? '<span class="tag">this device</span>' : ''}</td>
      <td>${escapeHtml(s.ip ?? 'unknown')}</td>
      <td>${escapeHtml(when(s.createdAt))}</td>
      <td>${escapeHtml(ago(s.lastSeenAt))}</td>
      <td>${
        s.handle === here
          ? ''
          : `<form class="inline" method="post" action="/sessions/${encodeURIComponent(s.handle)}/end"><button class="secondary" type="submit">Log out this one</button></form>`
      }</td>
    </tr>`;
  const others = rows.filter((s) => s.handle !== here).length;
  return `<section class="card">
  <h1>Your sessions</h1>
  <p class="muted">Every browser where you are logged in. End any you do not recognise, then change your password.</p>
  <table>
    <thead><tr><th>Browser</th><th>Address</th><th>Logged in</th><th>Last seen</th><th></th></tr></thead>
    <tbody>${rows.map(row).join('')}</tbody>
  </table>
</section>
${
  others === 0
    ? ''
    : `<section class="card"><form method="post" action="/sessions/others"><div class="actions"><button class="secondary" type="submit">Log out everywhere else</button><span class="muted">Ends ${others} other session${others === 1 ? '' : 's'}.</span></div></form></section>`
}`;
}

/** The "your sessions" page in cookie mode, which cannot list sessions. */
export function sessionsUnavailable(): string {
  return `<section class="card">
  <h1>Your sessions</h1>
  <p>This server keeps sessions in signed cookies (<code>SESSION_STORE=cookie</code>): each session lives only in its browser, so the server cannot list them or end one from here.</p>
  <p class="muted">Run it with a store (<code>SESSION_STORE=memory</code>, <code>sqlite</code>, <code>redis</code> or <code>postgres</code>) to see and end your sessions. In cookie mode, logging out ends this browser’s session; changing your password ends all the others.</p>
</section>`;
}

/** The change-password form. */
export function passwordForm(): string {
  return `<section class="card narrow">
  <h1>Change password</h1>
  <form method="post" action="/password">
    <label for="current">Current password</label>
    <input type="password" id="current" name="current" autocomplete="current-password" required>
    <label for="password">New password <span class="muted">(at least 8 characters)</span></label>
    <input type="password" id="password" name="password" autocomplete="new-password" required minlength="8">
    <label for="confirm">New password, again</label>
    <input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="8">
    <div class="actions"><button type="submit">Change password</button></div>
  </form>
  <p class="muted">Your other sessions, and their “remember me” cookies, will be logged out.</p>
</section>`;
}

/** A time as a date, in UTC. */
export function when(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long ago, roughly. */
export function ago(seconds: number): string {
  const delta = Math.max(0, Math.floor(Date.now() / 1000) - seconds);
  if (delta < 60) return 'just now';
  if (delta < 3600) return `${Math.floor(delta / 60)} min ago`;
  if (delta < 86400) return `${Math.floor(delta / 3600)} h ago`;
  return `${Math.floor(delta / 86400)} days ago`;
}

/** A browser and system in a few words, from a User-Agent. */
export function browserOf(userAgent: string | undefined): string {
  if (userAgent === undefined || userAgent === '') return 'Unknown browser';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? /HeadlessChrome/.test(userAgent)
          ? 'Headless Chrome'
          : 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /curl\//.test(userAgent)
            ? 'curl'
            : undefined;
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  if (browser === undefined) return userAgent.slice(0, 60);
  return system === undefined ? browser : `${browser} on ${system}`;
}

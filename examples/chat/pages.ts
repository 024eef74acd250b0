// The chat's pages, stylesheet and browser script. Everything a user typed is escaped on the
// server (escapeHtml) or set with textContent in the browser, never parsed as HTML; the
// Content-Security-Policy allows scripts from this origin only, so an injected tag could not
// run a script anyway.
import type { ChatMessage } from './room.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Headers of every page: HTML, and a policy that runs no inline or foreign script. */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=UTF-8',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)}</title>
    <link rel="stylesheet" href="/chat.css">
  </head>
  <body>
${body}
  </body>
</html>`;
}

/** The login form, with an optional error message. */
export function loginPage(error?: string, name = ''): string {
  return page(
    'Log in — Microdot chat',
    `    <main class="card">
      <h1>Microdot chat</h1>
      ${error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`}
      <form method="POST" action="/login">
        <label>Name <input name="name" autocomplete="username" value="${escapeHtml(name)}" required autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Log in</button>
      </form>
    </main>`,
  );
}

/** The chat: the last messages (escaped here), the people online, and the message box. */
export function chatPage(name: string, history: readonly ChatMessage[]): string {
  const items = history
    .map((m) => `<li><b>${escapeHtml(m.from)}</b>: ${escapeHtml(m.text)}</li>`)
    .join('\n        ');
  return page(
    'Microdot chat',
    `    <header>
      <h1>Microdot chat</h1>
      <span>Logged in as <b id="me">${escapeHtml(name)}</b></span>
      <form method="POST" action="/logout"><button type="submit">Log out</button></form>
    </header>
    <main class="chat">
      <section>
        <ul id="log" aria-live="polite">
        ${items}
        </ul>
        <form id="say">
          <input id="text" maxlength="500" autocomplete="off" placeholder="Say something" aria-label="Message">
          <button type="submit" disabled>Send</button>
        </form>
        <p id="status">connecting…</p>
      </section>
      <aside>
        <h2>Online</h2>
        <ul id="online"></ul>
      </aside>
    </main>
    <script src="/chat.js"></script>`,
  );
}

export const CHAT_CSS = `body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #222; }
header { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #2d3e50; color: #fff; }
header h1 { font-size: 1.2rem; margin: 0; flex: 1; }
header form { margin: 0; }
.card { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 1.5rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
.card label { display: block; margin: .5rem 0; }
.card input { display: block; width: 100%; box-sizing: border-box; padding: .4rem; }
.error { color: #a00; }
.chat { display: flex; gap: 1rem; padding: 1rem; }
.chat section { flex: 1; background: #fff; padding: 1rem; border-radius: 8px; }
.chat aside { width: 12rem; background: #fff; padding: 1rem; border-radius: 8px; }
.chat aside h2 { font-size: 1rem; margin-top: 0; }
#log { list-style: none; padding: 0; min-height: 12rem; margin: 0 0 1rem; }
#log li { padding: .2rem 0; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
#say { display: flex; gap: .5rem; }
#say input { flex: 1; padding: .4rem; }
#status { color: #666; font-size: .85rem; }
`;

/** The browser side: a WebSocket for messages, an EventSource for who is online. */
export const CHAT_JS = `'use strict';
const log = document.getElementById('log');
const online = document.getElementById('online');
const form = document.getElementById('say');
const input = document.getElementById('text');
const button = form.querySelector('button');
const status = document.getElementById('status');

function show(message) {
  const item = document.createElement('li');
  const who = document.createElement('b');
  who.textContent = message.from;
  item.append(who, ': ', message.text);
  log.append(item);
  item.scrollIntoView({ block: 'nearest' });
}

const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
ws.addEventListener('open', () => {
  status.textContent = 'connected';
  button.disabled = false;
});
ws.addEventListener('message', (event) => show(JSON.parse(event.data)));
ws.addEventListener('close', () => {
  status.textContent = 'disconnected: reload the page to reconnect';
  button.disabled = true;
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (input.value.trim() !== '' && ws.readyState === WebSocket.OPEN) ws.send(input.value);
  input.value = '';
  input.focus();
});

const events = new EventSource('/online');
events.addEventListener('online', (event) => {
  online.replaceChildren(
    ...JSON.parse(event.data).map((name) => {
      const item = document.createElement('li');
      item.textContent = name;
      return item;
    }),
  );
});
`;

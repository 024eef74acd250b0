// The login example as a function, so tests can drive it in-process; login.ts runs it.
// A port of Microdot's examples/sessions/login.py, with the user name HTML-escaped and every
// form protected against cross-site request forgery (a login or logout posted by another site).
import { Microdot, redirect } from 'microdot-ts';
import { CSRF } from 'microdot-ts/csrf';
import { Session, type SessionStore, withSession } from 'microdot-ts/session';

const PAGE = (content: string) => `<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Microdot login example</title>
  </head>
  <body>
    <h1>Microdot login example</h1>
    ${content}
  </body>
</html>`;

const LOGGED_OUT = `<p>You are not logged in.</p>
<form method="POST">
  <p>
    Username:
    <input name="username" autofocus />
  </p>
  <input type="submit" value="Submit" />
</form>`;

const LOGGED_IN = (username: string) => `<p>Hello <b>${escapeHtml(username)}</b>!</p>
<form method="POST" action="/logout">
  <input type="submit" value="Logout" />
</form>`;

const HTML = { 'Content-Type': 'text/html; charset=UTF-8' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Options of {@link createLoginApp}. */
export interface LoginAppOptions {
  secretKey: string;
  store?: SessionStore;
  encrypt?: boolean;
}

/** The login example: GET / shows a form or a greeting, POST / logs in, POST /logout logs out. */
export function createLoginApp(options: LoginAppOptions): Microdot {
  const app = new Microdot();
  new Session(app, {
    secretKey: options.secretKey,
    ...(options.store === undefined ? {} : { store: options.store }),
    encrypt: options.encrypt ?? false,
  });
  // Every POST below is refused (403) when a browser says it came from another site. SameSite
  // cookies do not stop this: a top-level form post from another site still logs the victim
  // in as the attacker, or out.
  new CSRF(app);

  type Data = { username?: string };

  app.get(
    '/',
    withSession<Data>((_req, session) => {
      const content = session.username === undefined ? LOGGED_OUT : LOGGED_IN(session.username);
      return [PAGE(content), 200, HTML] as const;
    }),
  );

  app.post(
    '/',
    withSession<Data>((req, session) => {
      const username = req.form?.get('username')?.trim() ?? '';
      if (username === '' || [...username].length > 100) {
        return [
          PAGE(`<p>Please give a user name (1 to 100 characters).</p>${LOGGED_OUT}`),
          400,
          HTML,
        ] as const;
      }
      session.username = username;
      // A new session on login: a session id planted before login is worth nothing after it.
      session.regenerate();
      session.save();
      return redirect('/');
    }),
  );

  app.post(
    '/logout',
    withSession((_req, session) => {
      session.delete();
      return redirect('/');
    }),
  );

  return app;
}

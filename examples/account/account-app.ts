// The account example as a function, so tests can drive it in-process; main.ts runs it.
// Register, log in (remember me), log out, flash messages, your sessions, change password.
import { Microdot, type Request, Response, redirect } from 'microdot-ts';
import { hashPassword, LoginThrottle, type ScryptCost, verifyPassword } from 'microdot-ts/auth';
import { CSRF } from 'microdot-ts/csrf';
import { isSafeNext, Login } from 'microdot-ts/login';
import { Session, type SessionDict, type SessionStore } from 'microdot-ts/session';
import * as page from './pages.js';
import { STYLE } from './style.js';
import { MemoryUsers, type User, type Users } from './users.js';

/** Options of {@link createAccountApp}. */
export interface AccountAppOptions {
  secretKey: string;
  /** Sessions server-side (and throttle counters shared) in this store; cookie mode without. */
  store?: SessionStore | undefined;
  users?: Users;
  /** scrypt cost of new password hashes (lower it only in tests). */
  passwordCost?: ScryptCost;
  /** Failed logins allowed per user name and per client address in 15 minutes (default 5). */
  loginLimit?: number;
}

const HTML = { 'Content-Type': 'text/html; charset=UTF-8' };
/** Changing the password or ending sessions: a password typed in at most 10 minutes ago. */
const FRESH = { maxAge: 600 };
const NAME = /^[\p{L}\p{N}][\p{L}\p{N}\p{M} ._-]{0,63}$/u;

/** The account example. */
export async function createAccountApp(options: AccountAppOptions): Promise<Microdot> {
  const {
    secretKey,
    store,
    users = new MemoryUsers(),
    passwordCost = {},
    loginLimit = 5,
  } = options;
  const app = new Microdot();
  const session = new Session(app, { secretKey, ...(store === undefined ? {} : { store }) });
  new CSRF(app);
  const login = new Login<User>({
    loginUrl: '/login',
    onRememberReuse: (req) => {
      console.warn(
        `remember-me token reused from ${req.clientAddr}: every session of that user ended`,
      );
    },
    // A login holds (a digest of) the user's password hash, as Django's: a new account under a
    // reused id (a users table emptied and refilled) has another one, and so has the same
    // account after a password change. Either way, older sessions and remember-me cookies are
    // logged out, in cookie mode too.
    userVersion: (user) => user.passwordHash,
  });
  login.userLoader((id) => users.byId(Number(id)));
  const throttle = new LoginThrottle({
    limit: loginLimit,
    window: 15 * 60,
    ...(store === undefined ? {} : { store }),
  });
  // Spent on unknown user names, so that the time of an answer does not tell which names exist.
  const dummyHash = await hashPassword('not a password of anyone', passwordCost);

  app.afterRequest((_req, res) => {
    res.headers['content-security-policy'] ??=
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    res.headers['x-content-type-options'] ??= 'nosniff';
    res.headers['referrer-policy'] ??= 'same-origin';
  });

  type Data = { _user_id?: number; _fresh?: boolean };
  const html = (body: string, status = 200) => new Response(body, status, HTML);
  const flashOf = (s: SessionDict<Data>): page.Flash => ({
    notice: s.consumeFlash<string>('notice'),
    error: s.consumeFlash<string>('error'),
  });
  /** A page for the request's user (if any), with the flash messages waiting for them. */
  async function render(req: Request, title: string, current: string, body: string, status = 200) {
    const s = await session.get<Data>(req);
    const user = await login.currentUser(req);
    return html(page.layout({ title, user, current, flash: flashOf(s) }, body), status);
  }
  const field = (req: Request, name: string) => req.form?.get(name) ?? '';
  const nextOf = (req: Request) => {
    const next = req.args.get('next');
    return isSafeNext(next) ? next : undefined;
  };

  app.get(
    '/style.css',
    () =>
      new Response(STYLE, 200, {
        'Content-Type': 'text/css; charset=UTF-8',
        'Cache-Control': 'public, max-age=3600',
      }),
  );

  app.get(
    '/',
    login.required(async (req) => {
      const user = (await login.currentUser(req))!;
      const s = await session.get<Data>(req);
      return render(req, 'Home', '/', page.home(user, s._fresh !== true));
    }),
  );

  app.get('/register', async (req) => render(req, 'Register', '/register', page.registerForm({})));
  app.post('/register', async (req) => {
    const name = field(req, 'name').trim();
    const password = field(req, 'password');
    const again = (error: string) =>
      html(
        page.layout(
          { title: 'Register', current: '/register', flash: { error } },
          page.registerForm({ name }),
        ),
        400,
      );
    if (!NAME.test(name))
      return again(
        'Choose a user name of 1 to 64 letters, digits, spaces, dots, dashes or underscores.',
      );
    if ([...password].length < 8 || password.length > 1024)
      return again('Choose a password of at least 8 characters.');
    if (password !== field(req, 'confirm')) return again('The two passwords differ.');
    const user = await users.add(name, await hashPassword(password, passwordCost));
    if (user === undefined) return again('That user name is taken.');
    // A new account has no sessions: any kept under its id are an earlier holder's (an id
    // reused after the users were deleted). userVersion refuses them already; this also keeps
    // them off the new user's "your sessions" page.
    if (session.usesStore) await session.destroyAll(user.id);
    const s = await session.get<Data>(req);
    s.flash('notice', `Welcome, ${name}! Your account is ready.`);
    return login.loginUser(req, user, { redirectUrl: '/' });
  });

  app.get('/login', async (req) => {
    const user = await login.currentUser(req);
    if (user !== undefined && nextOf(req) === undefined) return redirect('/');
    // A logged-in user sent here by login.fresh: the same form, said as a re-authentication.
    const reauth = user === undefined ? {} : { reauth: true, name: user.name };
    return render(req, 'Log in', '/login', page.loginForm({ next: nextOf(req), ...reauth }));
  });
  app.post('/login', async (req) => {
    const name = field(req, 'name').trim();
    const next = nextOf(req);
    const again = (error: string, status: number, headers: Record<string, string> = {}) =>
      new Response(
        page.layout(
          { title: 'Log in', current: '/login', flash: { error } },
          page.loginForm({ name, next }),
        ),
        status,
        { ...HTML, ...headers },
      );
    const attempt = await throttle.attempt(req, name);
    if (!attempt.allowed) {
      const minutes = Math.ceil(attempt.retryAfter / 60);
      return again(
        `Too many failed logins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        429,
        { 'Retry-After': String(attempt.retryAfter) },
      );
    }
    const user = await users.byName(name);
    const ok = await verifyPassword(field(req, 'password'), user?.passwordHash ?? dummyHash);
    if (user === undefined || !ok) return again('Wrong user name or password.', 401);
    await attempt.succeeded();
    const s = await session.get<Data>(req);
    s.flash('notice', `Welcome back, ${user.name}!`);
    return login.loginUser(req, user, {
      remember: field(req, 'remember') === 'on',
      redirectUrl: '/',
    });
  });

  app.post('/logout', async (req) => {
    await login.logoutUser(req);
    (await session.get<Data>(req)).flash('notice', 'You are logged out.');
    return redirect('/login');
  });

  app.get(
    '/sessions',
    login.required(async (req) => {
      const user = (await login.currentUser(req))!;
      if (!session.usesStore)
        return render(req, 'Your sessions', '/sessions', page.sessionsUnavailable());
      const rows = await session.listSessions(user.id);
      const here = await session.currentHandle(req);
      return render(req, 'Your sessions', '/sessions', page.sessionsList(rows, here));
    }),
  );
  // Ending sessions asks for the password again (ASVS 5.0 V7.5.2), as changing it does: a login
  // restored from a stolen remember-me cookie must not log its victim out. After that login, the
  // user comes back here by GET, and is shown the list again.
  app.post(
    '/sessions/<handle>/end',
    login.fresh(async (req, { handle }) => {
      const user = (await login.currentUser(req))!;
      const s = await session.get<Data>(req);
      if (session.usesStore && (await session.destroySession(user.id, handle)))
        s.flash('notice', 'That session is logged out.');
      else s.flash('error', 'That session had ended already.');
      s.save();
      return redirect('/sessions');
    }, FRESH),
  );
  app.post(
    '/sessions/others',
    login.fresh(async (req) => {
      const s = await session.get<Data>(req);
      if (session.usesStore) {
        // Every other session and remember-me token ends, this device's token too (a stolen
        // copy of it dies); this device gets a new one if it was remembered.
        await login.logoutOthers(req);
        s.flash('notice', 'You are logged out everywhere else.');
        s.save();
      }
      return redirect('/sessions');
    }, FRESH),
  );
  app.get('/sessions/others', () => redirect('/sessions'));
  app.get('/sessions/<handle>/end', () => redirect('/sessions'));

  app.get(
    '/password',
    login.fresh(
      async (req) => render(req, 'Change password', '/password', page.passwordForm()),
      FRESH,
    ),
  );
  app.post(
    '/password',
    login.fresh(async (req) => {
      const user = (await login.currentUser(req))!;
      const password = field(req, 'password');
      const again = (error: string) =>
        html(
          page.layout(
            { title: 'Change password', user, current: '/password', flash: { error } },
            page.passwordForm(),
          ),
          400,
        );
      if (!(await verifyPassword(field(req, 'current'), user.passwordHash)))
        return again('Your current password is not that.');
      if ([...password].length < 8 || password.length > 1024)
        return again('Choose a password of at least 8 characters.');
      if (password !== field(req, 'confirm')) return again('The two new passwords differ.');
      await users.setPasswordHash(user.id, await hashPassword(password, passwordCost));
      const s = await session.get<Data>(req);
      // ASVS 5.0 7.4.3: after a password change, the user's other sessions end. The new hash
      // is a new userVersion: every other session and remember-me cookie, which hold the old
      // one, is logged out at its next request (cookie mode too). With a store, end their
      // records now as well, so they leave the "your sessions" page at once.
      if (session.usesStore) await session.destroyOthers(req);
      // This session (and this browser's remember-me cookie) moves to the new version.
      await login.updateUserVersion(req, (await users.byId(user.id))!);
      s.flash('notice', 'Password changed. Your other sessions were logged out.');
      s.save();
      return redirect('/');
    }, FRESH),
  );

  return app;
}

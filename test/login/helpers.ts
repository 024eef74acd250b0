// A small app for the login tests: users 1 (ana) and 2 (bo); routes that show who is logged in,
// log in (with ?remember=<days|true>), log out, and a fresh-only page with an optional maxAge.
import { Microdot } from '../../src/index.js';
import { Login, type LoginOptions } from '../../src/login/index.js';
import { Session, type SessionOptions } from '../../src/session/index.js';

export const KEY = 'login-tests-secret-key-0123456789abcdefghij';
export interface User {
  id: number;
  name: string;
}
export const USERS = new Map<number, User>([
  [1, { id: 1, name: 'ana' }],
  [2, { id: 2, name: 'bo' }],
]);

export function loginApp(sessionOptions: SessionOptions = {}, loginOptions: LoginOptions = {}) {
  const app = new Microdot();
  const errors: unknown[] = [];
  app.logError = (err) => errors.push(err);
  const session = new Session(app, { secretKey: KEY, ...sessionOptions });
  const login = new Login<User>(loginOptions);
  login.userLoader((id) => USERS.get(Number(id)));
  app.get(
    '/',
    login.required(async (req) => `hello ${(await login.currentUser(req))!.name}`),
  );
  app.get('/who', async (req) => (await login.currentUser(req))?.name ?? 'nobody');
  app.post('/login/<int:id>', (req, { id }) => {
    // Read leniently: a malformed query is loginUser's to handle here, not a 400 of this route.
    const r = /[?&]remember=([^&]*)/.exec(req.url)?.[1];
    const remember = r === undefined ? false : r === 'true' ? true : Number(r);
    return login.loginUser(req, USERS.get(id)!, { remember, redirectUrl: '/home' });
  });
  app.post('/logout', async (req) => {
    await login.logoutUser(req);
    return 'bye';
  });
  app.get(
    '/fresh',
    login.fresh(() => 'fresh'),
  );
  app.get(
    '/password',
    login.fresh(() => 'change it', { maxAge: 600 }),
  );
  return { app, session, login, errors };
}

/** The Set-Cookie lines of a response. */
export function setCookies(res: { headers: Record<string, string | string[]> }): string[] {
  const v = res.headers['set-cookie'];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** The Set-Cookie line for `name`, or undefined. */
export function cookieLine(res: { headers: Record<string, string | string[]> }, name: string) {
  return setCookies(res).find((line) => line.startsWith(`${name}=`));
}

/** A token's payload (signed tokens only). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

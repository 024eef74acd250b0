// Compile-only tests of the public generics: `tsc` fails if a type stops helping.
// (Not run: the file only has to type-check, as jose's test-d/ and h3's *.test-d.ts.)

import { CORS } from '../src/cors/index.js';
import { CSRF } from '../src/csrf/index.js';
import { Microdot, type PathParams } from '../src/index.js';
import { Login } from '../src/login/index.js';
import { Session, type SessionDict, withSession } from '../src/session/index.js';
import { withSSE } from '../src/sse/index.js';
import { type Message, withWebSocket } from '../src/websocket/index.js';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

// URL arguments are typed from the pattern's text.
expectType<Equal<PathParams<'/users/<int:id>/<name>'>, { id: number; name: string }>>(true);
expectType<Equal<PathParams<'/files/<path:rest>'>, { rest: string }>>(true);
expectType<Equal<PathParams<'/x/<re:[a-z]+:slug>'>, { slug: string }>>(true);
expectType<Equal<PathParams<'/static'>, {}>>(true);
expectType<Equal<PathParams<string>, Record<string, unknown>>>(true);

const app = new Microdot();
app.get('/users/<int:id>', (_req, { id }) => {
  const n: number = id;
  // @ts-expect-error id is a number, not a string
  const s: string = id;
  return { n, s };
});

// The session is typed by withSession's type argument.
new Session(app, { secretKey: 'x'.repeat(32) });
app.get(
  '/',
  withSession<{ user?: string; visits?: number }>((_req, session) => {
    const user: string | undefined = session.user;
    session.visits = (session.visits ?? 0) + 1;
    // @ts-expect-error visits is a number
    session.visits = 'many';
    session.save();
    return user ?? '';
  }),
);

// The methods are part of the type, the data are T.
declare const dict: SessionDict<{ cart: string[] }>;
expectType<Equal<typeof dict.cart, string[]>>(true);
dict.flash('notice', 'saved');
const notice: number | undefined = dict.consumeFlash<number>('count');
void notice;

// Options are checked.
// @ts-expect-error unknown option
new Session(app, { secretKey: 'x'.repeat(32), maxage: 5 });
// @ts-expect-error sameSite takes Strict, Lax or None
new Session(app, { secretKey: 'x'.repeat(32), cookieOptions: { sameSite: 'sometimes' } });

// withSession's handler gets the route's URL arguments, typed from the pattern.
app.get(
  '/orders/<int:id>',
  withSession((_req, _session, { id }) => {
    const n: number = id;
    return String(n);
  }),
);

// With URL arguments, the data type goes on the session parameter: the arguments are still
// inferred from the pattern (a type argument, `withSession<Data>(…)`, would stop that inference:
// TypeScript infers all of a call's type arguments or none).
interface LoginData {
  user?: string;
}
app.get(
  '/login/<name>/<int:attempt>',
  withSession((_req, session: SessionDict<LoginData>, { name, attempt }) => {
    const who: string | undefined = name;
    const n: number = attempt;
    // @ts-expect-error attempt is a number
    const t: string = attempt;
    session.user = who;
    // @ts-expect-error user is a string
    session.user = 1;
    return `${n}${t}`;
  }),
);

// csrf.exempt / csrf.protect keep the handler's type: URL arguments are still inferred.
const csrf = new CSRF(app);
app.post(
  '/items/<int:id>',
  csrf.exempt((_req, { id }) => {
    const n: number = id;
    // @ts-expect-error id is a number
    const s: string = id;
    return { n, s };
  }),
);
app.get(
  '/export/<name>',
  csrf.protect((_req, { name }) => name.toUpperCase()),
);

// app.optionsHandler takes (req, allow) and returns headers; undefined turns it off.
app.optionsHandler = (_req, allow) => ({ Allow: allow.join(', ') });
app.optionsHandler = undefined;
// @ts-expect-error it returns headers, not a body
app.optionsHandler = () => 42;
// @ts-expect-error allowedOrigins is '*' or a list of origins, not one origin
new CORS(app, { allowedOrigins: 'https://app.example' });

// SSE and WebSocket handlers get the URL arguments typed from the pattern, and a wrapper's own
// argument (the session) before them.
app.get(
  '/rooms/<int:room>/events',
  withSSE(async (_req, sse, { room }) => {
    const n: number = room;
    // @ts-expect-error room is a number
    const s: string = room;
    await sse.send({ n, s });
  }),
);
app.get(
  '/rooms/<int:room>/ws',
  withWebSocket(async (_req, ws, { room }) => {
    const n: number = room;
    const m: Message = await ws.receive();
    await ws.send(typeof m === 'string' ? m : String(n));
  }),
);
app.get(
  '/me/ws',
  withSession<{ user?: string }>(
    withWebSocket(async (_req, ws, session) => {
      const user: string | undefined = session.user;
      await ws.send(user ?? 'nobody');
    }),
  ),
);
app.get(
  '/me/events',
  withSession<{ user?: string }>(
    withSSE(async (_req, sse, session) => {
      // @ts-expect-error user is a string
      const n: number = session.user;
      await sse.send({ user: session.user, n });
    }),
  ),
);

// Login's userVersion gets the application's user type.
interface Account {
  id: number;
  passwordHash: string;
}
new Login<Account>({ userVersion: (user) => user.passwordHash });
new Login<Account>({ userVersion: async (user) => user.id });
// @ts-expect-error an Account has no stamp
new Login<Account>({ userVersion: (user) => user.stamp });
// @ts-expect-error a version is a string or a number
new Login<Account>({ userVersion: () => ({ v: 1 }) });

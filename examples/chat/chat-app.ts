// The chat as a function, so tests can drive it in-process; main.ts runs it.
// Only logged-in users get the page, the WebSocket and the online list: `login.required` runs
// in the WebSocket handshake and answers a logged-out browser with a redirect, so its socket
// never opens. CSRF checks the login and logout forms and every handshake.
import { Microdot, redirect } from 'microdot-ts';
import { CSRF } from 'microdot-ts/csrf';
import { Login } from 'microdot-ts/login';
import { Session } from 'microdot-ts/session';
import { withSSE } from 'microdot-ts/sse';
import { withWebSocket } from 'microdot-ts/websocket';
import { CHAT_CSS, CHAT_JS, chatPage, loginPage, PAGE_HEADERS } from './pages.js';
import { ChatRoom, MAX_TEXT } from './room.js';
import type { ChatUser, ChatUsers } from './users.js';

/** Options of {@link createChatApp}. */
export interface ChatAppOptions {
  /** The session key: at least 32 random bytes. */
  secretKey: string;
  /** Who may log in. */
  users: ChatUsers;
  /** The room (a new one by default). */
  room?: ChatRoom;
}

/** The chat app: GET/POST /login, POST /logout, GET / (the chat), /ws and /online. */
export function createChatApp(options: ChatAppOptions): Microdot & { room: ChatRoom } {
  const app = new Microdot();
  const room = options.room ?? new ChatRoom();
  new Session(app, { secretKey: options.secretKey, cookieOptions: { sameSite: 'Lax' } });
  new CSRF(app);
  const login = new Login<ChatUser>({ loginUrl: '/login' });
  login.userLoader((id) => options.users.find(String(id)));
  const me = async (req: Parameters<typeof login.currentUser>[0]) =>
    (await login.currentUser(req))!;

  app.get('/login', () => [loginPage(), 200, PAGE_HEADERS] as const);
  app.post('/login', async (req) => {
    const name = req.form?.get('name') ?? '';
    const password = req.form?.get('password') ?? '';
    const user = await options.users.check(name, password);
    if (user === undefined) {
      return [loginPage('Wrong name or password.', name), 401, PAGE_HEADERS] as const;
    }
    return login.loginUser(req, user);
  });
  app.post('/logout', async (req) => {
    await login.logoutUser(req);
    return redirect('/login');
  });

  app.get(
    '/',
    login.required(
      async (req) => [chatPage((await me(req)).name, room.history), 200, PAGE_HEADERS] as const,
    ),
  );
  app.get(
    '/chat.js',
    () => [CHAT_JS, 200, { 'Content-Type': 'text/javascript; charset=UTF-8' }] as const,
  );
  app.get(
    '/chat.css',
    () => [CHAT_CSS, 200, { 'Content-Type': 'text/css; charset=UTF-8' }] as const,
  );

  // Messages: each text message is said to the room (as JSON, shown as text by the page).
  app.get(
    '/ws',
    login.required(
      withWebSocket(
        async (req, ws) => {
          const { name } = await me(req);
          const leave = room.join(name, ws);
          try {
            for (;;) {
              const message = await ws.receive();
              if (typeof message === 'string') room.say(name, message);
            }
          } finally {
            leave();
          }
        },
        // A message in UTF-8 is at most 4 bytes a character.
        { maxMessageLength: MAX_TEXT * 4 },
      ),
    ),
  );

  // Who is online, as Server-Sent Events: the list now, then on every change.
  app.get(
    '/online',
    login.required(
      withSSE(async (_req, sse) => {
        const stop = room.watch((online) => {
          void sse.send(online, { event: 'online' });
        });
        try {
          await new Promise<void>((resolve) => {
            sse.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        } finally {
          stop();
        }
      }),
    ),
  );

  return Object.assign(app, { room });
}

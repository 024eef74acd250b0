// A small app for session tests: routes that read (/read), save a counter (/count) and change it
// without saving (/touch), log in (/login/<name>) and say who is logged in (/me), with every
// onInvalid reason kept. Give it a `store` for server-side sessions; add routes of your own.
import { Microdot } from '../../src/index.js';
import {
  type InvalidReason,
  Session,
  type SessionOptions,
  withSession,
} from '../../src/session/index.js';
import { TestClient, type TestResponse } from '../../src/test-client.js';

/** An app with routes that read, count, log in and say who, under `secretKey` and `options`. */
export function sessionApp(secretKey: string, options: SessionOptions = {}) {
  const reasons: InvalidReason[] = [];
  const app = new Microdot();
  app.logError = () => {};
  const session = new Session(app, {
    secretKey,
    onInvalid: (r) => reasons.push(r),
    ...options,
  });
  app.get(
    '/read',
    withSession((_req, s) => JSON.stringify(s)),
  );
  app.get(
    '/count',
    withSession<{ n?: number }>((_req, s) => {
      s.n = (s.n ?? 0) + 1;
      s.save();
      return String(s.n);
    }),
  );
  app.get(
    '/touch',
    withSession<{ n?: number }>((_req, s) => {
      s.n = (s.n ?? 0) + 1;
      return String(s.n);
    }),
  );
  // A user id of digits is a number, as many apps' ids are.
  app.post(
    '/login/<name>',
    withSession<{ userId?: string | number }, { name: string }>((_req, s, { name }) => {
      s.userId = /^\d+$/.test(name) ? Number(name) : name;
      s.regenerate();
      s.save();
      return 'ok';
    }),
  );
  app.get(
    '/me',
    withSession<{ userId?: string | number }>((_req, s) => String(s.userId ?? 'nobody')),
  );
  return { app, session, reasons, client: new TestClient(app) };
}

/** The value of the session cookie a response sets ('' when it removes it), if it sets one. */
export function sessionCookie(res: TestResponse, name = 'session'): string | undefined {
  const list = res.headers['set-cookie'];
  const lines = list === undefined ? [] : typeof list === 'string' ? [list] : list;
  const line = lines.find((l) => l.startsWith(`${name}=`));
  return line === undefined ? undefined : line.split(';', 1)[0]!.slice(name.length + 1);
}

/** The payload of a signed token (a session cookie in signed mode), parsed. */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

// A small app for session tests: routes that read (/read), save a counter (/count) and change it
// without saving (/touch), with every onInvalid reason kept.
import { Microdot } from '../../src/index.js';
import {
  type InvalidReason,
  Session,
  type SessionOptions,
  withSession,
} from '../../src/session/index.js';
import { TestClient } from '../../src/test-client.js';

/** An app with routes that read, write and count, under `secretKey` and the given options. */
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
  return { app, session, reasons, client: new TestClient(app) };
}

// A Cloudflare Worker built from the package's dist/src (runtimes/run.mjs serves it with workerd
// and nodejs_compat): a signed and an encrypted session, each under its own path prefix.
import { Microdot } from '../dist/src/index.js';
import { Session, withSession } from '../dist/src/session/index.js';

function counterApp(options) {
  const app = new Microdot();
  new Session(app, options);
  app.get(
    '/visit/<name>',
    withSession((_req, session, { name }) => {
      session.visits = (session.visits ?? 0) + 1;
      session.save();
      return `${name} ${session.visits}`;
    }),
  );
  return app;
}

const OLD = 'workerd-old-key-of-at-least-32-bytes!!';
const NEW = 'workerd-new-key-of-at-least-32-bytes!!';
const apps = {
  signed: counterApp({ secretKey: NEW }),
  encrypted: counterApp({ secretKey: NEW, encrypt: true }),
  old: counterApp({ secretKey: OLD }),
  ring: counterApp({ secretKey: [NEW, OLD] }),
};

export default {
  fetch(request) {
    const url = new URL(request.url);
    const [, prefix, ...rest] = url.pathname.split('/');
    const app = apps[prefix];
    if (app === undefined) return new Response('no such app', { status: 404 });
    url.pathname = `/${rest.join('/')}`;
    return app.fetch(new Request(url, request));
  },
};

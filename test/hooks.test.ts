// Our own cases (beyond tests/test_microdot.py): before-request chains that mix hooks returning
// plain values with hooks returning promises (or other thenables), on the app and on a mounted
// sub-application, keep Microdot's order and meaning; and a chain of plain hooks keeps
// dispatch synchronous. Every case runs in-process and over real HTTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CSRF } from '../src/csrf/index.js';
import {
  type BeforeRequestHook,
  HTTPException,
  Microdot,
  Request,
  Response,
} from '../src/index.js';
import { MODES, quietApp } from './helpers/clients.js';

/**
 * One step of a chain, as the `X-Chain` header spells it: how it answers (`s`: a plain value,
 * `a`: a promise, `t`: a thenable that is not a promise) and what (`p`: pass on, `r`: a
 * Response, `v`: a `[body, status]` value, `e`: an error, `h`: an HTTPException 403).
 */
type Step = `${'s' | 'a' | 't'}${'p' | 'r' | 'v' | 'e' | 'h'}`;

/** `value` as the step's mode answers it: as is, in a promise, or in a bare thenable. */
function answerAs(mode: string, value: () => unknown): unknown {
  if (mode === 's') return value();
  if (mode === 'a') return Promise.resolve().then(value);
  return {
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise, on purpose.
    then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
      queueMicrotask(() => {
        try {
          resolve(value());
        } catch (err) {
          reject(err);
        }
      });
    },
  };
}

function events(req: Request): string[] {
  req.g.events ??= [];
  return req.g.events as string[];
}

/** A hook that plays step `i` of the request's `X-Chain`. */
function stepHook(i: number): BeforeRequestHook {
  return (req) => {
    const step = req.header('x-chain')!.split(',')[i]!;
    events(req).push(`h${i}`);
    return answerAs(step[0]!, () => {
      if (step[1] === 'r') return new Response(`h${i}`, 201);
      if (step[1] === 'v') return [`h${i}`, 202] as const;
      if (step[1] === 'e') throw new Error(`h${i} failed`);
      if (step[1] === 'h') throw new HTTPException(403);
      return undefined;
    }) as ReturnType<BeforeRequestHook>;
  };
}

/** An app with four step hooks, and a sub-application mounted with `local` with three more. */
function chainApp() {
  const app = quietApp(new Microdot());
  const sub = new Microdot();
  for (let i = 0; i < 4; i++) app.beforeRequest(stepHook(i));
  for (let i = 4; i < 7; i++) sub.beforeRequest(stepHook(i));
  sub.get('/x', (req) => {
    const step = req.header('x-chain')!.split(',')[7]!;
    events(req).push('handler');
    return answerAs(step[0]!, () => {
      if (step[1] === 'e') throw new Error('handler failed');
      return 'ok';
    }) as string;
  });
  sub.afterRequest((req) => void events(req).push('sub-after'));
  sub.afterErrorRequest((req) => void events(req).push('sub-after-error'));
  sub.errorHandler(403, () => ['sub 403', 403] as const);
  const last = (name: string) => (req: Request, res: Response) => {
    events(req).push(name);
    res.setHeader('X-Events', events(req).join(' '));
  };
  app.afterRequest(last('after'));
  app.afterErrorRequest(last('after-error'));
  app.mount(sub, '/sub', { local: true });
  return app;
}

/** What Microdot does with a chain: the hooks and hooks after it that run, status and body. */
function expected(chain: Step[]) {
  const ran: string[] = [];
  let outcome = 'ok';
  let at = -1;
  for (let i = 0; i < 7 && at < 0; i++) {
    ran.push(`h${i}`);
    if (chain[i]![1] !== 'p') [outcome, at] = [chain[i]![1]!, i];
  }
  if (at < 0) {
    ran.push('handler');
    if (chain[7]![1] === 'e') outcome = 'e';
  }
  const answers: Record<string, [number, string]> = {
    r: [201, `h${at}`],
    v: [202, `h${at}`],
    ok: [200, 'ok'],
    e: [500, 'Internal server error'],
    h: [403, 'sub 403'],
  };
  const failed = outcome === 'e' || outcome === 'h';
  ran.push(...(failed ? ['sub-after-error', 'after-error'] : ['sub-after', 'after']));
  const [status, body] = answers[outcome]!;
  return { ran: ran.join(' '), status, body, logged: outcome === 'e' ? 1 : 0 };
}

const hookStep = fc
  .constantFrom('s', 'a', 't')
  .chain((mode) =>
    fc.constantFrom('p', 'p', 'p', 'r', 'v', 'e', 'h').map((what) => `${mode}${what}` as Step),
  );
const handlerStep = fc.constantFrom<Step>('sp', 'ap', 'tp', 'se', 'ae');
const chains = fc.tuple(fc.array(hookStep, { minLength: 7, maxLength: 7 }), handlerStep);

for (const mode of MODES) {
  describe(`before-request hooks, plain and promised [${mode.name}]`, () => {
    test('any mix of hooks keeps order, short-circuits, errors and after hooks', async () => {
      const app = chainApp();
      const client = await mode.client(app);
      await fc.assert(
        fc.asyncProperty(chains, async ([hooks, handler]) => {
          const chain = [...hooks, handler];
          app.errors.length = 0;
          const res = await client.get('/sub/x', { headers: { 'X-Chain': chain.join(',') } });
          const want = expected(chain);
          assert.equal(res.headers['x-events'], want.ran);
          assert.equal(res.statusCode, want.status);
          assert.equal(res.text, want.body);
          assert.equal(app.errors.length, want.logged);
        }),
        { numRuns: mode.name === 'http' ? 60 : 300 },
      );
    });

    test('hooks of a sub-application mounted without local join the app, in order', async () => {
      const app = new Microdot();
      const sub = new Microdot();
      const order: string[] = [];
      app.beforeRequest(() => void order.push('app-sync'));
      sub.beforeRequest(async () => void order.push('sub-async'));
      sub.beforeRequest(() => void order.push('sub-sync'));
      sub.beforeRequest((req) => (req.path === '/sub/stop' ? ['stopped', 202] : undefined));
      sub.get('/go', () => 'went');
      sub.get('/stop', () => 'never');
      app.mount(sub, '/sub');
      app.beforeRequest(() => void order.push('app-after-mount'));
      app.get('/own', () => 'own');
      const client = await mode.client(app);
      assert.equal((await client.get('/own')).text, 'own');
      assert.deepEqual(order.splice(0), ['app-sync', 'sub-async', 'sub-sync', 'app-after-mount']);
      const res = await client.get('/sub/stop');
      assert.equal(res.statusCode, 202);
      assert.equal(res.text, 'stopped');
      assert.deepEqual(order.splice(0), ['app-sync', 'sub-async', 'sub-sync']);
    });

    test('a plain hook may register the request’s own after-request hooks', async () => {
      const app = new Microdot();
      app.beforeRequest((req) => {
        req.afterRequest((_req, res) => void res.setHeader('X-Own', '1'));
        return req.path === '/stop' ? new Response('stopped', 203) : undefined;
      });
      app.get('/', () => 'handler');
      app.get('/stop', () => 'never');
      const client = await mode.client(app);
      for (const [path, status, text] of [
        ['/', 200, 'handler'],
        ['/stop', 203, 'stopped'],
      ] as const) {
        const res = await client.get(path);
        assert.equal(res.statusCode, status);
        assert.equal(res.text, text);
        assert.equal(res.headers['x-own'], '1');
      }
    });
  });
}

describe('a chain of plain hooks keeps dispatch synchronous', () => {
  const request = (app: Microdot, method = 'GET', path = '/') =>
    new Request({ app, method, url: path, headers: { host: 'app.example' } });

  test('plain hooks: the response is ready when dispatch returns', () => {
    const app = new Microdot();
    app.beforeRequest(() => undefined);
    app.beforeRequest((req) => (req.path === '/stop' ? ['stopped', 202] : undefined));
    app.afterRequest((_req, res) => void res.setHeader('X-After', '1'));
    app.get('/', () => 'handler');
    app.get('/stop', () => 'never');
    for (const [path, status] of [
      ['/', 200],
      ['/stop', 202],
    ] as const) {
      const res = app.dispatch(request(app, 'GET', path));
      assert.ok(res instanceof Response, `${path}: a Response, not a promise`);
      assert.equal(res.statusCode, status);
      assert.equal(res.getHeader('x-after'), '1');
    }
  });

  test('from a hook that returns a promise on, dispatch resolves later, in order', async () => {
    const app = new Microdot();
    const order: string[] = [];
    app.beforeRequest(() => void order.push('plain'));
    app.beforeRequest(async () => void order.push('async'));
    app.beforeRequest(() => void order.push('plain again'));
    app.get('/', () => {
      order.push('handler');
      return 'done';
    });
    const out = app.dispatch(request(app));
    assert.ok(out instanceof Promise);
    assert.deepEqual(order, ['plain', 'async']);
    assert.equal((await out).body, 'done');
    assert.deepEqual(order, ['plain', 'async', 'plain again', 'handler']);
  });

  test('with CSRF on, a GET (and an accepted POST) stay synchronous', () => {
    const app = new Microdot();
    new CSRF(app);
    app.get('/', () => 'page');
    app.post('/', () => 'posted');
    assert.ok(app.dispatch(request(app)) instanceof Response);
    const post = new Request({
      app,
      method: 'POST',
      url: '/',
      headers: { host: 'app.example', 'sec-fetch-site': 'same-origin' },
    });
    const res = app.dispatch(post);
    assert.ok(res instanceof Response);
    assert.equal(res.body, 'posted');
  });
});

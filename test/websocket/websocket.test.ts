// Our own WebSocket cases: the handshake with sessions, hooks and origin checks (all before the
// upgrade), close codes, oversize messages, keep-alive pings, and what adapters that cannot
// upgrade answer. Each runs in-process (TestClient) and over a real socket where it can.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket as WsClient } from 'ws';
import { CORS } from '../../src/cors/index.js';
import { CSRF } from '../../src/csrf/index.js';
import { type HandlerResult, Microdot, type Request } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import type { TestClient } from '../../src/test-client.js';
import {
  type Message,
  type WebSocket,
  WebSocketError,
  withWebSocket,
} from '../../src/websocket/index.js';
import { MODES, quietApp } from '../helpers/clients.js';
import { deferred } from '../helpers/deferred.js';

const KEY = 'a-websocket-test-secret-that-is-long-enough!';

/** A client that sends `messages` one by one and keeps the replies. */
function sender(messages: Message[], replies: Message[]) {
  return async function* (): AsyncGenerator<Message, void, Message> {
    for (const m of messages) replies.push(yield m);
  };
}

/** A handler that says "in" on each connection. */
const sayIn = async (_req: Request, ws: WebSocket) => ws.send('in');

/** The status a handshake to `path` with `headers` gets: 101 only once `sayIn`'s "in" came. */
function handshake(client: TestClient) {
  return async (path: string, headers: Record<string, string>): Promise<number> => {
    const replies: Message[] = [];
    const res = await client.websocket(path, sender(['hi'], replies), { headers });
    return res.statusCode === 101 && replies[0] === 'in' ? 101 : res.statusCode;
  };
}

/** A guard like a login check: 401 without a user in the session, else the handler. */
function requireUser<A extends unknown[]>(
  handler: (req: Request, session: Record<string, unknown>, ...rest: A) => HandlerResult,
) {
  return (req: Request, session: Record<string, unknown>, ...rest: A): HandlerResult =>
    session.user === undefined ? ['Log in first', 401] : handler(req, session, ...rest);
}

for (const mode of MODES) {
  describe(`WebSocket [${mode.name}]`, () => {
    test('the session is read in the handshake; the 101 carries the cookies hooks set', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: KEY });
      app.post(
        '/login',
        withSession((_req, session) => {
          session.user = 'alice';
          session.save();
          return 'ok';
        }),
      );
      app.get(
        '/ws',
        withSession(
          withWebSocket(async (_req, ws, session) => {
            await ws.send(`hello ${String(session.user ?? 'nobody')}`);
            await ws.receive();
          }),
        ),
      );
      app.afterRequest((_req, res) => {
        res.setCookie('seen', 'yes');
        res.setHeader('X-Handshake', 'checked');
      });
      const client = await mode.client(app);
      const replies: Message[] = [];
      let res = await client.websocket('/ws', sender(['a', 'b'], replies));
      assert.deepEqual(replies, ['hello nobody']);
      assert.equal(res.statusCode, 101);
      assert.equal(res.headers['x-handshake'], 'checked');
      assert.equal(client.cookies().seen, 'yes');
      await client.post('/login');
      replies.length = 0;
      res = await client.websocket('/ws', sender(['a', 'b'], replies));
      assert.deepEqual(replies, ['hello alice']);
    });

    test('a bad session cookie gives an empty session, not an error', async () => {
      const app = quietApp(new Microdot());
      new Session(app, { secretKey: KEY });
      app.get(
        '/ws',
        withSession(
          withWebSocket(async (_req, ws, session) => {
            await ws.send(JSON.stringify(session));
          }),
        ),
      );
      const client = await mode.client(app);
      for (const cookie of ['session=garbage', 'session=a.b.c', `session=${'x'.repeat(5000)}`]) {
        const replies: Message[] = [];
        const res = await client.websocket('/ws', sender(['hi'], replies), {
          headers: { Cookie: cookie },
        });
        assert.equal(res.statusCode, 101);
        assert.deepEqual(replies, ['{}']);
      }
      assert.deepEqual(app.errors, []);
    });

    test('a guard that refuses answers with plain HTTP, and no upgrade happens', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: KEY });
      let opened = 0;
      app.get(
        '/ws',
        withSession(
          requireUser(
            withWebSocket(async () => {
              opened++;
            }),
          ),
        ),
      );
      const res = await (await mode.client(app)).websocket('/ws', sender(['hi'], []));
      assert.equal(res.statusCode, 401);
      assert.equal(res.text, 'Log in first');
      assert.equal(res.websocketClose, undefined);
      assert.equal(opened, 0);
    });

    test('a before-request hook that answers (or throws) stops the upgrade', async () => {
      const app = new Microdot();
      let opened = 0;
      app.beforeRequest((req) => {
        if (req.header('x-token') !== 'secret') return ['Go away', 403];
        if (req.args.get('redirect') !== undefined) return [null, 302, { Location: '/login' }];
        return undefined;
      });
      app.get(
        '/ws',
        withWebSocket(async (_req, ws) => {
          opened++;
          await ws.send('in');
        }),
      );
      const client = await mode.client(app);
      let res = await client.websocket('/ws', sender(['hi'], []));
      assert.equal(res.statusCode, 403);
      assert.equal(res.text, 'Go away');
      res = await client.websocket('/ws?redirect=1', sender(['hi'], []), {
        headers: { 'X-Token': 'secret' },
      });
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login');
      assert.equal(opened, 0);
      const replies: Message[] = [];
      res = await client.websocket('/ws', sender(['hi'], replies), {
        headers: { 'X-Token': 'secret' },
      });
      assert.equal(res.statusCode, 101);
      assert.deepEqual(replies, ['in']);
      assert.equal(opened, 1);
    });

    test('a cross-site page is refused (Cross-Site WebSocket Hijacking) unless allowed', async () => {
      const app = new Microdot();
      app.get('/ws', withWebSocket(sayIn));
      app.get('/partner', withWebSocket(sayIn, { allowedOrigins: ['https://partner.example'] }));
      app.get('/public', withWebSocket(sayIn, { allowedOrigins: '*' }));
      const client = await mode.client(app);
      const open = handshake(client);
      const host = { Host: 'app.example' };
      assert.equal(await open('/ws', { ...host, Origin: 'https://evil.example' }), 403);
      assert.equal(await open('/ws', { ...host, Origin: 'null' }), 403);
      assert.equal(await open('/ws', { ...host, Origin: 'not an origin' }), 403);
      assert.equal(await open('/ws', { ...host, 'Sec-Fetch-Site': 'cross-site' }), 403);
      assert.equal(
        await open('/ws', {
          ...host,
          'Sec-Fetch-Site': 'same-site',
          Origin: 'https://a.app.example',
        }),
        403,
      );
      assert.equal(await open('/ws', { ...host, Origin: 'https://app.example' }), 101);
      assert.equal(await open('/ws', { ...host, Origin: 'http://app.example' }), 101);
      assert.equal(
        await open('/ws', {
          ...host,
          'Sec-Fetch-Site': 'same-origin',
          Origin: 'https://app.example',
        }),
        101,
      );
      assert.equal(await open('/ws', host), 101); // not a browser
      assert.equal(await open('/partner', { ...host, Origin: 'https://partner.example' }), 101);
      assert.equal(
        await open('/partner', {
          ...host,
          Origin: 'https://partner.example',
          'Sec-Fetch-Site': 'cross-site',
        }),
        101,
      );
      assert.equal(await open('/partner', { ...host, Origin: 'https://evil.example' }), 403);
      assert.equal(await open('/public', { ...host, Origin: 'https://evil.example' }), 101);
    });

    test('the CSRF extension checks handshakes like state-changing requests', async () => {
      const app = new Microdot();
      const cors = new CORS(app, { allowedOrigins: ['https://partner.example'] });
      const csrf = new CSRF(app, { cors });
      // withWebSocket's own check is opened wide, so what refuses below is CSRF's.
      app.get('/ws', withWebSocket(sayIn, { allowedOrigins: '*' }));
      app.get('/session', withSession(withWebSocket(sayIn, { allowedOrigins: '*' })));
      app.get('/hook', csrf.exempt(withWebSocket(sayIn, { allowedOrigins: '*' })));
      new Session(app, { secretKey: KEY });
      const client = await mode.client(app);
      const open = handshake(client);
      const host = { Host: 'app.example' };
      const evil = { ...host, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
      assert.equal(await open('/ws', evil), 403);
      assert.equal(await open('/session', evil), 403);
      assert.equal(await open('/hook', evil), 101);
      assert.equal(await open('/ws', { ...host, Origin: 'https://evil.example' }), 403);
      assert.equal(
        await open('/ws', {
          ...host,
          Origin: 'https://partner.example',
          'Sec-Fetch-Site': 'cross-site',
        }),
        101,
      );
      assert.equal(
        await open('/ws', {
          ...host,
          Origin: 'https://app.example',
          'Sec-Fetch-Site': 'same-origin',
        }),
        101,
      );
      assert.equal(await open('/ws', host), 101);
      // A plain GET is still not CSRF-checked.
      const res = await client.get('/ws', { headers: evil });
      assert.equal(res.statusCode, 400);
    });

    test('an oversize message closes with 1009 and the handler sees WebSocketError', async () => {
      const app = new Microdot();
      let seen: unknown;
      app.get(
        '/ws',
        withWebSocket(
          async (_req, ws) => {
            try {
              for (;;) await ws.send(await ws.receive());
            } catch (err) {
              seen = err;
              throw err;
            }
          },
          { maxMessageLength: 1024 },
        ),
      );
      const replies: Message[] = [];
      const res = await (await mode.client(app)).websocket(
        '/ws',
        sender(['x'.repeat(1024), Buffer.alloc(1025), 'never'], replies),
      );
      assert.deepEqual(replies, ['x'.repeat(1024)]);
      assert.equal(res.websocketClose?.code, 1009);
      assert.ok(seen instanceof WebSocketError);
      assert.equal(seen.code, 1009);
    });

    test('when the handler returns, the connection closes with 1000', async () => {
      const app = new Microdot();
      app.get(
        '/ws',
        withWebSocket(async (_req, ws, params) => {
          await ws.send(JSON.stringify(params));
        }),
      );
      app.get(
        '/room/<int:id>',
        withWebSocket(async (_req, ws, { id }) => {
          await ws.send(String(id + 1));
        }),
      );
      const client = await mode.client(app);
      const replies: Message[] = [];
      let res = await client.websocket('/ws', sender(['a', 'b', 'c'], replies));
      assert.deepEqual(replies, ['{}']);
      assert.equal(res.websocketClose?.code, 1000);
      res = await client.websocket('/room/41', sender(['a'], replies));
      assert.deepEqual(replies, ['{}', '42']);
    });

    test('the peer closing ends receive() and send() with WebSocketError', async () => {
      const app = new Microdot();
      const outcome: unknown[] = [];
      const { promise: finished, resolve: done } = deferred();
      app.get(
        '/ws',
        withWebSocket(async (_req, ws) => {
          try {
            await ws.send('ready');
            outcome.push(await ws.receive());
            outcome.push(await ws.receive().catch((e: unknown) => e));
            outcome.push(await ws.send('late').catch((e: unknown) => e));
            outcome.push(ws.closed);
          } finally {
            done();
          }
        }),
      );
      async function* client(): AsyncGenerator<Message, void, Message> {
        yield 'bye';
      }
      await (await mode.client(app)).websocket('/ws', client);
      await finished;
      assert.equal(outcome[0], 'bye');
      assert.ok(outcome[1] instanceof WebSocketError);
      assert.equal(outcome[1].code, 1000);
      assert.ok(outcome[2] instanceof WebSocketError);
      assert.equal(outcome[3], true);
    });

    test('a client that stops answering pings is cut off; one that answers stays', async () => {
      const app = new Microdot();
      const closes: number[] = [];
      app.get(
        '/ws',
        withWebSocket(
          async (_req, ws) => {
            closes.push((await ws.done).code);
          },
          { pingInterval: 40 },
        ),
      );
      const client = await mode.client(app);
      const open = async (autoPong: boolean) => {
        const peer = new WsClient('ws://localhost/ws', {
          createConnection: () => client.connect(),
          autoPong,
        });
        let pings = 0;
        peer.on('ping', () => pings++);
        await new Promise((resolve) => peer.once('open', resolve));
        return { peer, pings: () => pings };
      };
      const silent = await open(false);
      const lively = await open(true);
      await sleep(200);
      assert.equal(silent.peer.readyState, WsClient.CLOSED);
      assert.equal(lively.peer.readyState, WsClient.OPEN);
      assert.ok(lively.pings() >= 2);
      assert.deepEqual(closes, [1006]);
      lively.peer.close();
      await new Promise((resolve) => lively.peer.once('close', resolve));
    });
  });
}

describe('WebSocket flow control (over TCP)', () => {
  test('send() waits while the client does not read, and catches up when it does', async () => {
    const app = new Microdot();
    let sent = 0;
    let finished = false;
    const chunk = Buffer.alloc(64 * 1024, 1);
    app.get(
      '/flood',
      withWebSocket(async (_req, ws) => {
        for (let i = 0; i < 256; i++) {
          await ws.send(chunk);
          sent++;
        }
        finished = true;
        await ws.receive();
      }),
    );
    const server = await app.startServer({ port: 0 });
    try {
      const peer = new WsClient(`ws://127.0.0.1:${server.port}/flood`, { maxPayload: 0 });
      let received = 0;
      peer.on('message', () => received++);
      await new Promise((resolve) => peer.once('open', resolve));
      peer.pause();
      await sleep(300);
      // 16 MiB cannot all sit in socket buffers: the handler is held back.
      assert.equal(finished, false);
      assert.ok(sent < 256, `all ${sent} sends resolved without the client reading`);
      peer.resume();
      for (let i = 0; i < 500 && received < 256; i++) await sleep(10);
      assert.equal(received, 256);
      assert.equal(finished, true);
      peer.close();
    } finally {
      await server.close();
    }
  });
});

describe('WebSocket outside node:http', () => {
  test('app.fetch answers 501 to a handshake, saying what is needed', async () => {
    const app = new Microdot();
    app.get(
      '/ws',
      withWebSocket(async () => {}),
    );
    const res = await app.fetch(
      new globalThis.Request('http://app.example/ws', {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version': '13',
        },
      }),
    );
    assert.equal(res.status, 501);
    assert.match(await res.text(), /node:http/);
  });

  test('options are checked when the route is defined', () => {
    const noop = async () => {};
    assert.throws(() => withWebSocket(noop, { maxMessageLength: -1 }), /maxMessageLength/);
    assert.throws(() => withWebSocket(noop, { pingInterval: 1.5 }), /pingInterval/);
    assert.throws(
      () => withWebSocket(noop, { allowedOrigins: ['https://a.example/path'] }),
      /scheme:\/\/host/,
    );
    assert.throws(
      () => withWebSocket(noop, { allowedOrigins: 'https://a.example' as never }),
      /allowedOrigins/,
    );
    assert.throws(() => withWebSocket(noop, { maxMessageSize: 1 } as never), /unknown option/);
    assert.doesNotThrow(() => withWebSocket(noop, { maxMessageLength: 0, pingInterval: 0 }));
  });
});

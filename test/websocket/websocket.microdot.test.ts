// Ports Microdot's tests/test_websocket.py, case by case (each test named after the Python
// test); each runs in-process (TestClient over an in-memory connection) and over a real socket.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket as WsClient } from 'ws';
import { Microdot } from '../../src/index.js';
import { type Message, WebSocketError, withWebSocket } from '../../src/websocket/index.js';
import { MODES, quietApp } from '../helpers/clients.js';

for (const mode of MODES) {
  describe(`WebSocket, Microdot's tests [${mode.name}]`, () => {
    test('test_websocket_echo', async () => {
      const app = quietApp(new Microdot());
      app.get(
        '/echo',
        withWebSocket(
          async (_req, ws) => {
            for (;;) await ws.send(await ws.receive());
          },
          { maxMessageLength: 65537 },
        ),
      );
      app.get(
        '/divzero',
        withWebSocket(async () => {
          throw new RangeError('division by zero');
        }),
      );
      const results: Message[] = [];
      async function* client(): AsyncGenerator<Message, void, Message> {
        results.push(yield 'hello');
        results.push(yield Buffer.from('bye'));
        results.push(yield Buffer.alloc(300, '*'));
        results.push(yield Buffer.alloc(65537, '+'));
      }
      const c = await mode.client(app);
      let res = await c.websocket('/echo', client);
      assert.equal(res.statusCode, 101);
      assert.equal(res.text, '');
      assert.deepEqual(results, [
        'hello',
        Buffer.from('bye'),
        Buffer.alloc(300, '*'),
        Buffer.alloc(65537, '+'),
      ]);

      res = await c.websocket('/divzero', client);
      assert.equal(res.statusCode, 101);
      assert.equal(res.text, '');
      // Beyond Microdot: the peer is told why (1011, internal error) and the error is logged.
      assert.equal(res.websocketClose?.code, 1011);
      assert.ok(app.errors[0] instanceof RangeError);
    });

    test('test_websocket_large_message', async () => {
      // Microdot's default limit is Request.max_body_length; ours, the app's maxBodyLength.
      const app = new Microdot({ maxBodyLength: 10 });
      app.get(
        '/echo',
        withWebSocket(async (_req, ws) => {
          await ws.send(await ws.receive());
        }),
      );
      const results: Message[] = [];
      async function* client(): AsyncGenerator<Message, void, Message> {
        results.push(yield '0123456789abcdef');
      }
      const res = await (await mode.client(app)).websocket('/echo', client);
      assert.equal(res.text, '');
      assert.deepEqual(results, []);
      assert.equal(res.websocketClose?.code, 1009);
    });

    test('test_bad_websocket_request', async () => {
      const app = new Microdot();
      app.get(
        '/echo',
        withWebSocket(() => 'hello'),
      );
      const client = await mode.client(app);
      const cases: (Record<string, string> | undefined)[] = [
        undefined,
        { Connection: 'Upgrade' },
        { Connection: 'foo' },
        { Upgrade: 'websocket' },
        { Upgrade: 'bar' },
        { Connection: 'Upgrade', Upgrade: 'websocket' },
        { 'Sec-WebSocket-Key': 'xxx' },
      ];
      for (const headers of cases) {
        const res = await client.get('/echo', headers === undefined ? {} : { headers });
        assert.equal(res.statusCode, 400, JSON.stringify(headers));
      }
    });

    test('test_process_websocket_frame', async () => {
      // Microdot tests its own frame decoder; ours is the `ws` package's, so the same cases are
      // checked on the wire: text → string, binary → bytes, ping → pong with its payload,
      // pong → nothing for the handler, close → WebSocketError.
      const app = new Microdot();
      const received: Message[] = [];
      let ended!: (err: unknown) => void;
      const end = new Promise<unknown>((resolve) => {
        ended = resolve;
      });
      app.get(
        '/frames',
        withWebSocket(async (_req, ws) => {
          try {
            for (;;) received.push(await ws.receive());
          } catch (err) {
            ended(err);
          }
        }),
      );
      const client = await mode.client(app);
      const peer = new WsClient('ws://localhost/frames', {
        createConnection: () => client.connect(),
      });
      await new Promise((resolve) => peer.once('open', resolve));
      const pong = new Promise<Buffer>((resolve) => peer.once('pong', resolve));
      peer.send('foo');
      peer.send(Buffer.from('foo'));
      peer.ping('foo');
      peer.pong('foo');
      assert.equal((await pong).toString(), 'foo');
      const closed = new Promise((resolve) => peer.once('close', resolve));
      peer.close(1000);
      await closed;
      const err = await end;
      assert.deepEqual(received, ['foo', Buffer.from('foo')]);
      assert.ok(err instanceof WebSocketError);
      assert.equal(err.code, 1000);
    });
  });
}

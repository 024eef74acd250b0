// The node:http 'upgrade' path of the core (Response.upgrade, app.upgradeHandler), over raw
// sockets: Upgrade requests that are not WebSocket handshakes are answered as plain requests,
// bodies included; a server without the upgrade listener, or app.fetch, answers 501; unsafe
// handshake headers from a hook are never sent.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { WebSocket as WsClient } from 'ws';
import { Microdot, type RunningServer } from '../../src/index.js';
import { withWebSocket } from '../../src/websocket/index.js';
import { quietApp } from '../helpers/clients.js';

const servers: RunningServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** Sends raw bytes and resolves with everything the server sent before closing. */
async function raw(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let out = '';
  socket.on('data', (chunk: string) => {
    out += chunk;
  });
  socket.write(request);
  await once(socket, 'close');
  return out;
}

function app(): Microdot & { errors: unknown[] } {
  const a = quietApp(new Microdot({ maxContentLength: 64 }));
  a.get('/', () => 'plain answer');
  a.post('/echo', (req) => `got ${req.text}`);
  a.get(
    '/ws',
    withWebSocket(async (_req, ws) => {
      await ws.send('in');
    }),
  );
  return a;
}

async function serve(a: Microdot): Promise<number> {
  const server = await a.startServer({ port: 0 });
  servers.push(server);
  return server.port;
}

describe('Upgrade requests on node:http', () => {
  test('an Upgrade that is not a WebSocket (h2c) is answered as a plain request, then closed', async () => {
    const port = await serve(app());
    const out = await raw(
      port,
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n',
    );
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(out, /\r\nconnection: close\r\n/i);
    assert.match(out, /plain answer$/);
  });

  test("its body is read within the app's limit: 200, 413, and 400 for a chunked one", async () => {
    const port = await serve(app());
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n';
    let out = await raw(port, `${head}Content-Length: 5\r\n\r\nhello`);
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(out, /got hello$/);
    out = await raw(port, `${head}Content-Length: 65\r\n\r\n${'x'.repeat(65)}`);
    assert.match(out, /^HTTP\/1\.1 413 /);
    out = await raw(port, `${head}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
    assert.match(out, /^HTTP\/1\.1 400 /);
  });

  test('a server of your own: app.handler alone answers 501, with app.upgradeHandler it upgrades', async () => {
    const a = app();
    const server = createServer(a.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const refused = new WsClient(`ws://127.0.0.1:${port}/ws`);
      refused.on('error', () => {});
      const [, res] = (await once(refused, 'unexpected-response')) as [
        unknown,
        { statusCode: number },
      ];
      assert.equal(res.statusCode, 501);
      refused.terminate();
      server.on('upgrade', a.upgradeHandler);
      const peer = new WsClient(`ws://127.0.0.1:${port}/ws`);
      const [message] = await once(peer, 'message');
      assert.equal(String(message), 'in');
      await once(peer, 'close');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a header a hook filled with CR/LF is never sent with the 101: 500, logged', async () => {
    const a = app();
    a.afterRequest((_req, res) => {
      res.setHeader('X-Bad', 'a\r\nSet-Cookie: forged=1');
    });
    const port = await serve(a);
    const peer = new WsClient(`ws://127.0.0.1:${port}/ws`);
    peer.on('error', () => {});
    const [, res] = (await once(peer, 'unexpected-response')) as [
      unknown,
      { statusCode: number; headers: Record<string, unknown> },
    ];
    assert.equal(res.statusCode, 500);
    assert.equal(res.headers['set-cookie'], undefined);
    peer.terminate();
    assert.equal(a.errors.length, 1);
  });
});

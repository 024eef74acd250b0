// The node:http side: startServer, app.handler in a server of your own, graceful shutdown,
// and request attributes as they arrive over a real socket.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Microdot, Response } from '../src/index.js';
import { rawRequest } from './helpers/clients.js';

describe('node:http server', () => {
  test('startServer on port 0 picks a free port; close() stops it', async () => {
    const app = new Microdot();
    app.get('/', () => 'up');
    const server = await app.startServer({ host: '127.0.0.1', port: 0 });
    assert.ok(server.port > 0);
    assert.equal((await rawRequest(server.port, 'GET', '/')).text, 'up');
    await server.close();
    await assert.rejects(
      rawRequest(server.port, 'GET', '/'),
      /ECONNREFUSED|ECONNRESET|socket hang up/,
    );
  });

  test('app.handler works in a server of your own', async () => {
    const app = new Microdot();
    app.get('/users/<int:id>', (_req, { id }) => ({ id }));
    const server = createServer(app.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      assert.deepEqual((await rawRequest(port, 'GET', '/users/12')).json, { id: 12 });
    } finally {
      server.close();
    }
  });

  test('shutdown() lets an in-flight request finish, then refuses new connections', async () => {
    const app = new Microdot();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    app.get('/slow', async () => {
      await gate;
      return 'finished';
    });
    const server = await app.startServer({ port: 0 });
    const inflight = rawRequest(server.port, 'GET', '/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = app.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await assert.rejects(
      rawRequest(server.port, 'GET', '/slow'),
      /ECONNREFUSED|ECONNRESET|socket hang up/,
    );
    release();
    assert.equal((await inflight).text, 'finished');
    await stopping;
  });

  test('request attributes over a real socket', async () => {
    const app = new Microdot({ maxContentLength: 64 });
    app.post('/info', (req) => ({
      method: req.method,
      path: req.path,
      queryString: req.queryString,
      args: req.args.getAll('a'),
      contentLength: req.contentLength,
      contentType: req.contentType,
      clientAddr: req.clientAddr,
      scheme: req.scheme,
      url: req.url,
      form: req.form?.toObject(),
    }));
    const server = await app.startServer({ port: 0 });
    try {
      const body = Buffer.from('x=1&y=two+words');
      const res = await rawRequest(
        server.port,
        'POST',
        '/info?a=1&a=2',
        { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      );
      assert.deepEqual(res.json, {
        method: 'POST',
        path: '/info',
        queryString: 'a=1&a=2',
        args: ['1', '2'],
        contentLength: body.length,
        contentType: 'application/x-www-form-urlencoded',
        clientAddr: '127.0.0.1',
        scheme: 'http',
        url: '/info?a=1&a=2',
        form: { x: '1', y: 'two words' },
      });
      const big = await rawRequest(server.port, 'POST', '/info', {}, Buffer.alloc(65));
      assert.equal(big.statusCode, 413, 'maxContentLength is the app option');
    } finally {
      await server.close();
    }
  });

  test('Response.defaultContentType is settable', async () => {
    const saved = Response.defaultContentType;
    Response.defaultContentType = 'text/html; charset=UTF-8';
    try {
      const app = new Microdot();
      app.get('/', () => '<p>hi</p>');
      const server = await app.startServer({ port: 0 });
      const res = await rawRequest(server.port, 'GET', '/');
      await server.close();
      assert.equal(res.headers['content-type'], 'text/html; charset=UTF-8');
    } finally {
      Response.defaultContentType = saved;
    }
  });
});

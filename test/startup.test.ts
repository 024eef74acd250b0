// Start-up errors (#14): a port in use or an invalid port is a ServerStartError that says what
// to change, and a Session without a secret key stops startServer/run instead of the first
// request. The example's runner turns each into one line and exit code 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, describe, test } from 'node:test';
import { Microdot, ServerStartError } from '../src/index.js';
import { SecretKeyNotConfiguredError, Session } from '../src/session/index.js';

const KEY = 'startup-test-secret-key-of-32-bytes-at-least';

/** A plain TCP listener on a free port, to be in the way. */
async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port };
}

describe('startServer errors', () => {
  test('a port in use: ServerStartError EADDRINUSE, naming the port, with the cause', async () => {
    const { server, port } = await occupy();
    after(() => server.close());
    const app = new Microdot();
    const err = await app.startServer({ port }).then(
      () => assert.fail('started on a port in use'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServerStartError);
    assert.equal(err.code, 'EADDRINUSE');
    assert.equal(err.port, port);
    assert.match(err.message, new RegExp(`port ${port} is already in use`));
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
  });

  for (const port of [Number.NaN, -1, 65536, 1.5, Number.POSITIVE_INFINITY]) {
    test(`an invalid port (${port}) is refused before listening`, async () => {
      const app = new Microdot();
      await assert.rejects(app.startServer({ port }), (err: unknown) => {
        assert.ok(err instanceof ServerStartError);
        assert.equal(err.code, 'ERR_INVALID_PORT');
        assert.match(err.message, /integer from 0 to 65535/);
        return true;
      });
    });
  }

  test('a host that is not this machine: EADDRNOTAVAIL, said plainly', async () => {
    const app = new Microdot();
    await assert.rejects(app.startServer({ host: '192.0.2.1', port: 0 }), (err: unknown) => {
      assert.ok(err instanceof ServerStartError);
      assert.equal(err.code, 'EADDRNOTAVAIL');
      assert.match(err.message, /not an address of this machine/);
      return true;
    });
  });
});

describe('start-up checks', () => {
  test('a Session without a secret key stops startServer, not the first request', async () => {
    const app = new Microdot();
    new Session(app);
    await assert.rejects(app.startServer(), SecretKeyNotConfiguredError);
    await assert.rejects(app.run({ port: 0 }), SecretKeyNotConfiguredError);
  });

  test('a key given later with initialize() is seen at start', async () => {
    const app = new Microdot();
    const session = new Session(app);
    session.initialize(app, { secretKey: KEY });
    const server = await app.startServer();
    await server.close();
  });

  test('a mounted sub-application brings its checks along', async () => {
    const api = new Microdot();
    new Session(api);
    const app = new Microdot();
    app.mount(api, '/api', { local: true });
    await assert.rejects(app.startServer(), SecretKeyNotConfiguredError);
  });

  test('onStartup checks run in order; the first failure stops the start', async () => {
    const app = new Microdot();
    const ran: string[] = [];
    app.onStartup(() => void ran.push('a'));
    app.onStartup(async () => {
      ran.push('b');
      throw new RangeError('bad config');
    });
    app.onStartup(() => void ran.push('c'));
    await assert.rejects(app.startServer(), RangeError);
    assert.deepEqual(ran, ['a', 'b']);
  });
});

/** Runs what `npm start` runs (package.json's start script) and collects stderr and exit code. */
function runExample(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.split(' ');
  assert.equal(command, 'node', 'npm start runs node');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, SECRET_KEY: KEY, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('npm start: start-up errors are one line', () => {
  test('PORT=abc names PORT, exit code 1, no stack trace', async () => {
    const { code, stderr } = await runExample({ PORT: 'abc' });
    assert.equal(code, 1);
    assert.equal(stderr.trim(), 'PORT must be a port number from 0 to 65535, not "abc".');
  });

  test('a port in use says so and names PORT', async () => {
    const { server, port } = await occupy();
    after(() => server.close());
    const { code, stderr } = await runExample({ PORT: String(port) });
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`port ${port} is already in use`));
    assert.match(stderr, /set PORT/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});

// The login example (the main job): in-process, and as real processes sharing one Redis.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createLoginApp, escapeHtml } from '../../examples/sessions/login-app.js';
import { TestClient } from '../../src/test-client.js';
import { rawRequest } from '../helpers/clients.js';
import { deleteRedisKeys } from '../helpers/redis-prefix.js';

const KEY = 'login-example-test-key-0123456789abcdefghij';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const LOGIN_JS = join(dirname(fileURLToPath(import.meta.url)), '../../examples/sessions/login.js');

describe('login example, in-process', () => {
  test('form, login, greeting (escaped), logout', async () => {
    const client = new TestClient(createLoginApp({ secretKey: KEY }));
    let res = await client.get('/');
    assert.match(res.text, /You are not logged in\./);
    assert.match(res.text, /<input name="username"/);
    assert.equal(res.headers['content-type'], 'text/html; charset=UTF-8');
    res = await client.post('/', { body: 'username=%3Cscript%3EAl%3C%2Fscript%3E', headers: FORM });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/');
    res = await client.get('/');
    assert.match(res.text, /Hello <b>&#60;script&#62;Al&#60;\/script&#62;<\/b>!/);
    assert.doesNotMatch(res.text, /<script>/);
    res = await client.post('/logout');
    assert.equal(res.statusCode, 302);
    assert.match((await client.get('/')).text, /You are not logged in\./);
  });

  test('an empty user name is a 400 with the form again', async () => {
    const client = new TestClient(createLoginApp({ secretKey: KEY }));
    const res = await client.post('/', { body: 'username=+', headers: FORM });
    assert.equal(res.statusCode, 400);
    assert.match(res.text, /Please give a user name/);
  });

  test('login and logout posted by another site are refused (403) and change nothing', async () => {
    const client = new TestClient(createLoginApp({ secretKey: KEY }));
    await client.post('/', { body: 'username=victim', headers: FORM });
    const before = client.cookies();
    const crossSite: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://localhost:9999' },
      { Origin: 'http://localhost:9999', Host: '127.0.0.1:5000' }, // an older browser
    ];
    for (const cross of crossSite) {
      let res = await client.post('/', {
        body: 'username=attacker',
        headers: { ...FORM, ...cross },
      });
      assert.equal(res.statusCode, 403);
      assert.match(res.text, /sent from another web site/);
      assert.equal(res.headers['set-cookie'], undefined);
      res = await client.post('/logout', { headers: { ...FORM, ...cross } });
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    assert.deepEqual(client.cookies(), before);
    assert.match((await client.get('/')).text, /Hello <b>victim<\/b>!/);
    const own = { 'Sec-Fetch-Site': 'same-origin', Origin: 'http://127.0.0.1:5000' };
    assert.equal((await client.post('/logout', { headers: { ...FORM, ...own } })).statusCode, 302);
    assert.match((await client.get('/')).text, /You are not logged in\./);
  });

  test('escapeHtml escapes the five HTML-special characters', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;',
    );
  });
});

interface Running {
  child: ChildProcess;
  port: number;
}

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the login example as its own process and waits until it listens. */
function startExample(env: Record<string, string>): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOGIN_JS], {
      env: { ...process.env, PORT: '0', SECRET_KEY: KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const timer = setTimeout(
      () => reject(new Error('the example did not start within 10 s')),
      10_000,
    );
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${code}): ${out}`));
    });
  });
}

/** The shared stores of the two-process test: the environment of each example, and its cleanup. */
const SHARED: {
  store: string;
  env: () => Record<string, string>;
  drop?: (env: Record<string, string>) => Promise<void>;
}[] = [
  {
    store: 'redis',
    env: () => ({
      SESSION_STORE: 'redis',
      REDIS_PREFIX: `test:login:${randomBytes(6).toString('hex')}:`,
    }),
    drop: (env) => deleteRedisKeys(env.REDIS_PREFIX!),
  },
  {
    store: 'postgres',
    env: () => ({
      SESSION_STORE: 'postgres',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      POSTGRES_TABLE: `microdot_test_login_${randomBytes(6).toString('hex')}`,
    }),
    drop: async (env) => {
      const client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP TABLE IF EXISTS "${env.POSTGRES_TABLE}"`);
      await client.end();
    },
  },
];

describe('login example, two processes sharing one store', () => {
  for (const shared of SHARED) {
    test(`SESSION_STORE=${shared.store}: a login on one is seen on the other; a logout on one is dead on the other`, async () => {
      const env = shared.env();
      try {
        const [a, b] = await Promise.all([startExample(env), startExample(env)]);
        const login = await rawRequest(a.port, 'POST', '/', FORM, Buffer.from('username=zoe'));
        assert.equal(login.statusCode, 302);
        const setCookie = login.headers['set-cookie'];
        const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(
          ';',
          1,
        )[0]!;
        const payload = JSON.parse(Buffer.from(cookie.split('.')[1]!, 'base64url').toString());
        assert.equal(payload.username, undefined, 'the data are not in the cookie');
        assert.match((await rawRequest(b.port, 'GET', '/', { cookie })).text, /Hello <b>zoe<\/b>!/);
        const logout = await rawRequest(b.port, 'POST', '/logout', { cookie });
        assert.equal(logout.statusCode, 302);
        assert.match(
          (await rawRequest(a.port, 'GET', '/', { cookie })).text,
          /You are not logged in\./,
        );
        for (const run of [a, b]) run.child.kill('SIGTERM');
      } finally {
        await shared.drop?.(env);
      }
    });
  }

  test('the example also runs with SESSION_STORE=memory and sqlite', async () => {
    for (const store of ['memory', 'sqlite']) {
      const extra: Record<string, string> = store === 'sqlite' ? { SQLITE_PATH: ':memory:' } : {};
      const run = await startExample({ SESSION_STORE: store, ...extra });
      const login = await rawRequest(run.port, 'POST', '/', FORM, Buffer.from('username=yan'));
      const setCookie = login.headers['set-cookie'];
      const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';', 1)[0]!;
      assert.match(
        (await rawRequest(run.port, 'GET', '/', { cookie })).text,
        /Hello <b>yan<\/b>!/,
        store,
      );
      run.child.kill('SIGTERM');
    }
  });
});

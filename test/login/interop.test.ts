// Logins shared with a Python Microdot service, both ways: session and remember-me tokens made by
// PyJWT in Microdot's format are honoured here, and ours decode with PyJWT to Microdot's claims.
// Python is driven through test/interop/pyjwt_tool.py with /usr/bin/python3.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Microdot } from '../../src/index.js';
import { Login } from '../../src/login/index.js';
import { Session } from '../../src/session/index.js';
import { MODES } from '../helpers/clients.js';
import { cookieLine, KEY } from './helpers.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const TOOL = join(repoRoot(), 'test/interop/pyjwt_tool.py');
const pyKey = Buffer.from(KEY).toString('base64url');

type PyResult = { token?: string; payload?: Record<string, unknown>; error?: string };
function pyjwt(requests: Record<string, unknown>[]): PyResult[] {
  const out = execFileSync('/usr/bin/python3', [TOOL], { input: JSON.stringify(requests) });
  return JSON.parse(out.toString('utf8')) as PyResult[];
}
const pyEncode = (payload: Record<string, unknown>) =>
  pyjwt([{ op: 'encode', key: pyKey, payload }])[0]!.token!;
const pyDecode = (token: string) => pyjwt([{ op: 'decode', key: pyKey, token }])[0]!;

function app() {
  const a = new Microdot();
  new Session(a, { secretKey: KEY });
  const login = new Login<{ id: number; name: string }>();
  login.userLoader((id) => ({ id: Number(id), name: `user${id}` }));
  a.get('/who', async (req) => (await login.currentUser(req))?.name ?? 'nobody');
  a.get(
    '/fresh',
    login.fresh(() => 'fresh'),
  );
  a.post('/login', (req) => login.loginUser(req, { id: 123, name: 'user123' }, { remember: 7 }));
  return a;
}

for (const mode of MODES) {
  describe(`PyJWT interop (${mode.name})`, () => {
    test('a Microdot session {"_user_id": 123, "_fresh": true} (HS256, no exp) is a fresh login here', async () => {
      const token = pyEncode({ _user_id: 123, _fresh: true });
      const client = await mode.client(app(), { cookies: { session: token } });
      assert.equal((await client.get('/who')).text, 'user123');
      assert.equal((await client.get('/fresh')).text, 'fresh');
    });

    test('a Microdot remember cookie (float exp) restores the login, renewed for its days', async () => {
      const token = pyEncode({ user_id: 123, days: 7, exp: Date.now() / 1000 + 7 * 86400 + 0.25 });
      const client = await mode.client(app(), { cookies: { _remember: token } });
      const res = await client.get('/who');
      assert.equal(res.text, 'user123');
      assert.match(cookieLine(res, '_remember')!, /Max-Age=604800/);
      assert.equal((await client.get('/fresh')).statusCode, 302);
    });

    test('an expired Microdot remember cookie is nobody', async () => {
      const token = pyEncode({ user_id: 123, days: 7, exp: Date.now() / 1000 - 3600 });
      const client = await mode.client(app(), { cookies: { _remember: token } });
      assert.equal((await client.get('/who')).text, 'nobody');
    });

    test("our session and remember tokens decode with PyJWT to Microdot's claims", async () => {
      const client = await mode.client(app());
      await client.post('/login');
      const session = pyDecode(client.cookies().session!);
      assert.equal(session.error, undefined);
      assert.equal(session.payload!._user_id, 123);
      assert.equal(session.payload!._fresh, true);
      const remember = pyDecode(client.cookies()._remember!);
      assert.equal(remember.error, undefined);
      assert.equal(remember.payload!.user_id, 123);
      assert.equal(remember.payload!.days, 7);
      assert.equal(typeof remember.payload!.exp, 'number');
    });
  });
}

// Our own cases for microdot-ts/auth's BasicAuth and TokenAuth: the default error responses,
// options checked when built, malformed credentials (never a 500), and composition with other
// wrappers. Run in-process and over a real socket.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthConfigError, BasicAuth, TokenAuth } from '../../src/auth/index.js';
import { Microdot } from '../../src/index.js';
import { Session, withSession } from '../../src/session/index.js';
import { MODES, quietApp } from '../helpers/clients.js';

interface User {
  id: number;
  name: string;
}
const ALICE: User = { id: 1, name: 'alice' };
const b64 = (bytes: string | Buffer) => Buffer.from(bytes).toString('base64');
const auth = (value: string) => ({ headers: { Authorization: value } });

function basicApp(options: ConstructorParameters<typeof BasicAuth>[0] = {}) {
  const app = quietApp(new Microdot());
  const basic = new BasicAuth<User>(options);
  const seen: [string, string][] = [];
  basic.authenticate(async (_req, username, password) => {
    seen.push([username, password]);
    return username === 'alice' && password === 'pa:ss wörd' ? ALICE : undefined;
  });
  app.get(
    '/users/<int:id>',
    basic.required((req, { id }) => {
      const n: number = id; // the route's parameter types pass through the wrapper
      return `${basic.currentUser(req)?.name} ${n}`;
    }),
  );
  return { app, basic, seen };
}

for (const mode of MODES) {
  describe(`BasicAuth (${mode.name})`, () => {
    test('default error: the status, an empty body and the challenge', async () => {
      const { app } = basicApp();
      const res = await (await mode.client(app)).get('/users/7');
      assert.equal(res.statusCode, 401);
      assert.equal(res.text, '');
      assert.equal(res.headers['www-authenticate'], 'Basic realm="Please login", charset="UTF-8"');
    });

    test('realm, charset, scheme and errorStatus shape the challenge', async () => {
      const { app } = basicApp({
        realm: 'Admin área',
        charset: 'UTF-8',
        scheme: 'xBasic',
        errorStatus: 403,
      });
      const res = await (await mode.client(app)).get('/users/7');
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers['www-authenticate'], 'xBasic realm="Admin área", charset="UTF-8"');
    });

    test('credentials: UTF-8, colons in the password, any case of the scheme, parameters typed', async () => {
      const { app, seen } = basicApp();
      const client = await mode.client(app);
      let res = await client.get('/users/7', auth(`Basic ${b64('alice:pa:ss wörd')}`));
      assert.equal(res.statusCode, 200);
      assert.equal(res.text, 'alice 7');
      res = await client.get('/users/8', auth(`basic   ${b64('alice:pa:ss wörd')}`));
      assert.equal(res.text, 'alice 8');
      assert.deepEqual(seen, [
        ['alice', 'pa:ss wörd'],
        ['alice', 'pa:ss wörd'],
      ]);
    });

    test('malformed credentials count as none: the challenge, never a 500, callback not called', async () => {
      const { app, seen } = basicApp();
      const client = await mode.client(app);
      const bad = [
        'Basic',
        'Basic ',
        'Basic !!!!',
        `Basic ${b64('alice')}`, // no colon
        `Basic ${b64(Buffer.from([0x61, 0x3a, 0xff, 0xfe]))}`, // not UTF-8
        `Basic ${b64('alice:pa\u0000ss')}`, // a control character (RFC 7617 §2)
        `Basic ${b64('alice:pass').slice(0, -1)}`, // truncated padding
        `Basic ${b64('alice:pass')}=`,
        `Basic *${b64('alice:pa:ss wörd')}`, // Python's a2b_base64 would skip the '*' and accept
        `Basic ${'A'.repeat(9000)}`,
        `Bearer ${b64('alice:pa:ss wörd')}`,
      ];
      for (const value of bad) {
        const res = await client.get('/users/1', auth(value));
        assert.equal(res.statusCode, 401, value.slice(0, 40));
        assert.equal(
          res.headers['www-authenticate'],
          'Basic realm="Please login", charset="UTF-8"',
        );
      }
      assert.deepEqual(seen, []);
      assert.deepEqual(app.errors, []);
    });

    test('errorHandler replaces the default response', async () => {
      const { app, basic } = basicApp();
      basic.errorHandler(() => ['Who are you?', 401]);
      const res = await (await mode.client(app)).get('/users/1');
      assert.equal(res.statusCode, 401);
      assert.equal(res.text, 'Who are you?');
      assert.equal(res.headers['www-authenticate'], undefined);
    });

    test('composes with withSession in both orders; g.currentUser is set', async () => {
      const app = new Microdot();
      new Session(app, { secretKey: 'auth-tests-secret-key-0123456789abcdef' });
      const basic = new BasicAuth<User>().authenticate(() => ALICE);
      app.get(
        '/a',
        basic.required(
          withSession<{ n?: number }>((req, session) => {
            session.n = (session.n ?? 0) + 1;
            session.save();
            return `${(req.g.currentUser as User).name} ${session.n}`;
          }),
        ),
      );
      const client = await mode.client(app);
      const header = auth(`Basic ${b64('x:y')}`);
      assert.equal((await client.get('/a', header)).text, 'alice 1');
      assert.equal((await client.get('/a', header)).text, 'alice 2');
      assert.equal((await client.get('/a')).statusCode, 401);
    });
  });

  describe(`TokenAuth (${mode.name})`, () => {
    function tokenApp(options: ConstructorParameters<typeof TokenAuth>[0] = {}) {
      const app = quietApp(new Microdot());
      const token = new TokenAuth<User>(options);
      token.authenticate(async (_req, value) => (value === 's3cr3t' ? ALICE : null));
      app.get(
        '/',
        token.required((req) => token.currentUser(req)!.name),
      );
      app.get(
        '/maybe',
        token.optional((req) => token.currentUser(req)?.name ?? 'nobody'),
      );
      return { app, token };
    }

    test('the scheme in any case; spaces around the token; an empty token is none', async () => {
      const { app } = tokenApp();
      const client = await mode.client(app);
      assert.equal((await client.get('/', auth('bearer s3cr3t'))).text, 'alice');
      assert.equal((await client.get('/', auth('BEARER    s3cr3t  '))).text, 'alice');
      assert.equal((await client.get('/', auth('Bearer '))).statusCode, 401);
      assert.equal((await client.get('/', auth('Bearer'))).statusCode, 401);
      assert.equal((await client.get('/', auth('Token s3cr3t'))).statusCode, 401);
      assert.equal((await client.get('/maybe', auth('Bearer wrong'))).text, 'nobody');
      assert.equal((await client.get('/maybe', auth('Bearer s3cr3t'))).text, 'alice');
    });

    test('a custom scheme; errorStatus; the default error goes through the app error handler', async () => {
      const { app } = tokenApp({ scheme: 'Token', errorStatus: 403 });
      app.errorHandler(403, () => ['Forbidden, with a token please', 403]);
      const client = await mode.client(app);
      assert.equal((await client.get('/', auth('Token s3cr3t'))).text, 'alice');
      const res = await client.get('/', auth('Bearer s3cr3t'));
      assert.equal(res.statusCode, 403);
      assert.equal(res.text, 'Forbidden, with a token please');
    });

    test('no authenticate callback: a clear configuration error (500), not a crash', async () => {
      const app = quietApp(new Microdot());
      const token = new TokenAuth();
      app.get(
        '/',
        token.required(() => 'never'),
      );
      const res = await (await mode.client(app)).get('/', auth('Bearer x'));
      assert.equal(res.statusCode, 500);
      assert.ok(app.errors[0] instanceof AuthConfigError);
      assert.match(String(app.errors[0]), /call authenticate/);
    });
  });
}

describe('options are checked when built', () => {
  test('a realm that could split or bend the header is refused', () => {
    for (const realm of ['say "hi"', 'a\r\nSet-Cookie: x=1', 'back\\slash', 'tab\there', 'nul\0']) {
      assert.throws(() => new BasicAuth({ realm }), AuthConfigError, JSON.stringify(realm));
    }
    assert.equal(new BasicAuth({ realm: 'Ünïcode realm' }).realm, 'Ünïcode realm');
  });

  test('unknown options, bad schemes, charsets, headers and statuses are refused with a hint', () => {
    assert.throws(() => new BasicAuth({ relm: 'x' } as never), /unknown option "relm"/);
    assert.throws(() => new BasicAuth({ scheme: 'Ba sic' }), /scheme must be a token/);
    assert.throws(() => new BasicAuth({ charset: 'UTF-8"' }), /charset must be a token/);
    assert.throws(() => new BasicAuth({ errorStatus: 200 }), /from 400 to 599/);
    assert.throws(() => new TokenAuth({ header: 'X Token' }), /header must be a token/);
    assert.throws(() => new TokenAuth({ errorStatus: 401.5 }), /from 400 to 599/);
    assert.throws(() => new TokenAuth({ schema: 'Bearer' } as never), /unknown option "schema"/);
    assert.throws(() => new TokenAuth().authenticate('x' as never), AuthConfigError);
    assert.throws(() => new TokenAuth().errorHandler(undefined as never), AuthConfigError);
  });
});

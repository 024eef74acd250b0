// The chat example, driven in-process and over a real socket: only logged-in users get the
// page, the WebSocket and the online list; messages reach everyone and are escaped in pages.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { WebSocket as WsClient } from 'ws';
import { createAccountApp } from '../../examples/account/account-app.js';
import { MemoryUsers } from '../../examples/account/users.js';
import { createChatApp } from '../../examples/chat/chat-app.js';
import { ChatRoom } from '../../examples/chat/room.js';
import { accountChatUsers, type ChatUsers, DemoUsers } from '../../examples/chat/users.js';
import { parseEventStream } from '../../src/sse/index.js';
import type { TestClient } from '../../src/test-client.js';
import { MODES } from '../helpers/clients.js';
import { openStream } from '../helpers/stream-client.js';

const SECRET = 'chat-test-secret-key-that-is-long-enough-0123456789';
let users: ChatUsers;
before(async () => {
  users = await DemoUsers.create({ alice: 'alice-pw', bob: 'bob-pw' }, { logN: 10 });
});

const form = (fields: Record<string, string>) => ({
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function logIn(client: TestClient, name: string): Promise<void> {
  const res = await client.post('/login', form({ name, password: `${name}-pw` }));
  assert.equal(res.statusCode, 302);
}

/** A raw WebSocket to the app through `client` (its cookies), resolving once open. */
async function socket(client: TestClient): Promise<{ peer: WsClient; messages: unknown[] }> {
  const cookie = Object.entries(client.cookies())
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const peer = new WsClient('ws://localhost/ws', {
    createConnection: () => client.connect(),
    headers: { Cookie: cookie },
  });
  const messages: unknown[] = [];
  peer.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    peer.once('open', resolve);
    peer.once('error', reject);
  });
  return { peer, messages };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}

for (const mode of MODES) {
  describe(`chat example [${mode.name}]`, () => {
    test('logged out: the page, the WebSocket and the online list all send to /login', async () => {
      const client = await mode.client(createChatApp({ secretKey: SECRET, users }));
      for (const path of ['/', '/online']) {
        const res = await client.get(path);
        assert.equal(res.statusCode, 302, path);
        assert.equal(res.headers.location, `/login?next=${path}`);
      }
      const res = await client.websocket('/ws', async function* () {
        yield 'let me in';
      });
      assert.equal(res.statusCode, 302);
      assert.equal(res.websocketClose, undefined);
    });

    test('a wrong password is a 401 with the form again, the name escaped', async () => {
      const client = await mode.client(createChatApp({ secretKey: SECRET, users }));
      const res = await client.post('/login', form({ name: '<b>alice', password: 'nope' }));
      assert.equal(res.statusCode, 401);
      assert.match(res.text, /Wrong name or password/);
      assert.match(res.text, /value="&#60;b&#62;alice"/);
      assert.equal(client.cookies().session, undefined);
    });

    test('two users exchange messages; pages escape the history', async () => {
      const app = createChatApp({ secretKey: SECRET, users, room: new ChatRoom() });
      const alice = await mode.client(app);
      const bob = await mode.client(app);
      await logIn(alice, 'alice');
      await logIn(bob, 'bob');
      const a = await socket(alice);
      const b = await socket(bob);
      await until(() => app.room.online.length === 2);
      assert.deepEqual(app.room.online, ['alice', 'bob']);
      a.peer.send('Hello <b>Bob</b>');
      await until(() => b.messages.length === 1 && a.messages.length === 1);
      assert.deepEqual(
        b.messages.map((m) => (m as { from: string; text: string }).text),
        ['Hello <b>Bob</b>'],
      );
      assert.equal((b.messages[0] as { from: string }).from, 'alice');
      b.peer.send(Buffer.from('binary is ignored'));
      b.peer.send('   ');
      b.peer.send('x'.repeat(600));
      await until(() => a.messages.length === 2);
      assert.equal((a.messages[1] as { text: string }).text.length, 500);
      const page = await bob.get('/');
      assert.equal(page.statusCode, 200);
      assert.match(page.text, /<b>alice<\/b>: Hello &#60;b&#62;Bob&#60;\/b&#62;/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      a.peer.close();
      await until(() => app.room.online.length === 1);
      b.peer.close();
      await until(() => app.room.online.length === 0);
    });
  });
}

describe('chat example on the account example', () => {
  test('an account registered in the account example logs in to the chat', async () => {
    const mode = MODES[0]!;
    const accounts = new MemoryUsers();
    const cost = { logN: 10 };
    const account = await mode.client(
      await createAccountApp({ secretKey: SECRET, users: accounts, passwordCost: cost }),
    );
    const reg = await account.post(
      '/register',
      form({ name: 'Carol', password: 'carol-password', confirm: 'carol-password' }),
    );
    assert.equal(reg.statusCode, 302);
    const chat = await mode.client(
      createChatApp({ secretKey: SECRET, users: await accountChatUsers(accounts, cost) }),
    );
    let res = await chat.post('/login', form({ name: 'carol', password: 'wrong-password' }));
    assert.equal(res.statusCode, 401);
    res = await chat.post('/login', form({ name: 'Carol', password: 'carol-password' }));
    assert.equal(res.statusCode, 302);
    res = await chat.get('/');
    assert.match(res.text, /Logged in as <b id="me">Carol<\/b>/);
  });
});

describe('chat example: who is online (SSE, over HTTP)', () => {
  test('the list comes at once and again on every change', async () => {
    const mode = MODES.find((m) => m.name === 'http')!;
    const app = createChatApp({ secretKey: SECRET, users });
    const bob = await mode.client(app);
    const alice = await mode.client(app);
    await logIn(bob, 'bob');
    await logIn(alice, 'alice');
    const port = (bob as unknown as { server: { port: number } }).server.port;
    const stream = await openStream(port, '/online', {
      Cookie: `session=${bob.cookies().session}`,
    });
    const lists = () => parseEventStream(stream.text()).map((e) => e.json);
    await stream.until(() => lists().length === 1);
    const a = await socket(alice);
    await stream.until(() => lists().length === 2);
    a.peer.close();
    await stream.until(() => lists().length === 3);
    assert.deepEqual(lists(), [[], ['alice'], []]);
    assert.ok(parseEventStream(stream.text()).every((e) => e.event === 'online'));
    stream.destroy();
  });
});

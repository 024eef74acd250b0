import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  SecretKeyNotConfiguredError,
  SessionConfigError,
  SessionError,
  SessionTooLargeError,
} from '../../src/session/errors.js';
import { KeyRing } from '../../src/session/keyring.js';

describe('session errors', () => {
  it('carry stable codes and names, and are SessionErrors', () => {
    const cases: [SessionError, string, string][] = [
      [new SessionConfigError('bad option'), 'ERR_SESSION_CONFIG', 'SessionConfigError'],
      [new SecretKeyNotConfiguredError(), 'ERR_SESSION_NO_SECRET', 'SecretKeyNotConfiguredError'],
      [new SessionTooLargeError(5000, 4096), 'ERR_SESSION_TOO_LARGE', 'SessionTooLargeError'],
    ];
    for (const [error, code, name] of cases) {
      assert.ok(error instanceof SessionError && error instanceof Error);
      assert.equal(error.code, code);
      assert.equal(error.name, name);
    }
  });

  it('says the secret key is not configured in Microdot words, then what to do', () => {
    const { message } = new SecretKeyNotConfiguredError();
    assert.ok(message.startsWith('The session secret key is not configured: '), message);
    // Where the key goes, with the real API's names, and how long it must be.
    assert.ok(message.includes('new Session(app, { secretKey })'), message);
    assert.ok(message.includes('session.initialize(app, { secretKey })'), message);
    assert.match(message, /at least 32 bytes/);
    // The command it gives makes a key that a Session accepts.
    const command = /node -e "([^"]+)"/.exec(message)?.[1];
    assert.ok(command, message);
    const key = execFileSync(process.execPath, ['-e', command], { encoding: 'utf8' }).trim();
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.doesNotThrow(() => new KeyRing(key));
  });

  it('reports size and limit of a session too large', () => {
    const error = new SessionTooLargeError(5000, 4096);
    assert.equal(error.size, 5000);
    assert.equal(error.limit, 4096);
    assert.match(error.message, /5000/);
    assert.match(error.message, /4096/);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    assert.equal(new SessionConfigError('x', { cause }).cause, cause);
  });
});

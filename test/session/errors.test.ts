import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SecretKeyNotConfiguredError,
  SessionConfigError,
  SessionError,
  SessionTooLargeError,
} from '../../src/session/errors.js';

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

  it('says the secret key is not configured in Microdot words', () => {
    assert.equal(
      new SecretKeyNotConfiguredError().message,
      'The session secret key is not configured',
    );
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

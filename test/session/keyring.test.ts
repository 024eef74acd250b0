import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { SessionConfigError } from '../../src/session/errors.js';
import { KeyRing } from '../../src/session/keyring.js';

const A = 'a-first-secret-key-of-at-least-32-bytes';
const B = Buffer.alloc(32, 0xb2);

function throwsConfig(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SessionConfigError);
    assert.equal(error.code, 'ERR_SESSION_CONFIG');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('KeyRing', () => {
  it('takes one secret or a list, the first being current', () => {
    const one = new KeyRing(A);
    assert.equal(one.keys.length, 1);
    assert.equal(one.current, one.keys[0]);
    const two = new KeyRing([B, A]);
    assert.equal(two.keys.length, 2);
    assert.deepEqual(two.current.secret, B);
    assert.deepEqual(two.keys[1]!.secret, Buffer.from(A, 'utf8'));
  });

  it('uses the UTF-8 bytes of a string secret', () => {
    const secret = 'ключ-сессии-достаточно-длинный'; // 30 characters, 55 bytes
    assert.deepEqual(new KeyRing(secret).current.secret, Buffer.from(secret, 'utf8'));
  });

  it('derives kid as documented: base64url(HMAC-SHA256(secret, "microdot-ts kid"))[0..8]', () => {
    const expected = createHmac('sha256', B)
      .update('microdot-ts kid')
      .digest('base64url')
      .slice(0, 8);
    const key = new KeyRing(B).current;
    assert.equal(key.kid, expected);
    assert.match(key.kid, /^[A-Za-z0-9_-]{8}$/);
  });

  it('derives encKey as documented: HKDF-SHA256(secret, salt "", info, 32)', () => {
    const expected = Buffer.from(
      hkdfSync('sha256', B, Buffer.alloc(0), 'microdot-ts session encryption v1', 32),
    );
    const key = new KeyRing(B).current;
    assert.deepEqual(key.encKey.export(), expected);
    assert.equal(key.encKey.symmetricKeySize, 32);
    assert.deepEqual(key.hmacKey.export(), B);
  });

  it('finds keys by kid', () => {
    const ring = new KeyRing([A, B]);
    for (const key of ring.keys) assert.equal(ring.byKid(key.kid), key);
    assert.equal(ring.byKid('nope'), undefined);
    assert.equal(ring.byKid('__proto__'), undefined);
  });

  it('copies byte secrets, so later changes do not alter the keys', () => {
    const bytes = new Uint8Array(32).fill(7);
    const ring = new KeyRing(bytes);
    bytes.fill(0);
    assert.deepEqual(ring.current.secret, Buffer.alloc(32, 7));
  });

  it('is immutable', () => {
    const ring = new KeyRing(A);
    assert.ok(Object.isFrozen(ring.keys));
    assert.ok(Object.isFrozen(ring.current));
  });

  it('refuses an empty list', () => {
    throwsConfig(() => new KeyRing([]), /at least one/);
  });

  it('refuses an empty key', () => {
    throwsConfig(() => new KeyRing(''), /empty/);
    throwsConfig(() => new KeyRing([A, new Uint8Array(0)]), /#1 is empty/);
  });

  it('refuses a key under 32 bytes, and says how to make a good one', () => {
    throwsConfig(() => new KeyRing('top-secret'), /10 bytes.*randomBytes\(32\)/);
    throwsConfig(() => new KeyRing(Buffer.alloc(31, 1)), /31 bytes/);
    assert.ok(new KeyRing(Buffer.alloc(32, 1)));
  });

  it('refuses the same key twice, whatever its spelling', () => {
    throwsConfig(() => new KeyRing([A, B, A]), /#2 is given twice/);
    throwsConfig(() => new KeyRing([A, Buffer.from(A)]), /twice/);
  });

  it('refuses secrets that are neither strings nor bytes', () => {
    throwsConfig(() => new KeyRing(42 as unknown as string), /string or a Uint8Array/);
  });
});

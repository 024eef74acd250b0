// hashPassword / verifyPassword / passwordNeedsRehash (microdot-ts/auth): scrypt, a random salt,
// a self-describing string; a malformed or hostile hash string is false, never an exception.
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  passwordNeedsRehash,
  verifyPassword,
} from '../../src/auth/index.js';

/** A cheap cost for tests that hash many times; the default is checked once below. */
const FAST = { logN: 6, r: 8, p: 1 };
const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

describe('hashPassword and verifyPassword', () => {
  test('the default cost: OWASP scrypt (N=2^15, r=8, p=3), a PHC string that verifies', async () => {
    assert.deepEqual({ ...DEFAULT_SCRYPT_COST }, { logN: 15, r: 8, p: 3 });
    const hash = await hashPassword('correct horse battery staple');
    const m = PHC.exec(hash);
    assert.ok(m, hash);
    assert.deepEqual([m[1], m[2], m[3]], ['15', '8', '3']);
    assert.equal(await verifyPassword('correct horse battery staple', hash), true);
    assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
    assert.equal(passwordNeedsRehash(hash), false);
  });

  test('the string is plain scrypt (RFC 7914) of the NFKC password: checkable by any implementation', async () => {
    const hash = await hashPassword('Å ﬁ', FAST);
    const [, , , , salt, digest] = PHC.exec(hash)!;
    const expected = scryptSync('Å ﬁ'.normalize('NFKC'), Buffer.from(salt!, 'base64'), 32, {
      N: 64,
      r: 8,
      p: 1,
    });
    assert.equal(expected.toString('base64').replace(/=+$/, ''), digest);
    // The decomposed spelling and the ligature-free one match too.
    assert.equal(await verifyPassword('A\u030a fi', hash), true);
  });

  test('a random salt: the same password hashes differently each time', async () => {
    const a = await hashPassword('same', FAST);
    const b = await hashPassword('same', FAST);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('same', a), true);
    assert.equal(await verifyPassword('same', b), true);
  });

  test('the cost can be raised later: old hashes keep verifying and ask for a rehash', async () => {
    const old = await hashPassword('pw', FAST);
    assert.equal(passwordNeedsRehash(old), true);
    assert.equal(passwordNeedsRehash(old, FAST), false);
    assert.equal(await verifyPassword('pw', old), true);
    assert.equal(passwordNeedsRehash('not a hash'), true);
  });

  test('bad input to hashPassword is a clear error; bad input to verifyPassword is false', async () => {
    await assert.rejects(hashPassword(undefined as never), TypeError);
    await assert.rejects(hashPassword('x', { logN: 40 }), /cost out of bounds/);
    await assert.rejects(hashPassword('x', { r: 0 }), /cost out of bounds/);
    const hash = await hashPassword('x', FAST);
    assert.equal(await verifyPassword(undefined as never, hash), false);
    assert.equal(await verifyPassword('x', undefined as never), false);
    assert.equal(await verifyPassword('x', ''), false);
  });

  test('hostile cost parameters in a stored string are refused at once, not computed', async () => {
    const hash = await hashPassword('x', FAST);
    const [, , , , salt, digest] = PHC.exec(hash)!;
    for (const params of [
      'ln=30,r=8,p=1',
      'ln=20,r=32,p=1',
      'ln=6,r=8,p=99',
      'ln=0,r=8,p=1',
      'ln=6,r=0,p=1',
    ]) {
      const started = Date.now();
      assert.equal(await verifyPassword('x', `$scrypt$${params}$${salt}$${digest}`), false, params);
      assert.ok(Date.now() - started < 200, `${params} took ${Date.now() - started} ms`);
    }
  });

  it('never throws on malformed hash strings, and any change to a valid one is false', async () => {
    const hash = await hashPassword('secret', FAST);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 120 }),
          fc.constantFrom(
            '$scrypt$',
            '$scrypt$ln=6,r=8,p=1$$',
            `${hash}=`,
            `${hash}\n`,
            hash.slice(0, -1),
            hash.toUpperCase(),
            `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA`,
          ),
          fc
            .tuple(
              fc.nat({ max: hash.length - 1 }),
              fc.constantFrom('A', 'z', '0', '$', '=', ',', '/', 'é'),
            )
            .map(([i, c]) => hash.slice(0, i) + c + hash.slice(i + 1)),
        ),
        async (text) => {
          const ok = await verifyPassword('secret', text);
          assert.equal(ok, text === hash);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a wrong password never verifies', async () => {
    const hash = await hashPassword('the password', FAST);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 20 }), async (guess) => {
        assert.equal(await verifyPassword(guess, hash), guess.normalize('NFKC') === 'the password');
      }),
      { numRuns: 100 },
    );
  });
});

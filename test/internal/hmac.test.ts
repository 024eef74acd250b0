import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hmacSha256, hmacSha256Base64url } from '../../src/internal/hmac.js';

describe('hmacSha256', () => {
  it('gives the RFC 4231 test case 2 and 6 digests', () => {
    assert.equal(
      hmacSha256(Buffer.from('Jefe'), 'what do ya want for nothing?').toString('hex'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    assert.equal(
      Buffer.from(
        hmacSha256Base64url(Buffer.from('Jefe'), 'what do ya want for nothing?'),
        'base64url',
      ).toString('hex'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    assert.equal(
      hmacSha256(
        Buffer.alloc(131, 0xaa),
        'Test Using Larger Than Block-Size Key - Hash Key First',
      ).toString('hex'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('equals createHmac for any key and ASCII message, long ones and reused keys included', () => {
    const keys = [Buffer.alloc(32, 1), Buffer.alloc(64, 2), Buffer.alloc(65, 3)];
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...keys), fc.uint8Array({ minLength: 1, maxLength: 150 })),
        fc.oneof(
          fc.string({ unit: 'binary-ascii', maxLength: 300 }),
          fc.integer({ min: 4000, max: 9000 }).map((n) => 'a.'.repeat(n)),
        ),
        (key, message) => {
          const k = Buffer.from(key);
          const expected = createHmac('sha256', k).update(message, 'latin1').digest();
          assert.deepEqual(hmacSha256(k, message), expected);
          assert.equal(hmacSha256Base64url(k, message), expected.toString('base64url'));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

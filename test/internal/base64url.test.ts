import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeBase64url, encodeBase64url } from '../../src/internal/base64url.js';

describe('encodeBase64url', () => {
  it('encodes the RFC 4648 test vectors without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) assert.equal(encodeBase64url(plain), encoded);
  });

  it('uses - and _ instead of + and /', () => {
    assert.equal(encodeBase64url(new Uint8Array([0xfb, 0xff, 0xfe])), '-__-');
  });

  it('encodes strings as UTF-8', () => {
    assert.equal(encodeBase64url('é'), 'w6k');
  });

  it('encodes only the viewed bytes of a Uint8Array', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5]);
    assert.equal(encodeBase64url(whole.subarray(1, 3)), 'AgM');
  });
});

describe('decodeBase64url', () => {
  it('decodes canonical input', () => {
    assert.deepEqual(decodeBase64url('Zm9vYmE'), Buffer.from('fooba'));
    assert.deepEqual(decodeBase64url('-__-'), Buffer.from([0xfb, 0xff, 0xfe]));
    assert.deepEqual(decodeBase64url(''), Buffer.alloc(0));
  });

  it('rejects characters outside the base64url alphabet', () => {
    for (const s of ['+/8', 'ab/c', 'Zg==', 'Zm9v=', 'Zm 9v', 'Zm9v\n', 'Zm.9', 'Zm9é', 'Zm9v\0']) {
      assert.equal(decodeBase64url(s), undefined, JSON.stringify(s));
    }
  });

  it('rejects lengths of 4n+1', () => {
    for (const s of ['A', 'AAAAA', 'Zm9vY']) assert.equal(decodeBase64url(s), undefined, s);
  });

  it('rejects non-zero unused trailing bits (which Buffer.from silently ignores)', () => {
    assert.deepEqual(Buffer.from('Zh', 'base64url'), Buffer.from('f')); // the leniency we guard
    assert.equal(decodeBase64url('Zh'), undefined);
    assert.equal(decodeBase64url('Zm9'), undefined);
    assert.deepEqual(decodeBase64url('Zm8'), Buffer.from('fo'));
    assert.equal(decodeBase64url('Zm_'), undefined);
  });

  it('returns undefined for non-strings instead of throwing', () => {
    assert.equal(decodeBase64url(42 as unknown as string), undefined);
    assert.equal(decodeBase64url(null as unknown as string), undefined);
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = encodeBase64url(bytes);
        assert.match(encoded, /^[A-Za-z0-9_-]*$/);
        assert.deepEqual(decodeBase64url(encoded), Buffer.from(bytes));
      }),
    );
  });

  it('accepts exactly one spelling per byte string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const decoded = decodeBase64url(s);
        if (decoded !== undefined) assert.equal(encodeBase64url(decoded), s);
      }),
    );
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
          ),
          maxLength: 40,
        }),
        (s) => {
          const decoded = decodeBase64url(s);
          if (decoded !== undefined) assert.equal(encodeBase64url(decoded), s);
          else assert.ok(s.length % 4 === 1 || encodeBase64url(Buffer.from(s, 'base64url')) !== s);
        },
      ),
    );
  });
});

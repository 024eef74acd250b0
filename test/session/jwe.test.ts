import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decryptToken, encryptToken, isEncryptedToken } from '../../src/session/jwe.js';
import { KeyRing } from '../../src/session/keyring.js';
import { MAX_TOKEN_LENGTH, signToken, verifyToken } from '../../src/session/token.js';
import {
  assertDefined,
  assertRefusesDamage,
  assertRoundTrips,
  b64,
  type Codec,
  dottedParts,
  failure,
  NEW,
  newKey,
  OLD,
  oldKey,
  ring,
} from '../helpers/token-codec.js';

/** The codec of this file, for the properties every codec must have. */
const CODEC: Codec = { make: encryptToken, read: decryptToken };

/** The documented derivation, computed here independently of keyring.ts. */
function encKeyOf(secret: string): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secret),
      Buffer.alloc(0),
      'microdot-ts session encryption v1',
      32,
    ),
  );
}

/** A compact JWE built by hand, with any header and plaintext. */
function forge(header: unknown, plaintext: string | Buffer, secret: string = NEW): string {
  const protectedHeader = b64(typeof header === 'string' ? header : JSON.stringify(header));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encKeyOf(secret), iv);
  cipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
  const ciphertext = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext) : plaintext),
    cipher.final(),
  ]);
  return [protectedHeader, '', b64(iv), b64(ciphertext), b64(cipher.getAuthTag())].join('.');
}

const DIR = { alg: 'dir', enc: 'A256GCM' };

describe('encryptToken', () => {
  it('writes a compact JWE: dir + A256GCM header, empty key, 96-bit IV, 128-bit tag', () => {
    const token = encryptToken({ user: 'alice' }, newKey);
    const [header, encryptedKey, iv, ciphertext, tag] = token.split('.');
    assert.equal(
      Buffer.from(header!, 'base64url').toString(),
      `{"alg":"dir","enc":"A256GCM","kid":"${newKey.kid}"}`,
    );
    assert.equal(encryptedKey, '');
    assert.equal(Buffer.from(iv!, 'base64url').length, 12);
    assert.equal(Buffer.from(tag!, 'base64url').length, 16);
    assert.equal(Buffer.from(ciphertext!, 'base64url').length, '{"user":"alice"}'.length);
    assert.ok(!token.includes('alice'));
  });

  it('uses a fresh IV for every token', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i++) ivs.add(encryptToken({}, newKey).split('.')[2]!);
    assert.equal(ivs.size, 2000);
  });

  it('refuses payloads that are not JSON objects', () => {
    for (const bad of [null, [1], 'x']) {
      assert.throws(
        () => encryptToken(bad as unknown as Record<string, unknown>, newKey),
        TypeError,
      );
    }
  });
});

describe('isEncryptedToken', () => {
  it('tells five-part tokens from the rest', () => {
    assert.equal(isEncryptedToken(encryptToken({}, newKey)), true);
    assert.equal(isEncryptedToken(signToken({}, newKey)), false);
    assert.equal(isEncryptedToken('....'), true);
    assert.equal(isEncryptedToken('.....'), false);
    assert.equal(isEncryptedToken(''), false);
  });
});

describe('decryptToken', () => {
  it('returns the payload and the key that encrypted it', () => {
    const payload = { user: 'José 😀', n: [1, 2.5, null], ok: true };
    const result = decryptToken(encryptToken(payload, newKey), ring);
    assert.ok(result.ok);
    assert.deepEqual(result.payload, payload);
    assert.equal(result.key, newKey);
  });

  it('accepts a token of an older key of the ring, and says which', () => {
    const result = decryptToken(encryptToken({ v: 1 }, oldKey), ring);
    assert.ok(result.ok);
    assert.equal(result.key, oldKey);
  });

  it('tries every key in order when the header has no kid', () => {
    const result = decryptToken(forge(DIR, '{"v":2}', OLD), ring);
    assert.ok(result.ok);
    assert.equal(result.key, oldKey);
    assert.deepEqual(result.payload, { v: 2 });
    assert.equal(failure(decryptToken(forge(DIR, '{}', 'x'.repeat(32)), ring)), 'bad-signature');
  });

  it('tries only the named key when there is a kid', () => {
    const token = forge({ ...DIR, kid: newKey.kid }, '{}', OLD);
    assert.equal(failure(decryptToken(token, ring)), 'bad-signature');
    assert.equal(failure(decryptToken(token, new KeyRing(OLD))), 'unknown-key');
  });

  it('accepts foreign header spellings', () => {
    const result = decryptToken(
      forge({ kid: oldKey.kid, enc: 'A256GCM', alg: 'dir', typ: 'JWT' }, '{"a":1}', OLD),
      ring,
    );
    assert.ok(result.ok);
    assert.equal(result.key, oldKey);
  });

  it('reports too-large before any work', () => {
    const token = encryptToken({ a: 'x'.repeat(100) }, newKey);
    assert.equal(failure(decryptToken(token, ring, token.length - 1)), 'too-large');
    assert.equal(failure(decryptToken(token, ring, token.length)), 'ok');
    assert.equal(failure(decryptToken('.'.repeat(MAX_TOKEN_LENGTH + 1), ring)), 'too-large');
  });

  it('reports bad-signature when authentication fails', () => {
    const token = encryptToken({ admin: false }, newKey);
    const parts = token.split('.') as [string, string, string, string, string];
    const flip = (segment: string, byte = 0) => {
      const bytes = Buffer.from(segment, 'base64url');
      bytes[byte]! ^= 1;
      return b64(bytes);
    };
    const variants = [
      [parts[0], '', parts[2], flip(parts[3]), parts[4]],
      [parts[0], '', parts[2], parts[3], flip(parts[4], 15)],
      [parts[0], '', flip(parts[2], 11), parts[3], parts[4]],
      [parts[0], '', parts[2], parts[3].slice(0, -4), parts[4]],
      // Another header changes the AAD.
      [
        b64(`{"alg":"dir","enc":"A256GCM","kid":"${newKey.kid}","x":1}`),
        '',
        parts[2],
        parts[3],
        parts[4],
      ],
    ];
    for (const variant of variants) {
      assert.equal(
        failure(decryptToken(variant.join('.'), ring)),
        'bad-signature',
        variant.join('.'),
      );
    }
  });

  it('reports malformed for wrong shapes and headers', () => {
    const token = encryptToken({ a: 1 }, newKey);
    const parts = token.split('.') as [string, string, string, string, string];
    const bad = [
      '',
      '....',
      signToken({ a: 1 }, newKey),
      `${token}.`,
      [parts[0], 'AAAA', parts[2], parts[3], parts[4]].join('.'),
      [parts[0], '', b64(Buffer.alloc(16)), parts[3], parts[4]].join('.'),
      [parts[0], '', parts[2], parts[3], b64(Buffer.alloc(12))].join('.'),
      [parts[0], '', `${parts[2]}=`, parts[3], parts[4]].join('.'),
      [parts[0], '', parts[2], `${parts[3]}+`, parts[4]].join('.'),
      [`${parts[0]}=`, '', parts[2], parts[3], parts[4]].join('.'),
    ];
    for (const t of bad) assert.equal(failure(decryptToken(t, ring)), 'malformed', t);
    for (const header of [
      { alg: 'dir', enc: 'A128GCM' },
      { alg: 'A256KW', enc: 'A256GCM' },
      { alg: 'none', enc: 'A256GCM' },
      { alg: 'HS256' },
      { ...DIR, crit: ['x'], x: 1 },
      { ...DIR, zip: 'DEF' },
      { ...DIR, kid: 7 },
      [DIR],
      null,
    ]) {
      assert.equal(
        failure(decryptToken(forge(header, '{}'), ring)),
        'malformed',
        JSON.stringify(header),
      );
    }
    assert.equal(failure(decryptToken(forge('not json', '{}'), ring)), 'malformed');
    assert.equal(failure(decryptToken(undefined as unknown as string, ring)), 'malformed');
  });

  it('reports malformed for authentic plaintexts that are not JSON objects or not UTF-8', () => {
    for (const plaintext of ['[1]', 'null', '7', '', '{"a"']) {
      assert.equal(failure(decryptToken(forge(DIR, plaintext), ring)), 'malformed', plaintext);
    }
    assert.equal(
      failure(decryptToken(forge(DIR, Buffer.from([0x7b, 0xff, 0x7d])), ring)),
      'malformed',
    );
  });

  it('does not mix up signed and encrypted tokens', () => {
    assert.equal(failure(verifyToken(encryptToken({ a: 1 }, newKey), ring)), 'malformed');
    assert.equal(failure(decryptToken(signToken({ a: 1 }, newKey), ring)), 'malformed');
  });

  it('never throws for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        assertDefined(decryptToken(s, ring));
        assert.equal(typeof isEncryptedToken(s), 'boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(dottedParts({ min: 5, max: 5 }, 40), (text) =>
        assertDefined(decryptToken(text, ring)),
      ),
    );
  });

  it('never accepts a mutated, truncated or bit-flipped token', () => {
    assertRefusesDamage(CODEC, 4);
  });

  it('reports too-large for any oversized string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), (s) => {
        const huge = s.repeat(Math.ceil((MAX_TOKEN_LENGTH + 1) / s.length));
        assert.equal(failure(decryptToken(huge, ring)), 'too-large');
      }),
      { numRuns: 100 },
    );
  });

  it('round-trips any JSON object payload', () => {
    assertRoundTrips(CODEC);
  });
});

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KeyRing } from '../../src/session/keyring.js';
import { MAX_TOKEN_LENGTH, pythonJson, signToken, verifyToken } from '../../src/session/token.js';
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
const CODEC: Codec = { make: signToken, read: verifyToken };

/** A token built by hand (independently of signToken), with any header and payload text. */
function forge(header: unknown, payload: string | Buffer, secret: string = NEW): string {
  const headerText = typeof header === 'string' ? header : JSON.stringify(header);
  const input = `${b64(headerText)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('signToken', () => {
  it('writes the PyJWT header with the kid, sorted keys and no spaces', () => {
    const [header] = signToken({ a: 1 }, newKey).split('.');
    assert.equal(
      Buffer.from(header!, 'base64url').toString(),
      `{"alg":"HS256","kid":"${newKey.kid}","typ":"JWT"}`,
    );
  });

  it('signs header.payload with HMAC-SHA256 over the raw secret', () => {
    const token = signToken({ user: 'alice', count: 42 }, newKey);
    const [header, payload, signature] = token.split('.');
    assert.equal(Buffer.from(payload!, 'base64url').toString(), '{"user":"alice","count":42}');
    assert.equal(
      signature,
      createHmac('sha256', NEW).update(`${header}.${payload}`).digest('base64url'),
    );
    assert.equal(
      token,
      forge(
        JSON.parse(Buffer.from(header!, 'base64url').toString()),
        '{"user":"alice","count":42}',
      ),
    );
  });

  it('refuses payloads that are not JSON objects', () => {
    for (const bad of [null, [1], 'x', 3]) {
      assert.throws(() => signToken(bad as unknown as Record<string, unknown>, newKey), TypeError);
    }
  });
});

describe('pythonJson (json.dumps with separators=(",", ":"))', () => {
  it('escapes non-ASCII as lower-case \\uXXXX, astral characters as surrogate pairs', () => {
    assert.equal(pythonJson({ n: 'José' }), '{"n":"Jos\\u00e9"}');
    assert.equal(pythonJson({ e: '😀' }), '{"e":"\\ud83d\\ude00"}');
    assert.equal(pythonJson({ k: '日本' }), '{"k":"\\u65e5\\u672c"}');
    assert.equal(pythonJson({ clé: 1 }), '{"cl\\u00e9":1}');
  });

  it('escapes DEL and controls like Python, and leaves / alone', () => {
    assert.equal(pythonJson({ s: '\u007f\u001f\n\t"\\/' }), '{"s":"\\u007f\\u001f\\n\\t\\"\\\\/"}');
  });

  it('escapes lone surrogates like Python', () => {
    assert.equal(pythonJson({ s: '\ud800x' }), '{"s":"\\ud800x"}');
  });

  it('spells small floats as Python repr does', () => {
    assert.equal(
      pythonJson({ a: 0.0001, b: 0.00001, c: -1.5e-7, d: 1e-10 }),
      '{"a":0.0001,"b":1e-05,"c":-1.5e-07,"d":1e-10}',
    );
    assert.equal(pythonJson({ a: 0.000012345 }), '{"a":1.2345e-05}');
    assert.equal(pythonJson({ a: 1e21, b: 42, c: 2.5, d: -0 }), '{"a":1e+21,"b":42,"c":2.5,"d":0}');
  });

  it('does not touch number-like text inside strings', () => {
    assert.equal(pythonJson({ 's0.00001': '1e-7 0.00001' }), '{"s0.00001":"1e-7 0.00001"}');
  });
});

describe('verifyToken', () => {
  it('returns the payload and the key that signed it', () => {
    const payload = { user: 'alice', count: 42, nested: { list: [1, 'two', null, true] } };
    const result = verifyToken(signToken(payload, newKey), ring);
    assert.ok(result.ok);
    assert.deepEqual(result.payload, payload);
    assert.equal(result.key, newKey);
  });

  it('accepts a token signed by an older key of the ring, and says which', () => {
    const result = verifyToken(signToken({ v: 1 }, oldKey), ring);
    assert.ok(result.ok);
    assert.equal(result.key, oldKey);
  });

  it('tries every key, in order, for tokens without kid (Python Microdot)', () => {
    const header = { alg: 'HS256', typ: 'JWT' };
    const byOld = verifyToken(forge(header, '{"v":2}', OLD), ring);
    assert.ok(byOld.ok);
    assert.equal(byOld.key, oldKey);
    assert.deepEqual(byOld.payload, { v: 2 });
    const byNew = verifyToken(forge(header, '{"v":3}', NEW), ring);
    assert.ok(byNew.ok);
    assert.equal(byNew.key, newKey);
    assert.equal(failure(verifyToken(forge(header, '{}', 'x'.repeat(32)), ring)), 'bad-signature');
  });

  it('tries only the named key when there is a kid', () => {
    // Signed by OLD but claiming NEW's kid: OLD is in the ring, yet it must not be tried.
    const token = forge({ alg: 'HS256', kid: newKey.kid, typ: 'JWT' }, '{}', OLD);
    assert.equal(failure(verifyToken(token, ring)), 'bad-signature');
    assert.equal(failure(verifyToken(token, new KeyRing(OLD))), 'unknown-key');
  });

  it('accepts foreign header spellings', () => {
    const token = forge({ typ: 'JWT', kid: oldKey.kid, alg: 'HS256', extra: 1 }, '{"a":1}', OLD);
    const result = verifyToken(token, ring);
    assert.ok(result.ok);
    assert.equal(result.key, oldKey);
  });

  it('reports unknown-key for a kid that is not in the ring', () => {
    const token = signToken({ a: 1 }, new KeyRing('z'.repeat(32)).current);
    assert.equal(failure(verifyToken(token, ring)), 'unknown-key');
  });

  it('reports too-large before any work', () => {
    const token = signToken({ a: 'x'.repeat(100) }, newKey);
    assert.equal(failure(verifyToken(token, ring, token.length - 1)), 'too-large');
    assert.equal(failure(verifyToken(token, ring, token.length)), 'ok');
    assert.equal(failure(verifyToken('a'.repeat(MAX_TOKEN_LENGTH + 1), ring)), 'too-large');
    const big = signToken({ a: 'x'.repeat(MAX_TOKEN_LENGTH) }, newKey);
    assert.equal(failure(verifyToken(big, ring)), 'too-large');
    assert.equal(failure(verifyToken(big, ring, Number.POSITIVE_INFINITY)), 'ok');
  });

  it('reports bad-signature for tampering and wrong keys', () => {
    const token = signToken({ admin: false }, newKey);
    const [h, , s] = token.split('.');
    assert.equal(failure(verifyToken(`${h}.${b64('{"admin":true}')}.${s}`, ring)), 'bad-signature');
    assert.equal(
      failure(verifyToken(`${h}.${b64('{"admin":false}')}.${b64(Buffer.alloc(32))}`, ring)),
      'bad-signature',
    );
    // A signature of the wrong length (HS512-sized, or truncated) is a bad signature.
    assert.equal(
      failure(
        verifyToken(`${token.slice(0, token.lastIndexOf('.'))}.${b64(Buffer.alloc(64))}`, ring),
      ),
      'bad-signature',
    );
    assert.equal(
      failure(verifyToken(`${token.slice(0, token.lastIndexOf('.'))}.${s!.slice(0, 40)}`, ring)),
      'bad-signature',
    );
    assert.equal(
      failure(verifyToken(`${token.slice(0, token.lastIndexOf('.'))}.`, ring)),
      'bad-signature',
    );
  });

  it('checks the signature before parsing the payload', () => {
    // Not JSON, and not signed: the signature decides.
    const token = forge({ alg: 'HS256' }, 'not json', 'x'.repeat(32));
    assert.equal(failure(verifyToken(token, ring)), 'bad-signature');
    assert.equal(failure(verifyToken(forge({ alg: 'HS256' }, 'not json'), ring)), 'malformed');
  });

  it('reports malformed for wrong shapes', () => {
    const token = signToken({ a: 1 }, newKey);
    for (const bad of [
      '',
      '.',
      '..',
      'a.b',
      `${token}.x`,
      `${token}.`,
      token.replace('.', ''),
      'a.b.c',
    ]) {
      assert.equal(failure(verifyToken(bad, ring)), 'malformed', bad);
    }
    assert.equal(failure(verifyToken(undefined as unknown as string, ring)), 'malformed');
    assert.equal(failure(verifyToken(42 as unknown as string, ring)), 'malformed');
  });

  it('reports malformed for non-canonical or non-base64url segments', () => {
    const token = signToken({ a: 1 }, newKey);
    const [h, p, s] = token.split('.') as [string, string, string];
    assert.equal(failure(verifyToken(`${h}=.${p}.${s}`, ring)), 'malformed');
    assert.equal(failure(verifyToken(`${h}.${p}=.${s}`, ring)), 'malformed');
    assert.equal(failure(verifyToken(`${h}.${p}.${s}=`, ring)), 'malformed');
    assert.equal(failure(verifyToken(`${h}.${p.replace(/-/g, '+')}x.${s}`, ring)), 'malformed');
    // 43 characters carry 32 bytes and 2 unused bits: setting them gives another spelling.
    const last = s.charCodeAt(42);
    const sibling = s.slice(0, 42) + String.fromCharCode(last === 65 ? 66 : last ^ 1);
    assert.equal(failure(verifyToken(`${h}.${p}.${sibling}`, ring)), 'malformed');
  });

  it('pins HS256 and refuses headers it does not implement', () => {
    const headers: unknown[] = [
      { alg: 'none' },
      { alg: 'HS512' },
      { alg: 'hs256' },
      { typ: 'JWT' },
      { alg: 'HS256', crit: ['exp'], exp: 1 },
      { alg: 'HS256', b64: false, crit: ['b64'] },
      { alg: 'HS256', b64: false },
      { alg: 'HS256', enc: 'A256GCM' },
      { alg: 'HS256', zip: 'DEF' },
      { alg: 'HS256', cty: 'JWT' },
      { alg: 'HS256', kid: 42 },
      { alg: ['HS256'] },
      ['HS256'],
      null,
      'HS256',
    ];
    for (const header of headers) {
      assert.equal(
        failure(verifyToken(forge(header, '{"a":1}'), ring)),
        'malformed',
        JSON.stringify(header),
      );
    }
    assert.equal(failure(verifyToken(forge('not json', '{"a":1}'), ring)), 'malformed');
    assert.equal(failure(verifyToken(forge({ alg: 'HS256', b64: true }, '{"a":1}'), ring)), 'ok');
    assert.equal(failure(verifyToken(forge({ alg: 'HS256', cty: 'json' }, '{"a":1}'), ring)), 'ok');
  });

  it('refuses alg none, with or without a signature', () => {
    const header = b64('{"alg":"none","typ":"JWT"}');
    assert.equal(failure(verifyToken(`${header}.${b64('{"a":1}')}.`, ring)), 'malformed');
  });

  it('reports malformed for validly signed payloads that are not JSON objects or not UTF-8', () => {
    for (const payload of ['[1,2]', 'null', '42', '"s"', 'true', '{"a":', '', '{"a":1}x']) {
      assert.equal(
        failure(verifyToken(forge({ alg: 'HS256' }, payload), ring)),
        'malformed',
        payload,
      );
    }
    const latin1 = Buffer.from('{"a":"\xe9"}', 'latin1');
    assert.equal(failure(verifyToken(forge({ alg: 'HS256' }, latin1), ring)), 'malformed');
  });

  it('keeps __proto__ a plain data key', () => {
    const result = verifyToken(forge({ alg: 'HS256' }, '{"__proto__":{"admin":true}}'), ring);
    assert.ok(result.ok);
    assert.equal(Object.getPrototypeOf(result.payload), Object.prototype);
    assert.equal((result.payload as { admin?: unknown }).admin, undefined);
  });

  it('never throws for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        assertDefined(verifyToken(s, ring));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(dottedParts({ min: 1, max: 6 }, 60), (text) =>
        assertDefined(verifyToken(text, ring)),
      ),
    );
  });

  it('never accepts a mutated, truncated or bit-flipped token', () => {
    assertRefusesDamage(CODEC, 5);
  });

  it('reports too-large for any oversized string, whatever it holds', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
        fc.nat(5000),
        (s, extra) => {
          const huge = s.repeat(Math.ceil((MAX_TOKEN_LENGTH + 1 + extra) / s.length));
          assert.equal(failure(verifyToken(huge, ring)), 'too-large');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('round-trips any JSON object payload', () => {
    assertRoundTrips(CODEC);
  });
});

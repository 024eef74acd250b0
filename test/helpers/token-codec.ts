// What the tests of the two token codecs share (token.ts signs, jwe.ts encrypts): a key ring of
// two secrets, the failure reasons a result may give, and fast-check arbitraries for the
// properties every codec must have (never throw, never accept a damaged token, round trip).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyRing, type SessionKey } from '../../src/session/keyring.js';
import type { TokenFailure, VerifyResult } from '../../src/session/token.js';

export const NEW = 'the-new-secret-key-0123456789-abcdef';
export const OLD = 'the-old-secret-key-0123456789-abcdef';
/** The ring both codecs verify with: NEW signs or encrypts, OLD is still accepted. */
export const ring = new KeyRing([NEW, OLD]);
export const [newKey, oldKey] = ring.keys as [(typeof ring.keys)[0], (typeof ring.keys)[0]];

/** base64url of `data` (text as UTF-8). */
export const b64 = (data: string | Buffer) =>
  (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');

/** 'ok', or the reason a result gives for refusing. */
export function failure(result: VerifyResult): TokenFailure | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

const REASONS = new Set(['malformed', 'too-large', 'bad-signature', 'unknown-key']);

/** Checks that `result` is one a codec may give: a payload and a key of the ring, or a reason. */
export function assertDefined(result: VerifyResult): void {
  assert.equal(typeof result, 'object');
  if (result.ok) {
    assert.equal(typeof result.payload, 'object');
    assert.ok(ring.keys.includes(result.key));
  } else {
    assert.ok(REASONS.has(result.reason), String(result.reason));
  }
}

/** `parts` strings of token characters (and `=+/`), each up to `maxLength`, joined by dots. */
export function dottedParts(parts: { min: number; max: number }, maxLength: number) {
  return fc
    .array(
      fc.string({
        unit: fc.constantFrom(
          ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/',
        ),
        maxLength,
      }),
      { minLength: parts.min, maxLength: parts.max },
    )
    .map((list) => list.join('.'));
}

/** One way to damage a token at `at` (modulo its length), see {@link damage}. */
export interface Damage {
  at: number;
  bit: number;
  how: 'flip' | 'cut' | 'insert' | 'delete' | 'replace';
  extra: string;
}

/** Any {@link Damage}: a flipped bit, a cut, 1 to 3 characters inserted, deleted or replaced. */
export const DAMAGE: fc.Arbitrary<Damage> = fc.record({
  at: fc.nat(),
  bit: fc.nat(15),
  how: fc.constantFrom('flip', 'cut', 'insert', 'delete', 'replace'),
  extra: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
});

/** `token` with `d` done to it (which may, rarely, leave it as it was). */
export function damage(token: string, d: Damage): string {
  const i = d.at % token.length;
  switch (d.how) {
    case 'flip':
      return (
        token.slice(0, i) +
        String.fromCharCode(token.charCodeAt(i) ^ (1 << d.bit)) +
        token.slice(i + 1)
      );
    case 'cut':
      return token.slice(0, i);
    case 'insert':
      return token.slice(0, i) + d.extra + token.slice(i);
    case 'delete':
      return token.slice(0, i) + token.slice(i + 1);
    case 'replace':
      return token.slice(0, i) + d.extra + token.slice(i + d.extra.length);
  }
}

/** Any JSON object: dictionaries of any keys, and the objects among JSON values. */
export const JSON_OBJECT: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
  fc
    .jsonValue()
    .filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)) as fc.Arbitrary<
    Record<string, unknown>
  >,
);

/** A codec under test: how it makes a token, and how it reads one with the ring. */
export interface Codec {
  make(payload: Record<string, unknown>, key: SessionKey): string;
  read(token: string, ring: KeyRing, maxLength?: number): VerifyResult;
}

/** Property: whatever is done to a token (of a payload with up to `maxKeys` keys), it is refused. */
export function assertRefusesDamage(codec: Codec, maxKeys: number): void {
  const payloads = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys });
  fc.assert(
    fc.property(payloads, fc.boolean(), DAMAGE, (payload, useOld, d) => {
      const token = codec.make(payload, useOld ? oldKey : newKey);
      const mutated = damage(token, d);
      const result = codec.read(mutated, ring);
      assertDefined(result);
      if (mutated !== token) assert.equal(result.ok, false, mutated);
    }),
    { numRuns: 1500 },
  );
}

/** Property: any JSON object comes back as JSON would give it, with the key that made it. */
export function assertRoundTrips(codec: Codec): void {
  fc.assert(
    fc.property(JSON_OBJECT, fc.boolean(), (payload, useOld) => {
      const key = useOld ? oldKey : newKey;
      const result = codec.read(codec.make(payload, key), ring, Number.POSITIVE_INFINITY);
      assert.ok(result.ok);
      assert.equal(result.key, key);
      assert.deepEqual(result.payload, JSON.parse(JSON.stringify(payload)));
    }),
    { numRuns: 500 },
  );
}

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { hkdfSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compactVerify, EncryptJWT, jwtDecrypt, jwtVerify, SignJWT } from 'jose';
import { decryptToken, encryptToken } from '../../src/session/jwe.js';
import { KeyRing } from '../../src/session/keyring.js';
import { signToken, verifyToken } from '../../src/session/token.js';

/** The repository root (this file runs from dist/test/session/, fixtures live in the source). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test file');
    dir = parent;
  }
  return dir;
}

const ROOT = repoRoot();
const PYTHON = '/usr/bin/python3';

const SECRET = 'interop-secret-key-0123456789-abcdef';
const OLD_SECRET = 'interop-old-secret-0123456789-abcdef';
const ring = new KeyRing([SECRET, OLD_SECRET]);
const key = ring.current;
const secretBytes = new Uint8Array(Buffer.from(SECRET));

/** The documented derivation, computed here from its parameters, not taken from keyring.ts. */
const encKey = new Uint8Array(
  hkdfSync('sha256', Buffer.from(SECRET), Buffer.alloc(0), 'microdot-ts session encryption v1', 32),
);

type PyRequest =
  | { op: 'encode'; key: string; payload: unknown; kid?: string }
  | { op: 'decode'; key: string; token: string };
type PyResult = { token?: string; payload?: unknown; error?: string };

/** Runs many requests through PyJWT in one process (test/interop/pyjwt_tool.py). */
function pyjwt(requests: PyRequest[]): PyResult[] {
  const out = execFileSync(PYTHON, [join(ROOT, 'test/interop/pyjwt_tool.py')], {
    input: JSON.stringify(requests),
    maxBuffer: 64 * 1024 * 1024,
  });
  const results = JSON.parse(out.toString('utf8')) as PyResult[];
  assert.equal(results.length, requests.length);
  return results;
}

const pyKey = Buffer.from(SECRET).toString('base64url');

/** What JSON carries of a value (drops undefined, turns -0 into 0). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

// Keys that PyJWT validates as registered claims; the session layer owns their meaning.
const CLAIMS = new Set(['exp', 'nbf', 'iat', 'aud', 'iss']);
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: codeUnit }));
const payloadArb = fc
  .dictionary(anyString, fc.jsonValue({ stringUnit: 'binary' }), { maxKeys: 8 })
  .filter((p) => !Object.keys(p).some((k) => CLAIMS.has(k)));

const FIXED_PAYLOADS: Record<string, unknown>[] = [
  { user: 'alice', count: 42, iat: 1700000000, exp: 4102444800 },
  { name: 'José', city: 'Zürich', emoji: '😀👍🏽', cjk: '日本語', del: '\u007f', ctl: '\u0001\n' },
  { floats: [0.1, 0.0001, 0.00001, 1.5e-7, 1e-300, 5e-324, 1e21, 1.7976931348623157e308, -2.5e-5] },
  { big: 12345678901234567000, neg: -9007199254740991, zero: -0, nested: { a: [{ b: null }] } },
  { lone: '\ud800 \udfff', quote: '"\\/', empty: '', '': 'empty key', '10': 'numeric key' },
];

describe('interop with jose', () => {
  it('jose verifies our signed tokens with the raw secret', async () => {
    const payload = { user: 'alice', count: 42, exp: Math.floor(Date.now() / 1000) + 60 };
    const token = signToken(payload, key);
    const { payload: verified, protectedHeader } = await jwtVerify(token, secretBytes, {
      algorithms: ['HS256'],
    });
    assert.deepEqual(verified, payload);
    assert.deepEqual(protectedHeader, { alg: 'HS256', kid: key.kid, typ: 'JWT' });
    await assert.rejects(jwtVerify(token, new Uint8Array(32), { algorithms: ['HS256'] }));
  });

  it('jose verifies our signed tokens for any JSON object payload', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, async (payload) => {
        const { payload: bytes } = await compactVerify(signToken(payload, key), secretBytes);
        assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), asJson(payload));
      }),
      { numRuns: 200 },
    );
  });

  it('jose decrypts our encrypted tokens with the HKDF-derived key', async () => {
    const payload = { user: 'zoë', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 60 };
    const { payload: decrypted, protectedHeader } = await jwtDecrypt(
      encryptToken(payload, key),
      encKey,
    );
    assert.deepEqual(decrypted, payload);
    assert.deepEqual(protectedHeader, { alg: 'dir', enc: 'A256GCM', kid: key.kid });
  });

  it('we accept jose-signed tokens, with and without kid', async () => {
    const withKid = await new SignJWT({ user: 'alice', n: 1 })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setIssuedAt()
      .sign(secretBytes);
    const a = verifyToken(withKid, ring);
    assert.ok(a.ok);
    assert.equal(a.key, key);
    assert.equal(a.payload.user, 'alice');

    const withoutKid = await new SignJWT({ user: 'bob' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new Uint8Array(Buffer.from(OLD_SECRET)));
    const b = verifyToken(withoutKid, ring);
    assert.ok(b.ok);
    assert.equal(b.key, ring.keys[1]);
    assert.deepEqual(b.payload, { user: 'bob' });

    const other = await new SignJWT({ user: 'mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new Uint8Array(32));
    assert.deepEqual(verifyToken(other, ring), { ok: false, reason: 'bad-signature' });
    const hs512 = await new SignJWT({ user: 'mallory' })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(new Uint8Array(Buffer.from(SECRET.repeat(2))));
    assert.deepEqual(verifyToken(hs512, ring), { ok: false, reason: 'malformed' });
  });

  it('we accept jose-encrypted tokens, with and without kid', async () => {
    const withKid = await new EncryptJWT({ user: 'alice' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid })
      .encrypt(encKey);
    const a = decryptToken(withKid, ring);
    assert.ok(a.ok);
    assert.equal(a.key, key);
    assert.deepEqual(a.payload, { user: 'alice' });

    const withoutKid = await new EncryptJWT({ user: 'bob' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(encKey);
    const b = decryptToken(withoutKid, ring);
    assert.ok(b.ok);
    assert.deepEqual(b.payload, { user: 'bob' });

    const wrongKey = await new EncryptJWT({ user: 'mallory' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(new Uint8Array(32));
    assert.deepEqual(decryptToken(wrongKey, ring), { ok: false, reason: 'bad-signature' });
  });
});

describe('interop with PyJWT (Python Microdot)', () => {
  const randomPayloads = fc.sample(payloadArb, 300);
  const payloads = [...FIXED_PAYLOADS, ...randomPayloads];

  it('PyJWT decodes our tokens, and refuses tampered ones', () => {
    const tokens = payloads.map((p) => signToken(p, key));
    const tampered = `${tokens[0]!.slice(0, -2)}AA`;
    const results = pyjwt([
      ...tokens.map((token): PyRequest => ({ op: 'decode', key: pyKey, token })),
      { op: 'decode', key: pyKey, token: tampered },
    ]);
    payloads.forEach((payload, i) => {
      assert.equal(results[i]!.error, undefined, JSON.stringify(payload));
      assert.deepEqual(results[i]!.payload, asJson(payload), JSON.stringify(payload));
    });
    assert.equal(results.at(-1)!.error, 'InvalidSignatureError');
  });

  it("PyJWT's tokens with headers={'kid': kid} are byte-identical to ours", () => {
    const results = pyjwt(
      payloads.map((payload) => ({ op: 'encode', key: pyKey, payload, kid: key.kid })),
    );
    payloads.forEach((payload, i) => {
      assert.equal(results[i]!.token, signToken(payload, key), JSON.stringify(payload));
    });
  });

  it("we accept PyJWT's tokens, without kid as Python Microdot makes them", () => {
    const oldPyKey = Buffer.from(OLD_SECRET).toString('base64url');
    const results = pyjwt(
      payloads.flatMap((payload): PyRequest[] => [
        { op: 'encode', key: pyKey, payload },
        { op: 'encode', key: oldPyKey, payload },
      ]),
    );
    payloads.forEach((payload, i) => {
      for (const [j, expected] of [ring.keys[0], ring.keys[1]].entries()) {
        const token = results[2 * i + j]!.token!;
        assert.equal(
          Buffer.from(token.split('.')[0]!, 'base64url').toString(),
          '{"alg":"HS256","typ":"JWT"}',
        );
        const result = verifyToken(token, ring, Number.POSITIVE_INFINITY);
        assert.ok(result.ok, JSON.stringify(payload));
        assert.equal(result.key, expected);
        assert.deepEqual(result.payload, asJson(payload));
      }
    });
  });
});

describe('committed test vectors (test/vectors/tokens.json)', () => {
  type Vector = {
    description: string;
    secret: string;
    kid?: string;
    payload: Record<string, unknown>;
    token: string;
  };
  const path = join(ROOT, 'test/vectors/tokens.json');
  const vectors = JSON.parse(readFileSync(path, 'utf8')) as { jws: Vector[]; jwe: Vector[] };

  it('has signed vectors with and without kid, with non-ASCII data, and encrypted ones', () => {
    assert.ok(vectors.jws.some((v) => v.kid !== undefined));
    assert.ok(vectors.jws.some((v) => v.kid === undefined));
    assert.ok(vectors.jws.some((v) => /[^\x20-\x7e]/.test(JSON.stringify(v.payload))));
    assert.ok(vectors.jwe.length > 0);
  });

  it('match our codec', () => {
    for (const v of vectors.jws) {
      const vectorRing = new KeyRing(v.secret);
      const result = verifyToken(v.token, vectorRing);
      assert.ok(result.ok, v.description);
      assert.deepEqual(result.payload, v.payload, v.description);
      if (v.kid !== undefined) {
        assert.equal(vectorRing.current.kid, v.kid, v.description);
        assert.equal(signToken(v.payload, vectorRing.current), v.token, v.description);
      }
    }
    for (const v of vectors.jwe) {
      const vectorRing = new KeyRing(v.secret);
      assert.equal(vectorRing.current.kid, v.kid, v.description);
      const result = decryptToken(v.token, vectorRing);
      assert.ok(result.ok, v.description);
      assert.deepEqual(result.payload, v.payload, v.description);
    }
  });

  it('pass the Python checker (PyJWT + cryptography) on the same file', () => {
    const run = spawnSync(PYTHON, [join(ROOT, 'test/interop/check_vectors.py'), path], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const count = vectors.jws.length + vectors.jwe.length;
    assert.match(run.stdout, new RegExp(`^${count} vectors, 0 failed$`, 'm'));
  });
});

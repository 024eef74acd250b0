/**
 * Micro-benchmark of the session token codec against raw HMAC and jose.
 * Run: `npm run bench:codec`. Each case first checks that its result is right.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, jwtVerify, SignJWT } from 'jose';
import { decryptToken, encryptToken } from '../src/session/jwe.js';
import { KeyRing } from '../src/session/keyring.js';
import { MAX_TOKEN_LENGTH, signToken, verifyToken } from '../src/session/token.js';
import { VerifiedTokens } from '../src/session/verified-tokens.js';
import { measure } from './measure.js';

const ring = new KeyRing('bench-secret-bench-secret-bench-secret-0123');
const key = ring.current;
const now = Math.floor(Date.now() / 1000);
const payload = { user: 'alice', count: 42, iat: now, exp: now + 3600 };

async function measureAsync(fn: () => Promise<unknown>, iterations: number, rounds = 5) {
  for (let i = 0; i < iterations / 10; i++) await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / iterations / 1000);
  }
  return best;
}

const rows: [string, number][] = [];

// Raw HMAC-SHA256 over a token-sized input: the floor for sign and verify.
const token = signToken(payload, key);
const input = token.slice(0, token.lastIndexOf('.'));
assert.equal(
  createHmac('sha256', key.hmacKey).update(input).digest('base64url'),
  token.slice(token.lastIndexOf('.') + 1),
);
rows.push([
  'raw HMAC-SHA256 (node:crypto)',
  measure(() => createHmac('sha256', key.hmacKey).update(input).digest(), 100_000),
]);

const checked = verifyToken(token, ring);
assert.ok(checked.ok && checked.key === key);
assert.deepEqual(checked.ok && checked.payload, payload);
rows.push(['signToken', measure(() => signToken(payload, key), 100_000)]);
rows.push(['verifyToken', measure(() => verifyToken(token, ring), 100_000)]);

const encrypted = encryptToken(payload, key);
const opened = decryptToken(encrypted, ring);
assert.ok(opened.ok && opened.key === key);
assert.deepEqual(opened.ok && opened.payload, payload);
rows.push(['encryptToken', measure(() => encryptToken(payload, key), 50_000)]);
rows.push(['decryptToken', measure(() => decryptToken(encrypted, ring), 50_000)]);

// The same token seen again, with the verified-token memo a Session keeps (verifyCache).
const memo = new VerifiedTokens(1000);
const again = verifyToken(token, ring, MAX_TOKEN_LENGTH, memo);
assert.deepEqual(again, checked);
assert.equal(memo.size, 1);
rows.push([
  'verifyToken, token seen before (memo)',
  measure(() => verifyToken(token, ring, MAX_TOKEN_LENGTH, memo), 100_000),
]);
assert.deepEqual(decryptToken(encrypted, ring, MAX_TOKEN_LENGTH, memo), opened);
rows.push([
  'decryptToken, token seen before (memo)',
  measure(() => decryptToken(encrypted, ring, MAX_TOKEN_LENGTH, memo), 100_000),
]);

// jose, for comparison (same secret, same derived encryption key).
const secret = new Uint8Array(key.secret);
const encKey = new Uint8Array(key.encKey.export());
const joseSign = () =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' }).sign(secret);
assert.equal(await joseSign(), token);
const joseVerified = await jwtVerify(token, secret, { algorithms: ['HS256'] });
assert.deepEqual(joseVerified.payload, payload);
const plaintext = new TextEncoder().encode(JSON.stringify(payload));
const joseEncrypt = () =>
  new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid })
    .encrypt(encKey);
assert.ok(decryptToken(await joseEncrypt(), ring).ok);
assert.deepEqual((await compactDecrypt(encrypted, encKey)).plaintext, plaintext);

rows.push(['jose SignJWT', await measureAsync(joseSign, 20_000)]);
rows.push(['jose jwtVerify', await measureAsync(() => jwtVerify(token, secret), 20_000)]);
rows.push(['jose CompactEncrypt', await measureAsync(joseEncrypt, 20_000)]);
rows.push([
  'jose compactDecrypt',
  await measureAsync(() => compactDecrypt(encrypted, encKey), 20_000),
]);

console.log(`payload ${JSON.stringify(payload)}; token ${token.length} chars\n`);
for (const [name, us] of rows) console.log(`${name.padEnd(40)} ${us.toFixed(2).padStart(7)} µs/op`);

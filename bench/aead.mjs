// `node bench/aead.mjs` (after `npm run bench:install`): the per-call cost of the authenticated
// encryption each side of the encrypted-session comparison uses, on a 120-byte payload: Node's
// AES-256-GCM, which microdot-ts's JWE (`dir` + A256GCM) runs through a new cipher object per
// token, against libsodium's secretbox, which @fastify/secure-session calls through the native
// `sodium-native`. It explains most of what separates the two in `npm run bench` (issue #17).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

// The sodium-native that @fastify/secure-session itself loads (a dependency of it, not of ours).
const benchRequire = createRequire(new URL('./package.json', import.meta.url));
const sodium = createRequire(benchRequire.resolve('@fastify/secure-session'))('sodium-native');
const CALLS = Number(process.env.AEAD_CALLS ?? 200_000);
const key = randomBytes(32);
const iv = randomBytes(12);
const aad = Buffer.from('eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0');
const plaintext = Buffer.alloc(120, 7);

function gcmSeal() {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { body, tag: cipher.getAuthTag() };
}
const sealed = gcmSeal();
function gcmOpen() {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.body), decipher.final()]);
}

const boxKey = randomBytes(sodium.crypto_secretbox_KEYBYTES);
// A fresh random nonce for every box, as @fastify/secure-session makes them.
function boxSeal() {
  const nonce = Buffer.alloc(sodium.crypto_secretbox_NONCEBYTES);
  sodium.randombytes_buf(nonce);
  const box = Buffer.alloc(plaintext.length + sodium.crypto_secretbox_MACBYTES);
  sodium.crypto_secretbox_easy(box, plaintext, nonce, boxKey);
  return { box, nonce };
}
const { box, nonce } = boxSeal();
function boxOpen() {
  const out = Buffer.alloc(plaintext.length);
  if (!sodium.crypto_secretbox_open_easy(out, box, nonce, boxKey)) throw new Error('open failed');
  return out;
}

// Both must round-trip before anything is timed.
if (!gcmOpen().equals(plaintext) || !boxOpen().equals(plaintext)) throw new Error('round trip');
const cases = [
  ['AES-256-GCM seal (node:crypto)', gcmSeal],
  ['AES-256-GCM open (node:crypto)', gcmOpen],
  ['secretbox seal (sodium-native)', boxSeal],
  ['secretbox open (sodium-native)', boxOpen],
];
const best = new Map();
// Three passes, alternating, keeping each one's best: this VM's speed drifts.
for (let pass = 0; pass < 3; pass++) {
  for (const [name, run] of cases) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) run();
    const micros = Number(process.hrtime.bigint() - start) / CALLS / 1000;
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, micros));
  }
}
for (const [name, micros] of best) console.log(`${name.padEnd(32)} ${micros.toFixed(2)} µs/call`);

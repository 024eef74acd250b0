import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import { Session, type SessionOptions } from '../../src/session/index.js';
import { decryptToken, encryptToken } from '../../src/session/jwe.js';
import { KeyRing } from '../../src/session/keyring.js';
import { MAX_TOKEN_LENGTH, signToken, verifyToken } from '../../src/session/token.js';
import { MAX_MEMO_INPUT, TUNE_WINDOW, VerifiedTokens } from '../../src/session/verified-tokens.js';
import { MODES } from '../helpers/clients.js';
import { sessionApp } from '../helpers/session-app.js';

// The memo of verified tokens must never change an outcome: whatever the token, verifying with a
// memo (primed with valid tokens) gives exactly what verifying without one gives.

const NEW = 'memo-test-new-secret-0123456789-abcdef';
const OLD = 'memo-test-old-secret-0123456789-abcdef';
const OTHER = 'memo-test-other-secret-0123456789-abcd';
const ring = new KeyRing([NEW, OLD]);
const [newKey, oldKey] = ring.keys as [(typeof ring.keys)[0], (typeof ring.keys)[0]];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A kid-less HS256 token built by hand, as PyJWT or Python Microdot would send it. */
function pyjwtStyle(payload: object, secret: string): string {
  const input = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Alters `token` at `at` (modulo its length) in one of several hostile ways. */
function mutate(token: string, how: string, at: number, junk: string, other: string): string {
  const i = at % token.length;
  switch (how) {
    case 'flip': {
      const c = token[i] === 'A' ? 'B' : 'A';
      return token.slice(0, i) + c + token.slice(i + 1);
    }
    case 'cut':
      return token.slice(0, i);
    case 'insert':
      return token.slice(0, i) + junk + token.slice(i);
    case 'delete':
      return token.slice(0, i) + token.slice(i + 1);
    case 'swap-last-part':
      // This token's protected parts with another valid token's signature or tag.
      return token.slice(0, token.lastIndexOf('.')) + other.slice(other.lastIndexOf('.'));
    default:
      return token;
  }
}

/**
 * A memo of `capacity` entries, awake (remembering every token) or driven quiet (remembering and
 * looking up only a sample) by tokens issued and never sent back.
 */
function memoOf(capacity: number, quiet: boolean): VerifiedTokens {
  const memo = new VerifiedTokens(capacity);
  for (let i = 0; quiet && !memo.quiet && i <= TUNE_WINDOW; i++) signToken({ i }, newKey, memo);
  assert.equal(memo.quiet, quiet);
  return memo;
}

const MUTATIONS = ['flip', 'cut', 'insert', 'delete', 'swap-last-part', 'none'] as const;
const payloadArb = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 4,
});

describe('VerifiedTokens', () => {
  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new VerifiedTokens(bad), RangeError, String(bad));
    }
  });

  it('holds at most two generations of entries', () => {
    const memo = new VerifiedTokens(4);
    // Fewer than a window's insertions: it is still awake (it would go quiet without hits).
    const last = TUNE_WINDOW - 2;
    for (let i = 0; i <= last; i++)
      memo.set(`input-${i}`, { key: newKey, check: 'A'.repeat(43), json: '{}' });
    assert.equal(memo.quiet, false);
    assert.ok(memo.size <= 8, `size ${memo.size}`);
    assert.notEqual(memo.get(`input-${last}`), undefined);
    assert.equal(memo.get('input-0'), undefined);
  });

  it('keeps an entry that is used, and drops one that is not, as generations turn', () => {
    const memo = new VerifiedTokens(2);
    const entry = { key: newKey, check: 'A'.repeat(43), json: '{}' };
    memo.set('used', entry);
    memo.set('unused', entry);
    for (let i = 0; i < 6; i++) {
      memo.set(`filler-${i}`, entry);
      assert.notEqual(memo.get('used'), undefined, `round ${i}`);
    }
    assert.equal(memo.get('unused'), undefined);
  });

  it('keeps flat strings of its own, never a slice of a longer header', () => {
    const memo = new VerifiedTokens(10);
    const header = `a=1; session=${'h'.repeat(100)}.${'p'.repeat(100)}.${'s'.repeat(43)}; b=2`;
    const token = header.slice(header.indexOf('session=') + 8, header.lastIndexOf(';'));
    const input = token.slice(0, token.lastIndexOf('.'));
    memo.set(input, { key: newKey, check: token.slice(token.lastIndexOf('.') + 1), json: '{}' });
    const entry = memo.get(input);
    assert.equal(entry?.check, 's'.repeat(43));
    assert.equal(entry?.json, '{}');
    // What latin1 cannot hold is not remembered (tokens are ASCII).
    memo.set('h\u0100.p', { key: newKey, check: 'x', json: '{}' });
    assert.equal(memo.get('h\u0100.p'), undefined);
  });

  it('never remembers an input longer than MAX_MEMO_INPUT', () => {
    const memo = new VerifiedTokens(10);
    memo.set('x'.repeat(MAX_MEMO_INPUT + 1), { key: newKey, check: 'A'.repeat(43), json: '{}' });
    assert.equal(memo.size, 0);
    memo.set('x'.repeat(MAX_MEMO_INPUT), { key: newKey, check: 'A'.repeat(43), json: '{}' });
    assert.equal(memo.size, 1);
  });
});

describe('verifyToken with a memo', () => {
  it('remembers only tokens that verified', () => {
    const memo = new VerifiedTokens(100);
    const token = signToken({ user: 'ada' }, newKey);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    assert.equal(verifyToken(forged, ring, MAX_TOKEN_LENGTH, memo).ok, false);
    assert.equal(verifyToken('a.b.c', ring, MAX_TOKEN_LENGTH, memo).ok, false);
    assert.equal(memo.size, 0);
    assert.equal(verifyToken(token, ring, MAX_TOKEN_LENGTH, memo).ok, true);
    assert.equal(memo.size, 1);
  });

  it('refuses a forged signature on a remembered header and payload', () => {
    const memo = new VerifiedTokens(100);
    const token = signToken({ user: 'ada' }, newKey);
    assert.equal(verifyToken(token, ring, MAX_TOKEN_LENGTH, memo).ok, true);
    const input = token.slice(0, token.lastIndexOf('.'));
    const forged = `${input}.${createHmac('sha256', OTHER).update(input).digest('base64url')}`;
    const result = verifyToken(forged, ring, MAX_TOKEN_LENGTH, memo);
    assert.deepEqual(result, { ok: false, reason: 'bad-signature' });
    // And the genuine token still verifies, with the same payload and key as without a memo.
    assert.deepEqual(verifyToken(token, ring, MAX_TOKEN_LENGTH, memo), verifyToken(token, ring));
  });

  it('gives the key that signed a kid-less token, whichever key of the ring it was', () => {
    const memo = new VerifiedTokens(100);
    const byOld = pyjwtStyle({ v: 1 }, OLD);
    const byNew = pyjwtStyle({ v: 1 }, NEW); // same header and payload, another signature
    for (let round = 0; round < 2; round++) {
      const a = verifyToken(byOld, ring, MAX_TOKEN_LENGTH, memo);
      const b = verifyToken(byNew, ring, MAX_TOKEN_LENGTH, memo);
      assert.equal(a.ok && a.key, oldKey);
      assert.equal(b.ok && b.key, newKey);
    }
  });
});

/** JWS and JWE, each with a way to make a token by another key (or kid-less) and a stranger. */
const CODECS = [
  {
    name: 'verifyToken',
    open: verifyToken,
    // Kid-less, by the older key: every key of the ring is tried.
    make: (payload: Record<string, unknown>, alt: boolean) =>
      alt ? pyjwtStyle(payload, OLD) : signToken(payload, newKey),
    other: () => signToken({ other: true }, newKey),
  },
  {
    name: 'decryptToken',
    open: decryptToken,
    make: (payload: Record<string, unknown>, alt: boolean) =>
      encryptToken(payload, alt ? oldKey : newKey),
    other: () => encryptToken({ other: true }, newKey),
  },
] as const;

for (const codec of CODECS) {
  describe(`${codec.name} with a memo: the outcome never changes`, () => {
    it('for valid tokens and hostile variants of them, whether the memo is awake or quiet', () => {
      fc.assert(
        fc.property(
          payloadArb,
          fc.boolean(),
          fc.constantFrom(...MUTATIONS),
          fc.nat(),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
          fc.boolean(),
          (payload, alt, how, at, junk, quiet) => {
            const memo = memoOf(8, quiet);
            const token = codec.make(payload, alt);
            const other = codec.other();
            // Prime the memo with the genuine tokens, then try the variant twice.
            codec.open(token, ring, MAX_TOKEN_LENGTH, memo);
            codec.open(other, ring, MAX_TOKEN_LENGTH, memo);
            const variant = mutate(token, how, at, junk, other);
            const expected = codec.open(variant, ring);
            assert.deepEqual(codec.open(variant, ring, MAX_TOKEN_LENGTH, memo), expected);
            assert.deepEqual(codec.open(variant, ring, MAX_TOKEN_LENGTH, memo), expected);
            // A ring that lacks the signer refuses it, even handed the memo of another ring.
            const stranger = new KeyRing(OTHER);
            assert.equal(codec.open(variant, stranger, MAX_TOKEN_LENGTH, memo).ok, false);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
}

describe('tokens remembered when they are made', () => {
  it('verify (or decrypt) to exactly what a memo-less check gives, and hostile variants too', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
          maxKeys: 4,
        }),
        fc.boolean(),
        fc.constantFrom(...MUTATIONS),
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
        (payload, encrypt, how, at, junk) => {
          const memo = new VerifiedTokens(8);
          const open = encrypt ? decryptToken : verifyToken;
          const token = encrypt
            ? encryptToken(payload, newKey, memo)
            : signToken(payload, newKey, memo);
          assert.equal(memo.size, 1, 'remembered when made');
          const expected = open(token, ring);
          assert.equal(expected.ok, true);
          assert.deepEqual(open(token, ring, MAX_TOKEN_LENGTH, memo), expected);
          const other = encrypt ? encryptToken({ o: 1 }, newKey) : signToken({ o: 1 }, newKey);
          const variant = mutate(token, how, at, junk, other);
          assert.deepEqual(open(variant, ring, MAX_TOKEN_LENGTH, memo), open(variant, ring));
          const stranger = new KeyRing(OTHER);
          assert.equal(open(token, stranger, MAX_TOKEN_LENGTH, memo).ok, false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decryptToken with a memo', () => {
  it('remembers only tokens that decrypted, and refuses a forged tag', () => {
    const memo = new VerifiedTokens(100);
    const token = encryptToken({ user: 'ada' }, newKey);
    const sealed = token.slice(0, token.lastIndexOf('.'));
    const forged = `${sealed}.${'A'.repeat(22)}`;
    assert.deepEqual(decryptToken(forged, ring, MAX_TOKEN_LENGTH, memo), {
      ok: false,
      reason: 'bad-signature',
    });
    assert.equal(memo.size, 0);
    assert.deepEqual(decryptToken(token, ring, MAX_TOKEN_LENGTH, memo), decryptToken(token, ring));
    assert.equal(memo.size, 1);
    assert.deepEqual(decryptToken(forged, ring, MAX_TOKEN_LENGTH, memo), {
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('hands out a fresh payload object each time', () => {
    const memo = new VerifiedTokens(100);
    const token = encryptToken({ cart: ['apple'] }, newKey);
    const first = decryptToken(token, ring, MAX_TOKEN_LENGTH, memo);
    assert.ok(first.ok);
    (first.payload.cart as string[]).push('pear');
    const second = decryptToken(token, ring, MAX_TOKEN_LENGTH, memo);
    assert.deepEqual(second.ok && second.payload, { cart: ['apple'] });
  });
});

describe('Session with the memo (verifyCache), in-process and over HTTP', () => {
  const KEY = 'session-memo-secret-0123456789-abcdefgh';
  const now = () => Math.floor(Date.now() / 1000);

  const makeApp = (options: SessionOptions = {}) => sessionApp(KEY, options);

  test('verifyCache must be a whole number of tokens', () => {
    for (const bad of [-1, 1.5, Number.NaN, '10' as unknown as number]) {
      assert.throws(() => new Session(null, { secretKey: KEY, verifyCache: bad }), {
        name: 'SessionConfigError',
      });
    }
    assert.doesNotThrow(() => new Session(null, { secretKey: KEY, verifyCache: 0 }));
  });

  const seal = (payload: Record<string, unknown>, encrypt: boolean, secret = KEY) => {
    const key = new KeyRing(secret).current;
    return encrypt ? encryptToken(payload, key) : signToken(payload, key);
  };

  test('a remembered token is still refused once it expires (each mode, signed and encrypted)', async () => {
    // The four cases wait side by side: about 3 s in all.
    const cases = MODES.flatMap((mode) => [false, true].map((encrypt) => ({ mode, encrypt })));
    await Promise.all(
      cases.map(async ({ mode, encrypt }) => {
        const { app, reasons } = makeApp({ encrypt, clockSkew: 1 });
        const t = now();
        // Valid for 1 more second (plus 1 s of skew): accepted, and so remembered.
        const token = seal({ n: 1, iat: t, exp: t + 1 }, encrypt);
        const client = await mode.client(app, { cookies: { session: token } });
        assert.equal((await client.get('/read')).text, '{"n":1}');
        assert.equal((await client.get('/read')).text, '{"n":1}');
        await new Promise((resolve) => setTimeout(resolve, 3100));
        const late = await mode.client(app, { cookies: { session: token } });
        assert.equal((await late.get('/read')).text, '{}', `${mode.name} encrypt=${encrypt}`);
        assert.deepEqual(reasons, ['expired']);
      }),
    );
  });

  for (const mode of MODES) {
    for (const encrypt of [false, true]) {
      const kind = `${mode.name}, ${encrypt ? 'encrypted' : 'signed'}`;
      const sealed = (payload: Record<string, unknown>, secret = KEY) =>
        seal(payload, encrypt, secret);

      test(`${kind}: a new secret key forgets what the old one verified`, async () => {
        const { app, session, reasons } = makeApp({ encrypt });
        // Without a kid (as PyJWT writes it) every key of the ring is tried.
        const token = encrypt ? sealed({ n: 1 }) : pyjwtStyle({ n: 1 }, KEY);
        const client = await mode.client(app, { cookies: { session: token } });
        assert.equal((await client.get('/read')).text, '{"n":1}');
        session.initialize(app, { secretKey: 'a-completely-new-secret-0123456789-abcd' });
        const after = await mode.client(app, { cookies: { session: token } });
        assert.equal((await after.get('/read')).text, '{}');
        assert.equal(reasons.length, 1);
        assert.ok(reasons[0] === 'unknown-key' || reasons[0] === 'bad-signature', reasons[0]);
      });

      test(`${kind}: a forged signature on remembered data is refused`, async () => {
        const { app, reasons } = makeApp({ encrypt });
        const token = sealed({ n: 1 });
        const good = await mode.client(app, { cookies: { session: token } });
        assert.equal((await good.get('/read')).text, '{"n":1}');
        const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(encrypt ? 22 : 43)}`;
        const bad = await mode.client(app, { cookies: { session: forged } });
        assert.equal((await bad.get('/read')).text, '{}');
        assert.deepEqual(reasons, ['bad-signature']);
      });

      test(`${kind}: verifyCache 0 verifies every time, with the same answers`, async () => {
        const { app, reasons } = makeApp({ encrypt, verifyCache: 0 });
        const token = sealed({ n: 1 });
        const client = await mode.client(app, { cookies: { session: token } });
        assert.equal((await client.get('/read')).text, '{"n":1}');
        assert.equal((await client.get('/read')).text, '{"n":1}');
        const stranger = await mode.client(app, { cookies: { session: sealed({ n: 9 }, OTHER) } });
        assert.equal((await stranger.get('/read')).text, '{}');
        assert.equal(reasons.length, 1);
      });
    }
  }
});

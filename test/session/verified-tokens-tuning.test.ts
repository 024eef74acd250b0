import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decryptToken, encryptToken } from '../../src/session/jwe.js';
import { KeyRing } from '../../src/session/keyring.js';
import { MAX_TOKEN_LENGTH, signToken, verifyToken } from '../../src/session/token.js';
import { QUIET_WINDOW, TUNE_WINDOW, VerifiedTokens } from '../../src/session/verified-tokens.js';

// The memo tunes itself: where tokens never come back it goes quiet (looks nothing up, keeps only
// fingerprints, so it costs next to nothing), and it wakes up when tokens repeat again. Whatever its
// state, every token gets the outcome a memo-less verification gives.

const ring = new KeyRing('tuning-test-secret-0123456789-abcdefghij');
const key = ring.current;
const now = Math.floor(Date.now() / 1000);

/** A distinct token per user, as a site with more users than the memo holds sends them. */
const userToken = (user: number, encrypt = false) => {
  const payload = { count: 1, user, iat: now, exp: now + 3600 };
  return encrypt ? encryptToken(payload, key) : signToken(payload, key);
};

let opened = 0;

/**
 * Verifies (or decrypts) with the memo and checks the outcome is the memo-less one: every
 * refusal, and one acceptance in 16 (the loops are long; the fast-check property in
 * verified-tokens.test.ts checks every outcome of quiet memos too).
 */
function open(token: string, memo: VerifiedTokens, encrypt = false) {
  const codec = encrypt ? decryptToken : verifyToken;
  const result = codec(token, ring, MAX_TOKEN_LENGTH, memo);
  if (opened++ % 16 === 0 || !result.ok) assert.deepEqual(result, codec(token, ring));
  return result;
}

/** A memo driven quiet by traffic whose tokens never come back (each issued, never returned). */
function quietMemo(capacity = 1000): VerifiedTokens {
  const memo = new VerifiedTokens(capacity);
  for (let i = 0; !memo.quiet; i++) {
    assert.ok(i <= TUNE_WINDOW, 'quiet after one window of insertions without a hit');
    signToken({ issued: i }, key, memo);
  }
  return memo;
}

describe('VerifiedTokens tunes itself', () => {
  for (const encrypt of [false, true]) {
    it(`goes quiet when ${encrypt ? 'encrypted' : 'signed'} cookies never repeat, and then holds no token`, () => {
      const memo = new VerifiedTokens(1000);
      const users = 3000;
      const tokens = Array.from({ length: users }, (_, user) => userToken(user, encrypt));
      // Each request: verify the user's cookie, issue the next one (never sent back here).
      for (let round = 0; round < 2; round++) {
        for (let user = 0; user < users; user++) {
          assert.equal(open(tokens[user]!, memo, encrypt).ok, true);
          const payload = { count: 2, user, iat: now, exp: now + 3600 };
          if (encrypt) encryptToken(payload, key, memo);
          else signToken(payload, key, memo);
        }
      }
      assert.equal(memo.quiet, true);
      assert.equal(memo.size, 0);
    });
  }

  it('stays awake while the same cookie comes back (one user, or a browser following Set-Cookie)', () => {
    const memo = new VerifiedTokens(100);
    const same = userToken(1);
    for (let i = 0; i < 10 * TUNE_WINDOW; i++) {
      open(same, memo);
      // The browser's next cookie is the one just issued.
      open(signToken({ n: i }, key, memo), memo);
    }
    assert.equal(memo.quiet, false);
    assert.ok(memo.size >= 100, `size ${memo.size}`);
  });

  it('wakes up when browsers send back the cookies they were just given', () => {
    const memo = quietMemo();
    let requests = 0;
    let token = userToken(0);
    while (memo.quiet) {
      requests++;
      assert.ok(requests <= QUIET_WINDOW, `still quiet after ${requests}`);
      const result = open(token, memo);
      assert.ok(result.ok);
      token = signToken({ n: requests }, key, memo);
    }
    // Awake: every token it issues is remembered again.
    const before = memo.size;
    for (let i = 0; i < 50; i++) signToken({ again: i }, key, memo);
    assert.equal(memo.size, before + 50);
  });

  it('wakes up when one cookie is read again and again', () => {
    for (let user = 0; user < 2; user++) {
      const memo = quietMemo();
      const token = userToken(user);
      let requests = 0;
      // Within two looks at the hit rate (the first may have begun before this cookie).
      const bound = 2 * QUIET_WINDOW;
      while (memo.quiet) {
        requests++;
        assert.ok(requests <= bound, `user ${user}: still quiet after ${requests} requests`);
        assert.equal(open(token, memo).ok, true);
      }
      // Awake, it remembers the cookie when it next verifies.
      open(token, memo);
      assert.ok(memo.get(token.slice(0, token.lastIndexOf('.'))), 'remembered');
    }
  });

  it('goes quiet again when repeats stop, and back, without ever changing an outcome', () => {
    const memo = new VerifiedTokens(200);
    let user = 0;
    const states: boolean[] = [];
    for (let phase = 0; phase < 4; phase++) {
      const repeating = phase % 2 === 1;
      const same = userToken(1_000_000 + phase);
      // Long enough for two looks at the hit rate, awake or quiet.
      const requests = repeating ? 2 * QUIET_WINDOW : 4 * TUNE_WINDOW;
      for (let i = 0; i < requests; i++) {
        const token = repeating ? same : userToken(user++);
        assert.equal(open(token, memo).ok, true);
        // Hostile variants are refused as without a memo (open() compares the outcomes).
        if (i % 64 === 0) open(`${token.slice(0, -2)}AA`, memo);
      }
      states.push(memo.quiet);
    }
    assert.deepEqual(states, [true, false, true, false]);
  });

  it('is not woken by forged tokens that copy the MAC of a real one', () => {
    const memo = quietMemo();
    const real = userToken(7);
    const [header, , mac] = real.split('.');
    // A forged payload under the real MAC, sent again and again: refused every time, and never
    // a hit, since only tokens that verified count.
    const forged = `${header}.${Buffer.from('{"user":"admin"}').toString('base64url')}.${mac}`;
    assert.equal(open(real, memo).ok, true, 'its fingerprint is noted');
    for (let i = 0; i < 4 * QUIET_WINDOW; i++) {
      assert.equal(open(forged, memo).ok, false);
      // Distinct real cookies keep the traffic going.
      assert.equal(open(userToken(10_000 + i), memo).ok, true);
    }
    assert.equal(memo.quiet, true);
    assert.equal(memo.size, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MultiDict } from '../../src/multidict.js';
import { decodeComponent, MAX_QUERY_PAIRS, parseQuery } from '../../src/utils/url.js';

const entries = (d: MultiDict<string>) => [...d];

describe('decodeComponent', () => {
  it('decodes UTF-8 escapes (Microdot test_urlencode.py)', () => {
    assert.equal(decodeComponent('%3Ffoo%3Dbar%26x'), '?foo=bar&x');
    assert.equal(decodeComponent('caf%C3%A9'), 'café');
    assert.equal(decodeComponent('%f0%9f%98%80'), '😀');
  });

  it('returns the same string when there is nothing to decode', () => {
    const s = 'plain-text_1.2~';
    assert.equal(decodeComponent(s), s);
    assert.equal(decodeComponent(s, true), s);
  });

  it('treats + as a space only when asked', () => {
    assert.equal(decodeComponent('a+b%2B'), 'a+b+');
    assert.equal(decodeComponent('a+b%2B', true), 'a b+');
    assert.equal(decodeComponent('+', true), ' ');
  });

  it('throws URIError on malformed escapes and invalid UTF-8', () => {
    for (const bad of ['%', '%4', '%zz', 'a%', '%C3', '%C3%28', '%ED%A0%80', '%C0%AF', '%FF']) {
      assert.throws(() => decodeComponent(bad), URIError, bad);
      assert.throws(() => decodeComponent(bad, true), URIError, bad);
    }
  });

  it('round-trips encodeURIComponent for any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (s, plus) => {
        assert.equal(decodeComponent(encodeURIComponent(s), plus), s);
      }),
    );
  });

  it('any input gives a string or URIError', () => {
    const utf16 = fc.string({
      unit: fc.oneof(
        fc.constantFrom('%', '+', '%C3', '%A9', '%2', 'z'),
        fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      ),
    });
    fc.assert(
      fc.property(utf16, fc.boolean(), (s, plus) => {
        try {
          assert.equal(typeof decodeComponent(s, plus), 'string');
        } catch (err) {
          if (!(err instanceof URIError)) throw err;
        }
      }),
    );
  });
});

describe('parseQuery', () => {
  it('parses pairs, repeated keys and keys without a value (Microdot test_request.py test_args)', () => {
    const q = parseQuery('foo=bar&abc=def&foo&x=%2f%25%25');
    assert.deepEqual(entries(q), [
      ['foo', 'bar'],
      ['foo', ''],
      ['abc', 'def'],
      ['x', '/%%'],
    ]);
  });

  it('rejects a bare % where Microdot passes it through', () => {
    // Microdot decodes 'x=%2f%%' to '/%%'; we refuse malformed escapes (the core answers 400).
    assert.throws(() => parseQuery('foo=bar&x=%2f%%'), URIError);
  });

  it('parses form bodies: + is a space, keys are decoded too', () => {
    const q = parseQuery('first+name=Jos%C3%A9&a%2Bb=1+%2B+1');
    assert.deepEqual(entries(q), [
      ['first name', 'José'],
      ['a+b', '1 + 1'],
    ]);
  });

  it('skips empty pairs, keeps empty keys and the first = only', () => {
    assert.deepEqual(entries(parseQuery('')), []);
    assert.deepEqual(entries(parseQuery('&&&')), []);
    assert.deepEqual(entries(parseQuery('a=1&&b=2&')), [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.deepEqual(entries(parseQuery('=x&y=')), [
      ['', 'x'],
      ['y', ''],
    ]);
    assert.deepEqual(entries(parseQuery('t=a=b=c')), [['t', 'a=b=c']]);
  });

  it('is safe with __proto__ keys', () => {
    const q = parseQuery('__proto__=1&constructor=2');
    assert.equal(q.get('__proto__'), '1');
    assert.equal(q.toObject().constructor, '2');
    assert.equal(({} as Record<string, unknown>)['1'], undefined);
  });

  it(`keeps at most MAX_QUERY_PAIRS (${MAX_QUERY_PAIRS}) pairs`, () => {
    assert.equal(MAX_QUERY_PAIRS, 1000);
    const qs = Array.from({ length: 5000 }, (_, i) => `k${i}=${i}`).join('&');
    const q = parseQuery(qs);
    assert.equal(q.size, MAX_QUERY_PAIRS);
    assert.equal(q.get('k999'), '999');
    assert.equal(q.has('k1000'), false);
    // Empty pairs do not count; a malformed pair past the limit is never decoded.
    assert.equal(parseQuery(`${'&'.repeat(10)}${qs}&bad=%`).size, MAX_QUERY_PAIRS);
  });

  it('is linear on hostile input', () => {
    for (const qs of ['a&'.repeat(200_000), '&'.repeat(400_000), `${'a'.repeat(400_000)}=`]) {
      const t = performance.now();
      parseQuery(qs);
      assert.ok(performance.now() - t < 1000, `${qs.slice(0, 4)}… took too long`);
    }
  });

  it('round-trips any list of pairs encoded with encodeURIComponent', () => {
    const text = fc.string({ unit: 'binary' });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 20 }), (pairs) => {
        const qs = pairs
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join('&');
        const expected = new MultiDict(pairs);
        assert.deepEqual(entries(parseQuery(qs)), entries(expected));
      }),
    );
  });

  it('agrees with URLSearchParams on well-formed input', () => {
    const text = fc.string({ unit: 'binary' });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 20 }), (pairs) => {
        const qs = new URLSearchParams(pairs).toString();
        assert.deepEqual(entries(parseQuery(qs)), entries(new MultiDict(new URLSearchParams(qs))));
      }),
    );
  });

  it('any input gives a MultiDict or URIError', () => {
    const unit = fc.oneof(
      fc.constantFrom('&', '=', '%', '+', '%41', '%E2%82', '%AC', '__proto__'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 200 }), (qs) => {
        try {
          const q = parseQuery(qs);
          assert.ok(q.size <= MAX_QUERY_PAIRS);
        } catch (err) {
          if (!(err instanceof URIError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalOrigin,
  isSubdomainOf,
  MAX_ORIGIN_LENGTH,
  parseOrigin,
  requestOrigin,
  serializeOrigin,
} from '../../src/utils/origin.js';

const o = (text: string) => {
  const parsed = parseOrigin(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
};

describe('parseOrigin', () => {
  it('parses what browsers send, ignoring case and the default port', () => {
    assert.deepEqual(o('https://app.example:8443'), {
      scheme: 'https',
      host: 'app.example',
      port: '8443',
    });
    assert.deepEqual(o('HTTPS://App.Example:443'), {
      scheme: 'https',
      host: 'app.example',
      port: '',
    });
    assert.deepEqual(o('http://127.0.0.1:80'), { scheme: 'http', host: '127.0.0.1', port: '' });
    assert.deepEqual(o('http://[::1]:5000'), { scheme: 'http', host: '[::1]', port: '5000' });
    assert.deepEqual(o('http://my_host.local'), {
      scheme: 'http',
      host: 'my_host.local',
      port: '',
    });
    assert.equal(canonicalOrigin('http://localhost:0080'), 'http://localhost');
  });

  it('refuses null, URLs that are more than an origin, and malformed hosts or ports', () => {
    for (const bad of [
      'null',
      '',
      'foo.com',
      'https://',
      'https://a.com/',
      'https://a.com/path',
      'https://a.com?x',
      'https://a.com#x',
      'https://user@a.com',
      'https://evil.com/.bar.com',
      'https://a..com',
      'https://.a.com',
      'https://a.com.',
      'https://a.com:0',
      'https://a.com:65536',
      'https://a.com:',
      'https://a.com:123456',
      'https://a.com: 80',
      ' https://a.com',
      'https://a.com\r\nSet-Cookie: x=1',
      'https://a\u0000.com',
      'https://ex\u00e4mple.com',
      '1https://a.com',
      `https://${'a'.repeat(64)}.com`,
      `https://${'a.'.repeat(130)}com`,
      `https://${'a'.repeat(MAX_ORIGIN_LENGTH)}`,
    ]) {
      assert.equal(parseOrigin(bad), undefined, JSON.stringify(bad));
    }
  });

  it('round-trips: the canonical form parses to the same parts (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);
    const origin = fc.record({
      scheme: fc.constantFrom('http', 'https', 'ws', 'chrome-extension'),
      host: fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(origin, ({ scheme, host, port }) => {
        const text = `${scheme}://${host}${port === undefined ? '' : `:${port}`}`;
        const parsed = parseOrigin(text);
        assert.ok(parsed);
        assert.deepEqual(parseOrigin(serializeOrigin(parsed)), parsed);
        assert.deepEqual(parseOrigin(text.toUpperCase()), parsed);
      }),
    );
  });

  it('never throws, and what it accepts serialises to header-safe text (hostile input)', () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .tuple(fc.constantFrom('http://', 'https://', 'HTTP://', ''), fc.string({ maxLength: 80 }))
        .map(([a, b]) => a + b),
      fc.constant(`https://${'a.'.repeat(5000)}com`),
      fc.constant(`https://${'a'.repeat(100_000)}`),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        const parsed = parseOrigin(text);
        if (parsed === undefined) return;
        const canonical = serializeOrigin(parsed);
        assert.match(canonical, /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9_.:[\]-]+$/);
        assert.ok(canonical.length <= MAX_ORIGIN_LENGTH);
      }),
      { numRuns: 2000 },
    );
  });

  it('is fast on long hostile values', () => {
    const start = performance.now();
    for (let i = 0; i < 200; i++) {
      parseOrigin(`https://${'a-'.repeat(500)}`);
      parseOrigin(`https://${'a.'.repeat(500)}.`);
      parseOrigin(`https://[${':'.repeat(1000)}`);
    }
    assert.ok(performance.now() - start < 500);
  });
});

describe('isSubdomainOf', () => {
  it('matches subdomains on the same scheme and port only', () => {
    const base = o('https://bar.com:8888');
    assert.equal(isSubdomainOf(o('https://x.y.bar.com:8888'), base), true);
    assert.equal(isSubdomainOf(o('http://x.bar.com:8888'), base), false);
    assert.equal(isSubdomainOf(o('https://x.bar.com'), base), false);
    assert.equal(isSubdomainOf(o('https://bar.com:8888'), base), false);
    assert.equal(isSubdomainOf(o('https://foobar.com:8888'), base), false);
    assert.equal(isSubdomainOf(o('https://bar.com.evil.com:8888'), base), false);
  });

  it('gives IP addresses no subdomains', () => {
    assert.equal(isSubdomainOf(o('http://1.127.0.0.1'), o('http://127.0.0.1')), false);
    assert.equal(isSubdomainOf(o('http://a.[::1]'.replace('a.', '')), o('http://[::1]')), false);
  });
});

describe('requestOrigin', () => {
  it('builds the origin a request was made to from scheme and Host', () => {
    assert.deepEqual(requestOrigin('http', '127.0.0.1:5000'), o('http://127.0.0.1:5000'));
    assert.deepEqual(requestOrigin('https', 'Example.com:443'), o('https://example.com'));
    assert.deepEqual(requestOrigin('https, http', 'a.com, b.com'), o('https://a.com'));
  });

  it('gives undefined for a missing or malformed Host', () => {
    for (const host of [undefined, '', 'a.com/x', 'a.com@b.com', 'a b', ',a.com']) {
      assert.equal(requestOrigin('http', host), undefined, String(host));
    }
    assert.equal(requestOrigin('', 'a.com'), undefined);
  });
});

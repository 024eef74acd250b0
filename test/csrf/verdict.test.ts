// The pure CSRF rules (src/csrf/verdict.ts), alone and with fast-check over hostile headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type CsrfPolicy, csrfVerdict } from '../../src/csrf/verdict.js';
import { type Origin, parseOrigin } from '../../src/utils/origin.js';

const o = (text: string): Origin => parseOrigin(text)!;
const NONE: CsrfPolicy = { trusted: [], allowSubdomains: false };
const TARGET = o('https://app.example');

describe('csrfVerdict', () => {
  it('follows Sec-Fetch-Site when a browser sends it', () => {
    const cases: [string, boolean, boolean][] = [
      ['same-origin', false, true],
      ['none', false, true],
      ['same-site', false, false],
      ['same-site', true, true],
      ['cross-site', true, false],
      ['Cross-Site ', false, false],
      ['garbage', true, false],
    ];
    for (const [site, allowSubdomains, allowed] of cases) {
      const v = csrfVerdict(
        { trusted: [], allowSubdomains },
        { secFetchSite: site, origin: 'https://app.example', target: TARGET },
      );
      assert.equal(v.allowed, allowed, `${site} ${allowSubdomains}`);
    }
  });

  it('without Sec-Fetch-Site: no Origin is a non-browser client; else own or trusted only', () => {
    const req = (origin: string | undefined) => ({
      secFetchSite: undefined,
      origin,
      target: TARGET,
    });
    assert.deepEqual(csrfVerdict(NONE, req(undefined)), { allowed: true, reason: 'not-a-browser' });
    assert.deepEqual(csrfVerdict(NONE, req('https://app.example:443')), {
      allowed: true,
      reason: 'same-origin',
    });
    assert.deepEqual(csrfVerdict(NONE, req('null')), { allowed: false, reason: 'null-origin' });
    assert.deepEqual(csrfVerdict(NONE, req('app.example')), {
      allowed: false,
      reason: 'bad-origin',
    });
    assert.deepEqual(csrfVerdict(NONE, req('https://evil.example')), {
      allowed: false,
      reason: 'untrusted-origin',
    });
    const trusting = {
      trusted: [o('https://evil.example'), 'null' as const],
      allowSubdomains: false,
    };
    assert.equal(csrfVerdict(trusting, req('https://evil.example')).reason, 'trusted-origin');
    assert.equal(csrfVerdict(trusting, req('null')).reason, 'trusted-origin');
  });

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      'null',
      'same-origin',
      'same-site',
      'cross-site',
      'none',
      'https://app.example',
      'https://x.app.example',
      'https://bar.com:8888',
      'https://x.y.bar.com:8888',
      'http://bar.com:8888',
    ),
  );
  const maybe = fc.option(text, { nil: undefined });
  const policy = fc.record({
    trusted: fc.subarray([o('https://bar.com:8888'), 'null' as const, o('http://foo.com')]),
    allowSubdomains: fc.boolean(),
  });
  const target = fc.option(fc.constantFrom(TARGET, o('http://127.0.0.1:5000')), { nil: undefined });

  it('never throws, and refuses whatever a cross-site browser sends from an untrusted origin', () => {
    fc.assert(
      fc.property(policy, maybe, maybe, target, (p, site, origin, t) => {
        const v = csrfVerdict(p, { secFetchSite: site, origin, target: t });
        assert.equal(typeof v.allowed, 'boolean');
        if (site?.trim().toLowerCase() === 'cross-site' && v.allowed) {
          assert.equal(v.reason, 'trusted-origin');
          assert.ok(origin !== undefined && origin.trim() !== '');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('allowSubdomains only ever allows more (property)', () => {
    fc.assert(
      fc.property(policy, maybe, maybe, target, (p, site, origin, t) => {
        const req = { secFetchSite: site, origin, target: t };
        const strict = csrfVerdict({ ...p, allowSubdomains: false }, req);
        const loose = csrfVerdict({ ...p, allowSubdomains: true }, req);
        if (strict.allowed) assert.equal(loose.allowed, true);
      }),
      { numRuns: 3000 },
    );
  });

  it('an Origin is never trusted by a suffix trick', () => {
    const p = { trusted: [o('https://bar.com:8888')], allowSubdomains: true };
    for (const origin of [
      'https://evil.com/.bar.com:8888',
      'https://evilbar.com:8888',
      'https://bar.com.evil.com:8888',
      'https://evil.com#.bar.com:8888',
      'https://bar.com:8888@evil.com',
    ]) {
      const v = csrfVerdict(p, { secFetchSite: undefined, origin, target: undefined });
      assert.equal(v.allowed, false, origin);
    }
  });
});

// Property tests of the handshake checks: hostile header values never throw, a cross-site page
// is never let in unless listed, and every well-formed handshake is accepted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Microdot, Request } from '../../src/index.js';
import { handshakeProblem } from '../../src/websocket/handshake.js';
import { originAllowed } from '../../src/websocket/origin.js';

const RUNS = 500;
const app = new Microdot();
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'upgrade',
    'websocket',
    '13',
    'http://',
    'https://a:99999',
    '\r\n',
  ),
);
const host = fc.constantFrom(
  'app.example',
  'evil.example',
  'app.example:8080',
  'a.app.example',
  '127.0.0.1:5000',
  'xn--80ak6aa92e.com',
);
const scheme = fc.constantFrom('http', 'https', 'ws', 'file', 'javascript');

function handshake(headers: Record<string, string>): Request {
  return new Request({ app, method: 'GET', url: '/ws', headers });
}

describe('WebSocket handshake properties', () => {
  it('hostile header values never throw', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, hostile, (c, u, k, v, o) => {
        handshakeProblem(
          handshake({
            connection: c,
            upgrade: u,
            'sec-websocket-key': k,
            'sec-websocket-version': v,
          }),
        );
        originAllowed({ secFetchSite: c, origin: o, host: u }, []);
        originAllowed({ secFetchSite: undefined, origin: o, host: k }, ['https://app.example']);
      }),
      { numRuns: RUNS },
    );
  });

  it('every well-formed handshake is accepted, whatever the key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.constantFrom('Upgrade', 'keep-alive, Upgrade', 'upgrade'),
        (key, connection) => {
          const req = handshake({
            connection,
            upgrade: 'websocket',
            'sec-websocket-key': Buffer.from(key).toString('base64'),
            'sec-websocket-version': '13',
          });
          assert.equal(handshakeProblem(req), undefined);
        },
      ),
      { numRuns: RUNS },
    );
    assert.notEqual(
      handshakeProblem(
        handshake({
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-key': randomBytes(15).toString('base64'),
          'sec-websocket-version': '13',
        }),
      ),
      undefined,
    );
  });

  it('without Sec-Fetch-Site, only an Origin naming the same host (or a listed one) is let in', () => {
    fc.assert(
      fc.property(scheme, host, host, (s, originHost, requestHost) => {
        const allowed = originAllowed(
          { secFetchSite: undefined, origin: `${s}://${originHost}`, host: requestHost },
          [],
        );
        if (allowed) assert.equal(originHost, requestHost);
        if (originHost !== requestHost) {
          assert.equal(
            originAllowed(
              { secFetchSite: undefined, origin: `${s}://${originHost}`, host: requestHost },
              [`https://${requestHost}`],
            ),
            s === 'https' && false,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a browser saying cross-site or same-site is refused unless its Origin is listed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('cross-site', 'same-site', 'CROSS-SITE', ' cross-site '),
        host,
        host,
        (site, originHost, requestHost) => {
          const facts = { secFetchSite: site, origin: `https://${originHost}`, host: requestHost };
          assert.equal(originAllowed(facts, []), false);
          assert.equal(originAllowed(facts, [`https://${originHost}`]), true);
          assert.equal(originAllowed(facts, '*'), true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

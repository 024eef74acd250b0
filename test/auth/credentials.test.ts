// Properties of the Authorization header parsers (microdot-ts/auth): whatever a client sends,
// they never throw, and they give back exactly what a well-behaved client encoded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  MAX_CREDENTIALS_LENGTH,
  parseBasicCredentials,
  parseTokenCredentials,
} from '../../src/auth/index.js';

const RUNS = 500;
const CONTROL = /[\u0000-\u001f\u007f]/;
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom('A', '=', '/', '+', ':', ' ', '\t', '\0', '\r\n', 'é', '\ud800'),
    maxLength: 40,
  }),
);
const noControl = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !CONTROL.test(s));
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

describe('parseBasicCredentials', () => {
  it('round-trips any user name without a colon and any password, both without control characters', () => {
    fc.assert(
      fc.property(
        noControl.filter((s) => !s.includes(':')),
        noControl,
        fc.constantFrom('Basic', 'basic', 'BASIC'),
        fc.boolean(),
        (user, password, scheme, unpadded) => {
          let encoded = b64(`${user}:${password}`);
          if (unpadded) encoded = encoded.replace(/=+$/, '');
          assert.deepEqual(parseBasicCredentials(`${scheme} ${encoded}`), [user, password]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on hostile text, and what it accepts decodes to exactly the pair it returns', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          anyText.map((s) => `Basic ${s}`),
        ),
        (value) => {
          const out = parseBasicCredentials(value);
          if (out === undefined) return;
          const [user, password] = out;
          assert.ok(!user.includes(':'));
          assert.ok(!CONTROL.test(user + password));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('arbitrary bytes: accepted only when they are UTF-8 with a colon and no control character', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const out = parseBasicCredentials(`Basic ${b64(bytes)}`);
        let text: string | undefined;
        try {
          text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
        } catch {
          text = undefined;
        }
        const valid = text?.includes(':') === true && !CONTROL.test(text!);
        assert.equal(out !== undefined, valid);
        if (out !== undefined) assert.equal(`${out[0]}:${out[1]}`, text);
      }),
      { numRuns: RUNS },
    );
  });

  it('truncated and oversized headers are refused or decoded, never thrown', () => {
    fc.assert(
      fc.property(noControl, fc.nat({ max: 40 }), (password, cut) => {
        const full = `Basic ${b64(`user:${password}`)}`;
        const out = parseBasicCredentials(full.slice(0, Math.max(0, full.length - cut)));
        if (out !== undefined) assert.equal(out[0], 'user');
      }),
      { numRuns: RUNS },
    );
    const huge = `Basic ${b64(`u:${'p'.repeat(MAX_CREDENTIALS_LENGTH)}`)}`;
    assert.equal(parseBasicCredentials(huge), undefined);
    assert.equal(parseBasicCredentials(undefined), undefined);
    assert.equal(parseBasicCredentials(42 as never), undefined);
  });
});

describe('parseTokenCredentials', () => {
  const tokenChars = fc.string({
    unit: fc.constantFrom('a', 'Z', '9', '-', '.', '_', '~', '+', '/', '='),
    minLength: 1,
    maxLength: 60,
  });

  it('Authorization: gives the token after the scheme (any case), trimmed', () => {
    fc.assert(
      fc.property(
        tokenChars,
        fc.constantFrom('Bearer', 'bearer', 'BeArEr'),
        fc.nat({ max: 3 }),
        (token, scheme, spaces) => {
          const value = `${scheme}${' '.repeat(spaces + 1)}${token}${' '.repeat(spaces)}`;
          assert.equal(parseTokenCredentials(value, 'Authorization', 'Bearer'), token);
          assert.equal(parseTokenCredentials(value, 'authorization', 'bearer'), token);
          assert.equal(parseTokenCredentials(value, 'Authorization', 'Token'), undefined);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a custom header: the whole value; never throws on hostile text', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        assert.equal(
          parseTokenCredentials(value, 'X-Auth-Token', 'Bearer'),
          value === '' ? undefined : value,
        );
        const out = parseTokenCredentials(value, 'Authorization', 'Bearer');
        if (out !== undefined) {
          assert.ok(out.length > 0 && out === out.trim());
          assert.ok(value.trim().toLowerCase().startsWith('bearer '));
        }
      }),
      { numRuns: RUNS },
    );
    assert.equal(
      parseTokenCredentials(
        `Bearer ${'x'.repeat(MAX_CREDENTIALS_LENGTH)}`,
        'Authorization',
        'Bearer',
      ),
      undefined,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sameText } from '../../src/internal/same-text.js';

describe('sameText', () => {
  it('is string equality, for strings of the same length and of different lengths', () => {
    const b64 = fc.string({
      unit: fc.constantFrom(...'ABCabc019-_'.split('')),
      minLength: 0,
      maxLength: 44,
    });
    fc.assert(
      fc.property(b64, b64, (a, b) => {
        assert.equal(sameText(a, b), a === b);
        assert.equal(sameText(a, a), true);
      }),
    );
    // Same length, differing at the first, a middle or the last character.
    const mac = 'q3Xw9_aB'.repeat(5).slice(0, 43);
    for (const i of [0, 21, 42]) {
      const other = mac.slice(0, i) + (mac[i] === 'A' ? 'B' : 'A') + mac.slice(i + 1);
      assert.equal(sameText(mac, other), false, `differs at ${i}`);
    }
    assert.equal(sameText('', ''), true);
    assert.equal(sameText(mac, `${mac}A`), false);
  });

  it('looks at every character whatever the first difference (no early exit)', () => {
    // Strings whose characters are read through a counter: the count is the same for a
    // difference at the start and at the end.
    const reads = (a: string, b: string) => {
      let count = 0;
      const counted = (s: string) =>
        new Proxy(new String(s), {
          get(target, prop) {
            if (prop === 'charCodeAt') {
              return (i: number) => {
                count++;
                return target.charCodeAt(i);
              };
            }
            if (prop === 'length') return target.length;
            return Reflect.get(target, prop);
          },
        }) as unknown as string;
      sameText(counted(a), counted(b));
      return count;
    };
    const mac = 'A'.repeat(43);
    assert.equal(reads(mac, `B${'A'.repeat(42)}`), reads(mac, `${'A'.repeat(42)}B`));
    assert.equal(reads(mac, `B${'A'.repeat(42)}`), 2 * 43);
  });
});

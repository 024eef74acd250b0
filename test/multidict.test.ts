// Ports tests/test_multidict.py (MultiDict part) from Microdot, plus TypeScript-side cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MultiDict } from '../src/multidict.js';

describe('MultiDict (Microdot test_multidict.py)', () => {
  it('test_multidict', () => {
    const d = new MultiDict<number>();
    assert.deepEqual({ ...d.toObject() }, {});
    assert.equal(d.get('zero'), undefined);
    assert.equal(d.get('zero') ?? 0, 0);
    assert.deepEqual(d.getAll('zero'), []);
    assert.deepEqual(d.getAll('zero').map(Number), []);

    d.add('one', 1);
    assert.equal(d.get('one'), 1);
    assert.equal(d.get('one') ?? 2, 1);
    assert.equal(String(d.get('one')), '1');

    d.add('two', 1);
    d.add('two', 2);
    assert.equal(d.get('two'), 1);
    assert.equal(d.get('two') ?? 2, 1);
    assert.equal(String(d.get('two')), '1');
    assert.deepEqual(d.getAll('two'), [1, 2]);
    assert.deepEqual(d.getAll('two').map(String), ['1', '2']);
  });
});

describe('MultiDict', () => {
  it('builds from pairs, from a record (arrays spread) and from another MultiDict', () => {
    const a = new MultiDict([
      ['x', '1'],
      ['y', '2'],
      ['x', '3'],
    ]);
    assert.deepEqual(
      [...a],
      [
        ['x', '1'],
        ['x', '3'],
        ['y', '2'],
      ],
    );
    const b = new MultiDict({ x: ['1', '3'], y: '2' });
    assert.deepEqual([...b.entries()], [...a.entries()]);
    assert.deepEqual([...new MultiDict(a)], [...a]);
    assert.equal(new MultiDict().size, 0);
  });

  it('set replaces every value, delete removes the key', () => {
    const d = new MultiDict({ a: ['1', '2'], b: '3' });
    assert.equal(d.set('a', '9'), d);
    assert.deepEqual(d.getAll('a'), ['9']);
    assert.deepEqual([...d.keys()], ['a', 'b'], 'set keeps the position of an existing key');
    assert.equal(d.delete('a'), true);
    assert.equal(d.delete('a'), false);
    assert.equal(d.has('a'), false);
    assert.equal(d.get('a'), undefined);
    assert.equal(d.size, 1);
  });

  it('keys, values (first values), entries, size', () => {
    const d = new MultiDict<string>().add('b', '1').add('a', '2').add('b', '3');
    assert.deepEqual([...d.keys()], ['b', 'a']);
    assert.deepEqual([...d.values()], ['1', '2']);
    assert.deepEqual(
      [...d.entries()],
      [
        ['b', '1'],
        ['b', '3'],
        ['a', '2'],
      ],
    );
    assert.equal(d.size, 2);
  });

  it('is case-sensitive', () => {
    const d = new MultiDict({ Key: '1' });
    assert.equal(d.get('key'), undefined);
    assert.equal(d.get('Key'), '1');
  });

  it('getAll returns a copy', () => {
    const d = new MultiDict({ a: '1' });
    d.getAll('a').push('2');
    assert.deepEqual(d.getAll('a'), ['1']);
  });

  it('toObject gives first values in a null-prototype object', () => {
    const o = new MultiDict([
      ['a', '1'],
      ['a', '2'],
      ['__proto__', 'p'],
    ]).toObject();
    assert.equal(Object.getPrototypeOf(o), null);
    assert.deepEqual(Object.entries(o), [
      ['a', '1'],
      ['__proto__', 'p'],
    ]);
  });

  it('is safe with keys that name Object.prototype members', () => {
    const d = new MultiDict<string>();
    for (const k of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      assert.equal(d.has(k), false, k);
      assert.equal(d.get(k), undefined, k);
      d.add(k, 'v');
      assert.equal(d.get(k), 'v');
    }
    assert.equal(d.size, 4);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const fromJson = new MultiDict(JSON.parse('{"__proto__": "x", "a": ["1", "2"]}'));
    assert.equal(fromJson.get('__proto__'), 'x');
    assert.deepEqual(fromJson.getAll('a'), ['1', '2']);
  });

  it('matches a reference model for any sequence of operations', () => {
    type Op = ['add' | 'set' | 'delete', string, string];
    const key = fc.constantFrom('a', 'b', '__proto__', 'constructor', '');
    const op = fc.tuple(
      fc.constantFrom('add', 'set', 'delete'),
      key,
      fc.string(),
    ) as fc.Arbitrary<Op>;
    fc.assert(
      fc.property(fc.array(op), (ops) => {
        const d = new MultiDict<string>();
        const model: [string, string[]][] = [];
        for (const [kind, k, v] of ops) {
          const i = model.findIndex(([mk]) => mk === k);
          if (kind === 'add') {
            if (i === -1) model.push([k, [v]]);
            else model[i]?.[1].push(v);
            d.add(k, v);
          } else if (kind === 'set') {
            if (i === -1) model.push([k, [v]]);
            else model[i] = [k, [v]];
            d.set(k, v);
          } else {
            if (i !== -1) model.splice(i, 1);
            d.delete(k);
          }
        }
        assert.equal(d.size, model.length);
        assert.deepEqual(
          [...d],
          model.flatMap(([k, vs]) => vs.map((v) => [k, v])),
        );
        for (const [k, vs] of model) {
          assert.equal(d.get(k), vs[0]);
          assert.deepEqual(d.getAll(k), vs);
        }
      }),
    );
  });
});

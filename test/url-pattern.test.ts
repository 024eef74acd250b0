// Ports tests/test_url_pattern.py from Microdot, plus decoding and property tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { URLPattern } from '../src/url-pattern.js';

/** match() as a plain object, so deepEqual does not trip on the null prototype. */
function m(p: URLPattern, path: string): Record<string, unknown> | undefined {
  const r = p.match(path);
  if (r !== undefined) assert.equal(Object.getPrototypeOf(r), null);
  return r === undefined ? undefined : { ...r };
}

describe('URLPattern (Microdot test_url_pattern.py)', () => {
  it('test_static', () => {
    let p = new URLPattern('/');
    assert.equal(p.isStatic, true);
    assert.deepEqual(m(p, '/'), {});
    assert.equal(m(p, '/foo'), undefined);
    assert.equal(m(p, 'foo'), undefined);
    assert.equal(m(p, ''), undefined);

    p = new URLPattern('/foo/bar');
    assert.deepEqual(m(p, '/foo/bar'), {});
    assert.equal(m(p, '/foo'), undefined);
    assert.equal(m(p, '/foo/bar/'), undefined);
    assert.equal(m(p, '/foo/bar/baz'), undefined);

    p = new URLPattern('/foo//bar/baz/');
    assert.deepEqual(m(p, '/foo//bar/baz/'), {});
    assert.equal(m(p, '/foo/bar/baz/'), undefined);
    assert.equal(m(p, '/foo'), undefined);
    assert.equal(m(p, '/foo/bar/baz'), undefined);
  });

  it('test_string_argument', () => {
    let p = new URLPattern('/<arg>');
    assert.equal(p.isStatic, false);
    assert.deepEqual(m(p, '/foo'), { arg: 'foo' });
    for (const path of [
      '/',
      '//',
      '',
      'foo/',
      '/foo/',
      '//foo/',
      '/foo//',
      '/foo/bar',
      '/foo//bar',
    ]) {
      assert.equal(m(p, path), undefined, path);
    }

    for (const src of ['/<arg>/', '/<string:arg>/']) {
      p = new URLPattern(src);
      assert.deepEqual(m(p, '/foo/'), { arg: 'foo' });
      for (const path of ['/', '/foo', '/foo/bar', '/foo/bar/'])
        assert.equal(m(p, path), undefined);
    }

    p = new URLPattern('/<string:arg>');
    assert.deepEqual(m(p, '/foo'), { arg: 'foo' });
    for (const path of ['/', '/foo/', '/foo/bar', '/foo/bar/']) assert.equal(m(p, path), undefined);

    p = new URLPattern('/foo/<arg1>/bar/<arg2>');
    assert.deepEqual(m(p, '/foo/one/bar/two'), { arg1: 'one', arg2: 'two' });
    for (const path of ['/', '/foo/', '/foo/bar', '/foo//bar/', '/foo//bar//']) {
      assert.equal(m(p, path), undefined);
    }
  });

  it('test_int_argument', () => {
    let p = new URLPattern('/users/<int:id>');
    assert.deepEqual(m(p, '/users/123'), { id: 123 });
    assert.deepEqual(m(p, '/users/-123'), { id: -123 });
    assert.deepEqual(m(p, '/users/0'), { id: 0 });
    for (const path of ['/users/', '/users/abc', '/users/123abc', '/users/123/abc']) {
      assert.equal(m(p, path), undefined);
    }

    p = new URLPattern('/users/<int:id>/<int:id2>/');
    assert.deepEqual(m(p, '/users/123/456/'), { id: 123, id2: 456 });
    assert.deepEqual(m(p, '/users/123/-456/'), { id: 123, id2: -456 });
    for (const path of [
      '/users/',
      '/users/123/-456',
      '/users/123/abc/',
      '/users/123/-456/abc',
      '/users/--123/456/',
    ]) {
      assert.equal(m(p, path), undefined);
    }
  });

  it('test_path_argument', () => {
    let p = new URLPattern('/users/<path:path>');
    assert.deepEqual(m(p, '/users/123'), { path: '123' });
    assert.deepEqual(m(p, '/users/123/'), { path: '123/' });
    assert.deepEqual(m(p, '/users/abc/def'), { path: 'abc/def' });
    assert.equal(m(p, '/users/'), undefined);

    p = new URLPattern('/users/<path:path>/foo');
    assert.deepEqual(m(p, '/users/123/foo'), { path: '123' });
    assert.deepEqual(m(p, '/users/foo/foo'), { path: 'foo' });
    assert.deepEqual(m(p, '/users/abc/def/foo'), { path: 'abc/def' });
    for (const path of ['/users/', '/users/foo', '/users/foo/'])
      assert.equal(m(p, path), undefined);
  });

  it('test_regex_argument', () => {
    const p = new URLPattern('/users/<re:[a-c]+:id>');
    assert.deepEqual(m(p, '/users/ab'), { id: 'ab' });
    assert.deepEqual(m(p, '/users/bca'), { id: 'bca' });
    for (const path of ['/users', '/users/', '/users/abcd', '/users/abcdx']) {
      assert.equal(m(p, path), undefined);
    }
  });

  it('test_many_arguments', () => {
    const p = new URLPattern('/foo/<path:path>/<int:id>/bar/<name>');
    assert.deepEqual(m(p, '/foo/abc/def/123/bar/test'), { path: 'abc/def', id: 123, name: 'test' });
    for (const path of [
      '/foo/123/bar/test',
      '/foo/abc/def/ghi/bar/test',
      '/foo/abc/def/123/bar',
      '/foo/abc/def/123/bar/',
      '/foo/abc/def/123/test',
    ]) {
      assert.equal(m(p, path), undefined);
    }
  });

  it('test_invalid_url_patterns (at construction)', () => {
    assert.throws(() => new URLPattern('/users/<foo/bar'), {
      name: 'TypeError',
      message: /'<' at position 7 must be closed/,
    });
    assert.throws(() => new URLPattern('/users/<badtype:id>'), {
      name: 'TypeError',
      message: /unknown segment type "badtype"/,
    });
  });

  it('test_custom_url_pattern', () => {
    URLPattern.registerType('hex', '[0-9a-f]+');
    let p = new URLPattern('/users/<hex:id>');
    assert.deepEqual(m(p, '/users/a1'), { id: 'a1' });
    assert.equal(m(p, '/users/ab12z'), undefined);

    URLPattern.registerType('hex', '[0-9a-f]+', (v) => Number.parseInt(v, 16));
    p = new URLPattern('/users/<hex:id>');
    assert.deepEqual(m(p, '/users/a1'), { id: 161 });
    assert.equal(m(p, '/users/ab12z'), undefined);

    const hexParser = (v: string): number | undefined =>
      /^[0-9a-f]+$/.test(v) ? Number.parseInt(v, 16) : undefined;
    URLPattern.registerType('hex', undefined, hexParser);
    p = new URLPattern('/users/<hex:id>');
    assert.deepEqual(m(p, '/users/a1'), { id: 161 });
    assert.equal(m(p, '/users/ab12z'), undefined);
  });
});

describe('URLPattern (beyond Microdot)', () => {
  it('keeps the source and treats a missing leading slash as Microdot does', () => {
    const p = new URLPattern('users/<id>');
    assert.equal(p.pattern, 'users/<id>');
    assert.deepEqual(m(p, '/users/1'), { id: '1' });
    assert.deepEqual(m(new URLPattern(''), '/'), {});
    assert.deepEqual(m(new URLPattern('//a'), '/a'), {});
  });

  it('compares literal text literally (no regex meaning)', () => {
    const p = new URLPattern('/a.b/<x>');
    assert.deepEqual(m(p, '/a.b/1'), { x: '1' });
    assert.equal(m(p, '/aXb/1'), undefined);
    assert.equal(m(new URLPattern('/a.b'), '/aXb'), undefined);
    assert.deepEqual(m(new URLPattern('/(x)+/<n>'), '/(x)+/1'), { n: '1' });
  });

  it('decodes captured values after matching', () => {
    const p = new URLPattern('/files/<name>');
    assert.deepEqual(m(p, '/files/a%2Fb'), { name: 'a/b' });
    assert.deepEqual(m(p, '/files/caf%C3%A9'), { name: 'café' });
    assert.deepEqual(m(p, '/files/a+b'), { name: 'a+b' }, '+ is literal in a path');
    assert.deepEqual(m(new URLPattern('/p/<path:rest>'), '/p/a%20b/c'), { rest: 'a b/c' });
    assert.throws(() => p.match('/files/%zz'), URIError);
    assert.throws(() => p.match('/files/%'), URIError);
    assert.throws(() => p.match('/files/%C3%28'), URIError, 'invalid UTF-8');
    assert.throws(() => p.match('/files/%ED%A0%80'), URIError, 'encoded surrogate');
  });

  it('refuses integers it cannot represent exactly and normalises -0', () => {
    const p = new URLPattern('/n/<int:n>');
    assert.deepEqual(m(p, '/n/9007199254740991'), { n: 9007199254740991 });
    assert.equal(m(p, '/n/9007199254740992'), undefined);
    assert.deepEqual(m(p, '/n/007'), { n: 7 });
    assert.ok(Object.is(p.match('/n/-0')?.n, 0));
  });

  it('treats a parser returning null or undefined as no match', () => {
    URLPattern.registerType('even', '\\d+', (v) => (Number(v) % 2 === 0 ? Number(v) : null));
    const p = new URLPattern('/e/<even:n>');
    assert.deepEqual(m(p, '/e/4'), { n: 4 });
    assert.equal(m(p, '/e/3'), undefined);
  });

  it('keeps group numbering right when custom regexes have groups', () => {
    const p = new URLPattern('/<re:(a|b)(c)?:x>/<int:y>/<re:(?:z)+:w>');
    assert.deepEqual(m(p, '/ac/5/zz'), { x: 'ac', y: 5, w: 'zz' });
  });

  it('allows a / inside a re: segment', () => {
    assert.deepEqual(m(new URLPattern('/x/<re:\\d+/\\d+:pair>'), '/x/1/2'), { pair: '1/2' });
  });

  it('is safe with names such as __proto__', () => {
    const r = new URLPattern('/<__proto__>/<constructor>').match('/a/b');
    assert.ok(r);
    assert.equal(Object.getPrototypeOf(r), null);
    assert.equal(Object.hasOwn(r, '__proto__'), true);
    assert.equal(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, 'a');
    assert.equal(r.constructor, 'b');
  });

  it('rejects invalid patterns with a clear TypeError', () => {
    const cases: [string, RegExp][] = [
      ['/<>', /empty name/],
      ['/<int:>', /empty name/],
      ['/<a>/<int:a>', /"a" is used twice/],
      ['/<re:(:x>', /invalid regular expression/],
      ['/<re::x>', /empty regular expression/],
      ['/<int:id>.json', /must be closed/],
      ['/<abc', /must be closed/],
      ['/<re:(?<g>a):x>/<re:(?<g>b):y>', /do not combine/],
    ];
    for (const [src, message] of cases) {
      assert.throws(() => new URLPattern(src), { name: 'TypeError', message }, src);
    }
    assert.throws(() => new URLPattern(1 as unknown as string), TypeError);
  });

  it('rejects invalid registered types', () => {
    for (const name of ['', 're', 'a:b', 'a/b', '<a>']) {
      assert.throws(() => URLPattern.registerType(name, 'x'), TypeError, name);
    }
    assert.throws(() => URLPattern.registerType('broken', '('), /invalid regular expression/);
    assert.throws(() => new URLPattern('/<broken:x>'), /unknown segment type/);
  });
});

describe('URLPattern properties', () => {
  const anyString = fc.string({ unit: 'binary', maxLength: 60 });
  const anyUtf16 = fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 60,
  });
  const patterns = [
    '/',
    '/<a>',
    '/x/<int:id>',
    '/<path:p>/end',
    '/<re:[a-z%0-9]+:r>/<b>',
    '/foo/<path:path>/<int:id>/bar/<name>',
  ].map((s) => new URLPattern(s));

  it('any path gives arguments, undefined or URIError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, anyUtf16), fc.constantFrom(...patterns), (path, p) => {
        try {
          const r = p.match(path);
          if (r !== undefined) assert.equal(Object.getPrototypeOf(r), null);
        } catch (err) {
          if (!(err instanceof URIError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a static pattern matches exactly itself', () => {
    const segment = fc
      .string({ unit: 'grapheme-ascii', maxLength: 8 })
      .filter((s) => !/[/<]/.test(s));
    fc.assert(
      // The first segment is non-empty: Microdot strips every leading '/', so '//a' is '/a'.
      fc.property(fc.array(segment, { maxLength: 5 }), anyString, (segs, other) => {
        const src = `/a${segs.join('/')}`;
        const p = new URLPattern(src);
        assert.equal(p.isStatic, true);
        assert.deepEqual(m(p, src), {});
        if (other !== src) assert.equal(p.match(other), undefined);
      }),
    );
  });

  it('a string segment round-trips any value through encodeURIComponent', () => {
    const p = new URLPattern('/v/<value>');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (value) => {
        assert.deepEqual(m(p, `/v/${encodeURIComponent(value)}`), { value });
      }),
    );
  });

  it('an int segment round-trips any safe integer', () => {
    const p = new URLPattern('/n/<int:n>');
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        assert.deepEqual(m(p, `/n/${n}`), { n: n + 0 });
      }),
    );
  });

  it('handles long hostile paths in bounded time', () => {
    const p = new URLPattern('/foo/<path:path>/<int:id>/bar/<name>');
    const path = `/foo/${'a/'.repeat(20_000)}1/bar/`;
    const t = performance.now();
    assert.equal(p.match(path), undefined);
    assert.ok(performance.now() - t < 2000);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cookieValue, parseCookies } from '../../src/utils/cookie.js';
import {
  CookieError,
  type CookieOptions,
  cookieSerializer,
  serializeCookie,
} from '../../src/utils/set-cookie.js';
import { parseSetCookie } from '../../src/utils/set-cookie-parse.js';

const plain = (o: Record<string, string>) => ({ ...o });

describe('parseCookies', () => {
  it('parses a Cookie header (Microdot test_request.py test_headers)', () => {
    assert.deepEqual(plain(parseCookies('foo=bar;abc=def')), { foo: 'bar', abc: 'def' });
  });

  it('returns an empty null-prototype object for a missing or empty header', () => {
    for (const h of [undefined, '', ';', '  ;  ; ']) {
      const c = parseCookies(h);
      assert.equal(Object.getPrototypeOf(c), null);
      assert.deepEqual(plain(c), {});
    }
  });

  it('trims spaces and tabs, keeps the first occurrence, strips one pair of quotes', () => {
    const c = parseCookies(' a = 1 ;\tb="two words";a=2; q=""x""; e=; lone="');
    assert.deepEqual(plain(c), { a: '1', b: 'two words', q: '"x"', e: '', lone: '"' });
  });

  it('does not percent-decode and keeps = inside values', () => {
    assert.deepEqual(plain(parseCookies('t=a%20b; jwt=x.y.z==')), { t: 'a%20b', jwt: 'x.y.z==' });
  });

  it('skips pairs with an empty name or without =', () => {
    assert.deepEqual(plain(parseCookies('=x; flag; ok=1; ;other')), { ok: '1' });
  });

  it('is safe with names such as __proto__', () => {
    const c = parseCookies('__proto__=p; constructor=c; toString=t');
    assert.equal(Object.getPrototypeOf(c), null);
    assert.deepEqual(Object.keys(c), ['__proto__', 'constructor', 'toString']);
    assert.equal(Object.getOwnPropertyDescriptor(c, '__proto__')?.value, 'p');
  });

  it('reads at most 1000 cookies and stays linear on hostile headers', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `c${i}=${i}`).join('; ');
    const c = parseCookies(many);
    assert.equal(Object.keys(c).length, 1000);
    assert.equal(c.c999, '999');
    assert.equal(c.c1000, undefined);
    for (const h of [`${'a;'.repeat(100_000)}b=1`, '='.repeat(200_000), ';'.repeat(200_000)]) {
      const t = performance.now();
      parseCookies(h);
      assert.ok(performance.now() - t < 1000);
    }
    assert.deepEqual(plain(parseCookies(`${'a;'.repeat(100_000)}b=1`)), { b: '1' });
  });

  it('never throws and returns only own string values, for any input', () => {
    const unit = fc.oneof(
      fc.constantFrom(';', '=', ' ', '\t', '"', '__proto__', 'constructor', 'a'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 300 }), (h) => {
        const c = parseCookies(h);
        assert.equal(Object.getPrototypeOf(c), null);
        for (const key of Reflect.ownKeys(c)) {
          assert.equal(typeof key, 'string');
          assert.notEqual(key, '');
          const d = Object.getOwnPropertyDescriptor(c, key);
          assert.equal(typeof d?.value, 'string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('handles a 100 KB header with thousands of pairs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', minLength: 10, maxLength: 30 }), (chunk) => {
        const h = chunk.repeat(Math.ceil(100_000 / chunk.length));
        const c = parseCookies(h);
        assert.ok(Object.keys(c).length <= 1000);
      }),
      { numRuns: 30 },
    );
  });
});

describe('serializeCookie', () => {
  it('writes the attributes of Microdot test_response.py test_cookies', () => {
    const epoch1 = 'Thu, 01 Jan 1970 00:00:01 GMT';
    const cases: [string, string, CookieOptions | undefined, string][] = [
      ['foo1', 'bar1', undefined, 'foo1=bar1'],
      [
        'foo2',
        'bar2',
        { path: '/', partitioned: true, secure: true },
        'foo2=bar2; Path=/; Secure; Partitioned',
      ],
      ['foo3', 'bar3', { domain: 'example.com:1234' }, 'foo3=bar3; Domain=example.com:1234'],
      [
        'foo4',
        'bar4',
        { expires: 'Tue, 05 Nov 2019 02:23:54 GMT' },
        'foo4=bar4; Expires=Tue, 05 Nov 2019 02:23:54 GMT',
      ],
      [
        'foo5',
        'bar5',
        { maxAge: 123, expires: 'Thu, 01 Jan 1970 00:00:00 GMT' },
        'foo5=bar5; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=123',
      ],
      ['foo6', 'bar6', { secure: true, httpOnly: true }, 'foo6=bar6; Secure; HttpOnly'],
      [
        'foo7',
        'bar7',
        {
          path: '/foo',
          domain: 'example.com:1234',
          expires: 'Tue, 05 Nov 2019 02:23:54 GMT',
          maxAge: 123,
          secure: true,
          httpOnly: true,
        },
        'foo7=bar7; Path=/foo; Domain=example.com:1234; Expires=Tue, 05 Nov 2019 02:23:54 GMT; Max-Age=123; Secure; HttpOnly',
      ],
      [
        'foo8',
        '',
        { expires: epoch1, maxAge: 0, httpOnly: true },
        `foo8=; Expires=${epoch1}; Max-Age=0; HttpOnly`,
      ],
      [
        'foo9',
        '',
        { path: '/s', expires: epoch1, maxAge: 0 },
        `foo9=; Path=/s; Expires=${epoch1}; Max-Age=0`,
      ],
    ];
    for (const [name, value, options, expected] of cases) {
      assert.equal(serializeCookie(name, value, options), expected);
    }
  });

  it('orders every attribute and canonicalises SameSite', () => {
    assert.equal(
      serializeCookie('s', 'v', {
        partitioned: true,
        sameSite: 'none',
        httpOnly: true,
        secure: true,
        maxAge: 60,
        expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)),
        domain: 'example.com',
        path: '/',
      }),
      's=v; Path=/; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=60; Secure; HttpOnly; SameSite=None; Partitioned',
    );
    assert.equal(serializeCookie('s', 'v', { sameSite: 'strict' }), 's=v; SameSite=Strict');
    assert.equal(serializeCookie('s', 'v', { sameSite: 'Lax' }), 's=v; SameSite=Lax');
  });

  it('accepts expires as milliseconds since the epoch', () => {
    assert.equal(
      serializeCookie('a', 'b', { expires: 1000 }),
      'a=b; Expires=Thu, 01 Jan 1970 00:00:01 GMT',
    );
  });

  it('rounds maxAge down and sends negative values as 0', () => {
    assert.equal(serializeCookie('a', 'b', { maxAge: 3600.9 }), 'a=b; Max-Age=3600');
    assert.equal(serializeCookie('a', 'b', { maxAge: -5 }), 'a=b; Max-Age=0');
  });

  it('leaves out empty path and domain, and false flags', () => {
    assert.equal(
      serializeCookie('a', 'b', {
        path: '',
        domain: '',
        secure: false,
        httpOnly: false,
        partitioned: false,
      }),
      'a=b',
    );
  });

  it('accepts values browsers store: spaces inside, commas, quotes, =, base64url', () => {
    for (const value of ['a b', 'a,b', '"quoted"', 'x==', 'eyJ0.eyJ1.c2ln-_', '\\', '']) {
      assert.equal(serializeCookie('n', value), `n=${value}`);
    }
  });

  it('rejects invalid input with CookieError and a message that says why', () => {
    const cases: [string, string, CookieOptions | undefined, RegExp][] = [
      ['', 'v', undefined, /Invalid cookie name/],
      ['a b', 'v', undefined, /Invalid cookie name/],
      ['a;b', 'v', undefined, /Invalid cookie name/],
      ['a=b', 'v', undefined, /Invalid cookie name/],
      ['é', 'v', undefined, /Invalid cookie name/],
      ['n', 'a;b', undefined, /value must be printable ASCII/],
      ['n', 'a\r\nSet-Cookie: x=1', undefined, /value/],
      ['n', 'a\nb', undefined, /value/],
      ['n', 'a\0b', undefined, /value/],
      ['n', 'a\x7fb', undefined, /value/],
      ['n', 'café', undefined, /value/],
      ['n', ' lead', undefined, /value/],
      ['n', 'trail ', undefined, /value/],
      ['n', 'v', { path: '/a;b' }, /path must be/],
      ['n', 'v', { path: '/a\r\n' }, /path must be/],
      ['n', 'v', { domain: 'a.com; x' }, /domain must be/],
      ['n', 'v', { domain: 'a .com' }, /domain must be/],
      ['n', 'v', { expires: new Date(Number.NaN) }, /expires must be a valid Date/],
      ['n', 'v', { expires: Number.NaN }, /expires must be a valid Date/],
      ['n', 'v', { expires: 'tomorrow' }, /not an HTTP date/],
      ['n', 'v', { expires: 'Thu, 01 Jan 1970 00:00:00 GMT; Secure' }, /not an HTTP date/],
      ['n', 'v', { expires: Date.UTC(10000, 0, 1) }, /outside 1601-9999/],
      ['n', 'v', { maxAge: Number.NaN }, /maxAge must be a finite number/],
      ['n', 'v', { maxAge: Number.POSITIVE_INFINITY }, /maxAge must be a finite number/],
      ['n', 'v', { maxAge: 1e300 }, /maxAge is too large/],
      ['n', 'v', { sameSite: 'None' }, /SameSite=None requires secure/],
      ['n', 'v', { sameSite: 'sometimes' as CookieOptions['sameSite'] }, /sameSite must be/],
      ['n', 'v', { partitioned: true }, /Partitioned requires secure/],
      ['n', 'v', { httponly: true } as CookieOptions, /unknown option "httponly"/],
      ['n', 'v', { secure: 'yes' } as unknown as CookieOptions, /secure must be a boolean/],
      ['__Secure-id', 'v', undefined, /__Secure- cookie must have secure/],
      ['__secure-id', 'v', {}, /__Secure- cookie must have secure/],
      ['__Host-id', 'v', { path: '/' }, /__Host- cookie must have secure/],
      ['__Host-id', 'v', { secure: true }, /__Host- cookie must have path/],
      ['__Host-id', 'v', { secure: true, path: '/a' }, /__Host- cookie must have path/],
      ['__Host-id', 'v', { secure: true, path: '/', domain: 'a.com' }, /must not have a domain/],
    ];
    for (const [name, value, options, message] of cases) {
      assert.throws(
        () => serializeCookie(name, value, options),
        (err: unknown) => {
          assert.ok(err instanceof CookieError, `${name} ${JSON.stringify(options)}`);
          assert.ok(err instanceof TypeError);
          assert.equal(err.code, 'ERR_INVALID_COOKIE');
          assert.equal(err.name, 'CookieError');
          assert.match(err.message, message);
          return true;
        },
      );
    }
    assert.throws(() => serializeCookie(1 as unknown as string, 'v'), CookieError);
    assert.throws(() => serializeCookie('n', 1 as unknown as string), CookieError);
  });

  it('accepts the prefixes when their rules are met', () => {
    assert.equal(
      serializeCookie('__Host-id', 'v', { secure: true, path: '/' }),
      '__Host-id=v; Path=/; Secure',
    );
    assert.equal(serializeCookie('__Secure-id', 'v', { secure: true }), '__Secure-id=v; Secure');
  });

  it('never emits CR, LF or a stray ; for any input: it throws CookieError instead', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom(';', '\r', '\n', ' ', '"', ',', '=', '\0', 'é'),
        fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      ),
      maxLength: 20,
    });
    const options = fc.record(
      {
        path: text,
        domain: text,
        expires: fc.oneof(text, fc.double(), fc.date({ noInvalidDate: false })),
        maxAge: fc.double(),
        secure: fc.boolean(),
        httpOnly: fc.boolean(),
        partitioned: fc.boolean(),
        sameSite: fc.constantFrom('Strict', 'lax', 'None', 'bogus'),
      },
      { requiredKeys: [] },
    ) as fc.Arbitrary<CookieOptions>;
    fc.assert(
      fc.property(text, text, options, (name, value, opts) => {
        let header: string;
        try {
          header = serializeCookie(name, value, opts);
        } catch (err) {
          assert.ok(err instanceof CookieError, String(err));
          return;
        }
        assert.doesNotMatch(header, /[\0-\x1f\x7f]/);
        assert.ok(header.startsWith(`${name}=${value}`));
        assert.equal(header.split(';').length, header.split('; ').length, 'only separator ;');
        const parsed = parseSetCookie(header);
        assert.equal(parsed?.name, name);
        assert.equal(parsed?.value, value);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseSetCookie', () => {
  it('parses every attribute', () => {
    const c = parseSetCookie(
      ' id = 1 ; Path=/app; Domain=.Example.COM; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=60; Secure; HttpOnly; SameSite=lax; Partitioned',
    );
    assert.deepEqual(c, {
      name: 'id',
      value: '1',
      path: '/app',
      domain: 'example.com',
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      maxAge: 60,
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
      partitioned: true,
    });
  });

  it('is lenient: case-insensitive names, last one wins, bad attributes ignored', () => {
    const c = parseSetCookie(
      'a=b; max-age=10; MAX-AGE=-1; max-age=1x; expires=never; path=relative; PATH=/p; samesite=weird; domain=; Unknown=1',
    );
    assert.deepEqual(c, {
      name: 'a',
      value: 'b',
      path: '/p',
      maxAge: -1,
      secure: false,
      httpOnly: false,
      partitioned: false,
    });
  });

  it('returns undefined without = or with an empty name (RFC 6265 §5.2)', () => {
    for (const line of ['', 'novalue', 'novalue; a=b', '=v', '  =v; Path=/']) {
      assert.equal(parseSetCookie(line), undefined, line);
    }
    assert.equal(parseSetCookie(1 as unknown as string), undefined);
  });

  it('keeps quotes and = in the value', () => {
    assert.equal(parseSetCookie('a="x=y"')?.value, '"x=y"');
  });

  it('never throws on any input', () => {
    const unit = fc.oneof(
      fc.constantFrom(';', '=', ' ', 'Path', 'Max-Age', 'Expires', 'Domain', 'SameSite', '-', '1'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 200 }), (line) => {
        const c = parseSetCookie(line);
        if (c !== undefined) {
          assert.equal(typeof c.name, 'string');
          assert.notEqual(c.name, '');
          if (c.expires) assert.ok(!Number.isNaN(c.expires.getTime()));
          if (c.maxAge !== undefined) assert.ok(Number.isInteger(c.maxAge));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips serializeCookie for valid names, values and options', () => {
    const name = fc
      .stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/)
      .filter((n) => !/^__(host|secure)-/i.test(n));
    const value = fc.stringMatching(
      /^(?:[\x21-\x3A\x3C-\x7E](?:[\x20-\x3A\x3C-\x7E]{0,30}[\x21-\x3A\x3C-\x7E])?)?$/,
    );
    const seconds = fc.integer({ min: -1e9, max: 2 ** 40 });
    const date = fc.date({
      min: new Date(Date.UTC(1601, 0, 1)),
      max: new Date(Date.UTC(9999, 11, 31)),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        name,
        value,
        fc.option(fc.stringMatching(/^\/[\x20-\x3A\x3C-\x7E]{0,20}$/), { nil: undefined }),
        fc.option(fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}$/), { nil: undefined }),
        fc.option(date, { nil: undefined }),
        fc.option(seconds, { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        fc.option(
          fc.constantFrom('Strict', 'Lax', 'None') as fc.Arbitrary<'Strict' | 'Lax' | 'None'>,
          {
            nil: undefined,
          },
        ),
        (n, v, path, domain, expires, maxAge, secure, httpOnly, sameSite) => {
          const opts: CookieOptions = { path, domain, expires, maxAge, secure, httpOnly, sameSite };
          if (sameSite === 'None') opts.secure = true;
          const c = parseSetCookie(serializeCookie(n, v, opts));
          assert.ok(c);
          assert.equal(c.name, n);
          assert.equal(c.value, v);
          assert.equal(c.path, path?.trimEnd());
          assert.equal(c.domain, domain);
          assert.equal(
            c.expires?.getTime(),
            expires && Math.floor(expires.getTime() / 1000) * 1000,
          );
          assert.equal(c.maxAge, maxAge === undefined ? undefined : Math.max(0, maxAge));
          assert.equal(c.secure, opts.secure === true);
          assert.equal(c.httpOnly, httpOnly);
          assert.equal(c.sameSite, sameSite);
          assert.equal(c.partitioned, false);
        },
      ),
    );
  });
});

describe('cookieValue', () => {
  it('finds one cookie as parseCookies does', () => {
    assert.equal(cookieValue(' a = 1 ;\tsession="x.y";session=old', 'session'), 'x.y');
    assert.equal(cookieValue('a=1; b=2', 'session'), undefined);
    assert.equal(cookieValue('=x; session; ok=1', 'session'), undefined);
    assert.equal(cookieValue(undefined, 'session'), undefined);
    assert.equal(cookieValue(`${'a;'.repeat(100_000)}b=1`, 'b'), '1');
  });

  it('gives parseCookies(header)[name] for any header and name', () => {
    const unit = fc.constantFrom(';', '=', ' ', '\t', '"', 'a', 'b', 's', 'x');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 80 }),
        fc.constantFrom('a', 'b', 's', 'ab', '', '__proto__'),
        (h, name) => {
          assert.equal(cookieValue(h, name), parseCookies(h)[name]);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees with parseCookies past its limit of 1000 cookies', () => {
    const many = Array.from({ length: 1200 }, (_, i) => `c${i % 1100}=${i}`).join('; ');
    for (const name of ['c0', 'c999', 'c1000', 'c1099', 'c1199']) {
      assert.equal(cookieValue(many, name), parseCookies(many)[name], name);
    }
    const dups = `${'a=1; '.repeat(1500)}b=2`;
    assert.equal(cookieValue(dups, 'b'), '2');
    assert.equal(parseCookies(dups).b, '2');
  });
});

describe('cookieSerializer', () => {
  const optionsArb = fc.record(
    {
      path: fc.constantFrom('/', '/app', ''),
      domain: fc.constantFrom('example.com', ''),
      expires: fc.constantFrom(new Date(86_400_000), 'Thu, 01 Jan 1970 00:00:01 GMT'),
      secure: fc.boolean(),
      httpOnly: fc.boolean(),
      partitioned: fc.boolean(),
      sameSite: fc.constantFrom('Strict', 'lax', 'None') as fc.Arbitrary<CookieOptions['sameSite']>,
    },
    { requiredKeys: [] },
  );
  const outcome = (fn: () => string) => {
    try {
      return fn();
    } catch (err) {
      return err instanceof CookieError ? 'CookieError' : `other: ${String(err)}`;
    }
  };

  it('writes what serializeCookie writes, and refuses what it refuses', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('session', '__Host-s', '__Secure-s', 'a b'),
        optionsArb,
        fc.oneof(fc.constantFrom('eyJ0.eyJ1.c2ln-_', '', 'a;b', ' x', 'a\r\nb'), fc.string()),
        fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }),
        (name, options, value, maxAge) => {
          const expected = outcome(() => serializeCookie(name, value, { ...options, maxAge }));
          const actual = outcome(() => cookieSerializer(name, options)(value, maxAge));
          assert.equal(actual, expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses a maxAge in its options', () => {
    assert.throws(
      () => cookieSerializer('s', { maxAge: 1 } as CookieOptions),
      /give maxAge to each call/,
    );
  });
});

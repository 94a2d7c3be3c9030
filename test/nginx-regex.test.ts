// The PCRE parser behind nginx/invalid-regex, nginx/regex-redos and nginx/origins.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { END_MARK, START_MARK, exactLiteral, findRedos, generateSamples, hasChar, groupChars, isEndAnchored, isStartAnchored, parseRegex } from '../src/analysis/regex.js';

describe('parseRegex', () => {
  const valid = [
    '^/(?<name>[^/]+)/(?P<id>\\d+)$', '(?i)^/admin', '^/(?:a|b)(?=x)(?!y)(?<=z)(?<!w)', '\\.(?:png|jpe?g|gif)$',
    '^/a++b*+c?+(?>atomic)', '[[:alpha:][:digit:]_-]+', '\\Q.*\\E$', '^/\\x41\\x{42}\\o{103}\\t\\n', '(a)\\1\\g{1}\\g{-1}(?P=n)(?<n>b)\\k<n>',
    '/\\.(?!well-known)', '^/(?i:case)(?-i)sensitive', '(?x) a b # comment', '(?#comment)x', 'a{2}b{2,}c{2,3}', 'x{,3}', '(*UTF8)^/', '\\p{L}+\\P{N}',
    '(?|(a)|(b))', '[\\]\\[]', '[]a]', '\\bword\\B', '^$', '',
  ];
  for (const p of valid) {
    it(`accepts ${JSON.stringify(p)}`, () => {
      expect(parseRegex(p).errors).toEqual([]);
    });
  }

  const invalid: Array<[string, string]> = [
    ['^/(foo', 'missing closing parenthesis'],
    ['^/foo)', 'unmatched closing parenthesis'],
    ['*abc', 'quantifier does not follow a repeatable item'],
    ['a**', 'quantifier does not follow a repeatable item'],
    ['^/(|+)', 'quantifier does not follow a repeatable item'],
    ['[abc', 'missing terminating ]'],
    ['[z-a]', 'range out of order'],
    ['a{3,2}', 'numbers out of order'],
    ['\\i', 'unrecognized character follows \\'],
    ['abc\\', '\\ at end of pattern'],
    ['(?z)', 'unrecognized character after (?'],
    ['(a)\\2', 'reference to non-existent subpattern'],
    ['(?<n>a)(?<n>b)', 'two named subpatterns have the same name'],
    ['[[:foo:]]', 'unknown POSIX class name'],
    ['[\\d-z]', 'invalid range in character class'],
  ];
  for (const [p, message] of invalid) {
    it(`rejects ${JSON.stringify(p)} with "${message}"`, () => {
      const r = parseRegex(p);
      expect(r.errors.map((e) => e.message).join('; ')).toContain(message);
    });
  }

  it('numbers capture groups by their opening parenthesis and records names', () => {
    const r = parseRegex('^/(a(b))(?:c)(?<last>d)');
    expect(r.groups.map((g) => g.index)).toEqual([1, 2, 3]);
    expect(r.names.get('last')).toBe(3);
  });

  it('knows which characters a group can capture', () => {
    const r = parseRegex('^/([^/]+)/(.*)/([a-z]+)$');
    expect(hasChar(groupChars(r, 1)!, '\n')).toBe(true);
    expect(hasChar(groupChars(r, 1)!, '/')).toBe(false);
    expect(hasChar(groupChars(r, 2)!, '\n')).toBe(false); // "." excludes LF without (?s)
    expect(hasChar(groupChars(r, 2)!, '\r')).toBe(true);
    expect(hasChar(groupChars(r, 3)!, 'Z')).toBe(false);
    expect(hasChar(groupChars(parseRegex('([a-z]+)', true), 1)!, 'Z')).toBe(true);
  });

  it('tells anchored from unanchored patterns', () => {
    expect(isStartAnchored(parseRegex('^/a|^/b'))).toBe(true);
    expect(isStartAnchored(parseRegex('^/a|/b'))).toBe(false);
    expect(isEndAnchored(parseRegex('\\.php$'))).toBe(true);
    expect(isEndAnchored(parseRegex('(?:\\.php)$'))).toBe(true);
    expect(isEndAnchored(parseRegex('\\.php'))).toBe(false);
  });

  it('finds the literal of a ^literal$ pattern', () => {
    expect(exactLiteral(parseRegex('^/health$'))).toBe('/health');
    expect(exactLiteral(parseRegex('^/index\\.php$'))).toBe('/index.php');
    expect(exactLiteral(parseRegex('^/a.b$'))).toBeNull();
  });

  it('never throws and always ends on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom(...'()[]{}|*+?.^$\\-:<>=!?iPkgQEdws0123,ab'.split('')) }), (p) => {
        const r = parseRegex(p);
        findRedos(r);
        generateSamples(r, 'attack');
        return r.source === p;
      }),
      { numRuns: 2000 },
    );
  });

  it('handles deeply nested and very long patterns without running away', () => {
    const deep = parseRegex('('.repeat(5000) + 'a' + ')'.repeat(5000));
    expect(deep.errors[0]?.message).toContain('too deeply nested');
    const long = parseRegex('(a|b)*'.repeat(5000) + 'c');
    expect(long.errors).toEqual([]);
    expect(findRedos(long).length).toBeGreaterThan(0);
    expect(generateSamples(long, 'attack').length).toBeLessThanOrEqual(64);
  });
});

describe('findRedos', () => {
  const kinds = (p: string): string[] => findRedos(parseRegex(p)).map((f) => f.kind);
  it('reports nested quantifiers whose iterations can be split', () => {
    expect(kinds('^/(a+)+$')).toContain('nested');
    expect(kinds('^/(\\w+\\s?)+$')).toContain('nested');
    expect(kinds('^/((ab)+)+/test$')).toContain('nested');
  });
  it('reports overlapping alternatives under a quantifier', () => {
    expect(kinds('^/(a|ab)+$')).toContain('alternation');
    expect(kinds('^/(.|x)+/path$')).toContain('alternation');
  });
  it('reports adjacent quantifiers over the same characters', () => {
    expect(kinds('^/.*.*end$')).toContain('adjacent');
    expect(kinds('^/(\\d+)(\\d*)$')).toContain('adjacent');
  });
  it('marks nested quantifiers separated by a delimiter as the milder kind', () => {
    expect(kinds('^((sub)+\\.)+example\\.com$')).toEqual(['nested-separated']);
  });
  it('needs a later part that can fail: an overlap followed only by optional parts or ".*$" succeeds at once', () => {
    // gitlab's token filter: "[^&]*" and "(?<rest>.*)" overlap, but "(?<rest>.*)$" always matches.
    expect(kinds('(?i)^(?<start>.*)(?<temp>[\\?&]private[\\-_]token)=[^&]*(?<rest>.*)$')).toEqual([]);
    expect(kinds('^/(.*)(.*)$')).toEqual([]);
    expect(kinds('^/(a+)+')).toEqual([]);
    expect(kinds('^/\\d+\\d*x*')).toEqual([]);
    // …while a mandatory part after the pair, or an anchor after a narrower class, can fail.
    expect(kinds('^/[^&]*.*x$')).toContain('adjacent');
    expect(kinds('^/\\w+\\w*$')).toContain('adjacent');
    expect(kinds('^/(a+)+$')).toContain('nested');
  });
  it('leaves linear patterns alone', () => {
    for (const p of ['^/\\d{1,10}$', '^/(foo|bar)$', '^/[a-z]+$', '^/api/v[0-9]+/users$', '^/(\\w+)(/\\w+)*$', '^/(.*)/(.*)$', '^/a/.*\\.json$', '^/(?>a+)+$', '^/(a++)+$']) {
      expect(kinds(p), p).toEqual([]);
    }
  });
});

describe('generateSamples', () => {
  it('reads an unescaped dot as any character in attack mode and as a dot in canonical mode', () => {
    const r = parseRegex('^https://example.com$');
    expect(generateSamples(r, 'attack')).toEqual([`${START_MARK}https://examplebcom${END_MARK}`]);
    expect(generateSamples(r, 'canonical')).toEqual([`${START_MARK}https://example.com${END_MARK}`]);
  });
  it('tries optional parts present and absent', () => {
    const samples = generateSamples(parseRegex('^https://([^/]+)?webvisor\\.com$'), 'attack');
    expect(samples).toContain(`${START_MARK}https://webvisor.com${END_MARK}`);
    expect(samples).toContain(`${START_MARK}https://bbbbbwebvisor.com${END_MARK}`);
  });
});

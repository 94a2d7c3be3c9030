// The nginx reader on hostile input: random bytes, mutated corpus files, huge and deep inputs.
// It must never throw, always return a tree plus diagnostics with offsets inside the text, and
// its work must grow linearly with the input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseFile } from '../../src/nginx/parser.js';
import { tokenize } from '../../src/nginx/lexer.js';
import { loadConfigFromText, splitNginxDump } from '../../src/nginx/load.js';
import { makeSourceFile, walk, type Directive } from '../../src/nginx/tree.js';
import { check } from '../../src/check.js';
import { detectKind } from '../../src/model/discover.js';
import { FUZZ_RUNS, SUBQUADRATIC, fuzzParams, growth, latin1Bytes, mutatedCorpus } from './helpers.js';
import { wordsMatchTokenizer } from '../corpus/helpers.js';

/** Parses and checks the shape of the result; returns the directive count. */
function parseAndValidate(text: string): number {
  const file = makeSourceFile('/fuzz/nginx.conf', text);
  const res = parseFile(file);
  expect(Array.isArray(res.root)).toBe(true);
  expect(Array.isArray(res.diagnostics)).toBe(true);
  let count = 0;
  walk(res.root, (d: Directive) => {
    count++;
    if (!(d.start >= 0 && d.start <= d.end && d.end <= text.length)) throw new Error(`directive ${d.name} has offsets ${d.start}-${d.end} outside 0-${text.length}`);
    for (const a of d.args) if (!(a.start >= 0 && a.start <= a.end && a.end <= text.length)) throw new Error(`argument offsets ${a.start}-${a.end} outside the text`);
  });
  for (const diag of res.diagnostics) {
    if (!(diag.line >= 1 && diag.start >= 0 && diag.start <= text.length)) throw new Error(`diagnostic "${diag.message}" at ${diag.line}:${diag.start} outside the text`);
  }
  return count;
}

// Arguments that sit on the edge of the parser's fast path for plain words: variables and `${`,
// braces and `#` inside words, quotes, escapes, non-ASCII bytes, parentheses.
const TRICKY_ARGS = ['a', 'b1', '/x/y', '$x', '${y}', 'a${b}c', '$', 'a$', 'x}y', 'a#b', '"q s"', "'q'", '"a\\"b"', 'a\\;b', '\\"', '\xc3\xa9t\xc3\xa9', '\xff', '(', ')', '($x', 'y)', '~*', '\\.(css)$', '=', '"', '""', "''", 'a"b', "a'b"];
const SPACE = ['', ' ', '\t', '\n', '\r\n', ' #c\n', '\n#c\n'];

/** Well-formed statements (and blocks, two levels deep) made of tricky words. */
const statements = (depth: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('server', 'location', 'proxy_pass', 'set', 'x', 'if', 'map'),
      fc.array(fc.tuple(fc.constantFrom(...SPACE.slice(1, 4)), fc.constantFrom(...TRICKY_ARGS)), { maxLength: 4 }),
      fc.constantFrom(...SPACE),
      depth > 0 ? fc.option(fc.array(statements(depth - 1), { maxLength: 3 }), { nil: undefined }) : fc.constant(undefined),
    )
    .map(([name, args, pad, block]) => `${name}${args.map(([sp, a]) => ` ${sp}${a}`).join('')}${pad}${block ? ` {\n${block.join('\n')}\n}` : ';'}`);

describe('nginx reader on hostile input', () => {
  it('reads the same names and arguments as the tokenizer does, on tricky words (the fast path for plain words)', () => {
    fc.assert(fc.property(fc.array(statements(2), { maxLength: 6 }), fc.constantFrom(...SPACE), (list, sep) => {
      const text = list.join(`${sep}\n`);
      const res = parseFile(makeSourceFile('/fuzz/nginx.conf', text));
      if (res.diagnostics.length > 0) return; // where nginx stops, the parser drops a directive: sequences differ by design
      expect(wordsMatchTokenizer(text, res.root, '/fuzz/nginx.conf')).toEqual([]);
    }), fuzzParams(2));
  });

  it('parses random bytes into a tree plus diagnostics without throwing', () => {
    fc.assert(fc.property(latin1Bytes(), (text) => {
      parseAndValidate(text);
      tokenize(text);
    }), fuzzParams());
  });

  it('parses mutated corpus files (flips, truncation, braces, quotes, NUL, invalid UTF-8, CR-only) without throwing', () => {
    fc.assert(fc.property(mutatedCorpus(), ({ text }) => {
      parseAndValidate(text);
    }), fuzzParams());
  });

  it('loads mutated text as a config (includes, dumps, root context) without throwing', () => {
    fc.assert(fc.property(mutatedCorpus(), ({ text }) => {
      // singleFile: includes in corpus files point at the host's /etc; this is about the reader.
      const cfg = loadConfigFromText('/fuzz/nginx.conf', text, { singleFile: true });
      expect(cfg.root).toBeDefined();
      splitNginxDump(text);
      detectKind('/fuzz/site', text);
    }), fuzzParams(0.5));
  });

  it('runs every rule on mutated corpus files without a crash or an internal error', () => {
    fc.assert(fc.property(mutatedCorpus(), ({ text }) => {
      const r = check({ paths: ['-'], stdin: text, stdinFilename: 'nginx.conf', cwd: '/fuzz', nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 4, singleFile: true, env: {} });
      if (r.internalErrors.length > 0) throw new Error(`internal error in ${r.internalErrors[0]!.ruleId}: ${String((r.internalErrors[0]!.error as Error)?.stack ?? r.internalErrors[0]!.error)}`);
    }), fuzzParams(FUZZ_RUNS > 1000 ? 0.05 : 0.3));
  });

  it('parses 100,000 levels of nesting, closed and unclosed, without overflowing the stack', () => {
    const n = 100_000;
    expect(parseAndValidate('a {'.repeat(n) + '}'.repeat(n))).toBe(n);
    const open = parseFile(makeSourceFile('/x', 'http {'.repeat(n)));
    expect(open.diagnostics.map((d) => d.message)).toContain('unexpected end of file, expecting "}"');
    const cfg = loadConfigFromText('/fuzz/nginx.conf', 'a {'.repeat(n) + 'include x;' + '}'.repeat(n), { singleFile: true });
    expect(cfg.root.length).toBe(1);
  });

  it('reads a 10 MB single line as one too-long word with a diagnostic', () => {
    const text = 'a'.repeat(10 * 1024 * 1024);
    const res = parseFile(makeSourceFile('/x', text));
    expect(res.diagnostics.some((d) => d.message.startsWith('too long parameter'))).toBe(true);
  });

  it('reads a 10 MB unterminated quote and a 10 MB comment without throwing', () => {
    parseAndValidate('a "' + 'x'.repeat(10 * 1024 * 1024));
    parseAndValidate('# ' + 'x'.repeat(10 * 1024 * 1024));
  });

  it('reads NUL bytes, invalid UTF-8 and CR-only newlines as nginx would, without throwing', () => {
    parseAndValidate('listen 80\0;\n');
    parseAndValidate('server_name \xff\xfe\xc3;\nroot /\xe2\x82;');
    const cr = parseFile(makeSourceFile('/x', 'events {}\rhttp {\r  server { listen 80; }\r}\r'));
    // nginx counts LF only: a CR-only file is one line.
    expect(cr.root.map((d) => d.line)).toEqual([1, 1]);
  });

  // Each shape hits one loop of the lexer or parser; quadratic work would show up as a ratio near 256.
  const shapes: Record<string, (n: number) => string> = {
    'one long word': (n) => 'a'.repeat(n),
    'deep nesting': (n) => 'a {'.repeat(n / 3),
    'closing braces': (n) => '}'.repeat(n),
    'semicolons': (n) => ';'.repeat(n),
    'an unterminated quote': (n) => 'a "' + 'x'.repeat(n),
    'quotes glued to words': (n) => '"a"b '.repeat(n / 5),
    'comment lines': (n) => '# c\n'.repeat(n / 4),
    'CR-only lines': (n) => 'a\r'.repeat(n / 2),
    'backslashes': (n) => 'a ' + '\\'.repeat(n),
    'variable braces': (n) => 'a ' + '${'.repeat(n / 2),
    'NUL bytes': (n) => '\0'.repeat(n),
    'invalid UTF-8': (n) => 'a \xff\xc3'.repeat(n / 4),
    'long words in a row (too long parameter)': (n) => ('b'.repeat(5000) + ' ').repeat(Math.max(1, n / 5000)),
    'Lua: unclosed long brackets': (n) => 'content_by_lua_block {' + '[['.repeat(n / 2),
    'Lua: unclosed long comments': (n) => 'content_by_lua_block {' + '--[==['.repeat(n / 6),
    'Lua: escaped quotes on one line': (n) => 'content_by_lua_block {' + '"\\'.repeat(n / 2),
    'Lua: single quotes on one line': (n) => "content_by_lua_block {" + "'\\".repeat(n / 2),
    'Lua: nested braces': (n) => 'content_by_lua_block {' + '{'.repeat(n),
  };
  for (const [shape, make] of Object.entries(shapes)) {
    it(`parses ${shape} in linear time`, () => {
      const g = growth((t) => parseFile(makeSourceFile('/x', t)), make, 20_000);
      console.log(`linearity: ${shape}: ${g.small.toFixed(1)} ms → ${g.large.toFixed(1)} ms (×${g.ratio.toFixed(1)})`);
      expect(g.ratio, `${shape}: ${g.small.toFixed(2)} ms at N, ${g.large.toFixed(2)} ms at 16N`).toBeLessThan(SUBQUADRATIC);
    });
  }

  it('guesses the kind of a file of blank lines in linear time', () => {
    for (const make of [(n: number) => '\n'.repeat(n) + 'x', (n: number) => '\r'.repeat(n) + 'x', (n: number) => 'a\r'.repeat(n / 2), (n: number) => ' \n'.repeat(n / 2)]) {
      for (const name of ['site', 'app.py']) {
        const g = growth((t) => detectKind(name, t), make, 20_000);
        expect(g.ratio).toBeLessThan(SUBQUADRATIC);
      }
    }
  });
});

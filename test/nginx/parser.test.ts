// The parser builds a lossless tree (offsets, lines, columns, comments) and recovers from every
// syntax error with nginx's wording, without throwing.

import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/nginx/parser.js';
import { makeSourceFile, walk } from '../../src/nginx/tree.js';
import type { Directive } from '../../src/nginx/tree.js';
import { reconstruct } from '../corpus/helpers.js';

const parse = (text: string) => parseFile(makeSourceFile('/etc/nginx/nginx.conf', text));
const messages = (text: string) => parse(text).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
const names = (nodes: Directive[]): unknown[] => nodes.map((d) => (d.block ? { [d.name]: names(d.block) } : d.name));

describe('parser: structure', () => {
  it('nests blocks and keeps arguments', () => {
    const { root, diagnostics } = parse('events {}\nhttp { server { listen 80; location / { return 200 ok; } } }\n');
    expect(diagnostics).toEqual([]);
    expect(names(root)).toEqual([{ events: [] }, { http: [{ server: ['listen', { location: ['return'] }] }] }]);
    const ret = root[1]!.block![0]!.block![1]!.block![0]!;
    expect(ret.args.map((a) => a.value)).toEqual(['200', 'ok']);
    expect(ret.parent?.name).toBe('location');
  });

  it('records offsets, line and column of directives, arguments and blocks', () => {
    const text = 'http {\n  server_name "a b" c;\n}\n';
    const http = parse(text).root[0]!;
    const sn = http.block![0]!;
    expect(sn).toMatchObject({ name: 'server_name', start: 9, line: 2, column: 3 });
    expect(text.slice(sn.start, sn.end)).toBe('server_name "a b" c;');
    expect(sn.args[0]).toMatchObject({ value: 'a b', quote: '"', start: 21, end: 26, line: 2, column: 15 });
    expect(text[http.blockStart]).toBe('{');
    expect(text[http.blockEnd]).toBe('}');
    expect(http.end).toBe(text.length - 1);
  });

  it('counts columns in UTF-16 units after non-ASCII text', () => {
    const sn = parse(Buffer.from('server_name é x;', 'utf8').toString('latin1')).root[0]!;
    expect(sn.args[1]).toMatchObject({ value: 'x', start: 15, column: 15 });
    expect(sn.args[0]!.value).toBe('é');
  });

  it('rebuilds the file byte for byte from node offsets and the gaps between them', () => {
    const text = '# top\r\nuser  www;\r\nhttp {   # trailing\r\n\r\n  include a/*.conf;\r\n  x_by_lua_block { a = "}" }\r\n}\r\n';
    const { root } = parse(text);
    const r = reconstruct(text, root);
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(text);
  });

  it('reads a *_by_lua_block body as its last argument, with arguments before it', () => {
    const d = parse('set_by_lua_block $res { return 1 + 2 }').root[0]!;
    expect(d.block).toBeNull();
    expect(d.args.map((a) => a.value)).toEqual(['$res', ' return 1 + 2 ']);
  });
});

describe('parser: comments', () => {
  it('attaches own-line comments above a directive as leading comments', () => {
    const d = parse('# one\n# two\nlisten 80;').root[0]!;
    expect(d.leadingComments.map((c) => c.text)).toEqual([' one', ' two']);
  });

  it('attaches a comment after `;` on the same line as trailing', () => {
    const [a, b] = parse('a 1; # about a\nb 2;').root;
    expect(a!.trailingComment?.text).toBe(' about a');
    expect(b!.leadingComments).toEqual([]);
  });

  it('attaches a comment after `{` to the block directive, and one after `}` when it has none', () => {
    const [s, t] = parse('server { # main\n  x;\n}\nhttp {\n} # end http\n').root;
    expect(s!.trailingComment?.text).toBe(' main');
    expect(s!.block![0]!.leadingComments).toEqual([]);
    expect(t!.trailingComment?.text).toBe(' end http');
  });

  it('keeps every comment, including those between arguments, in order', () => {
    const { comments, root } = parse('listen 80 # mid\n  default_server;\n# end');
    expect(comments.map((c) => [c.text, c.line, c.column])).toEqual([
      [' mid', 1, 11],
      [' end', 3, 1],
    ]);
    expect(root[0]!.args.map((a) => a.value)).toEqual(['80', 'default_server']);
  });
});

describe('parser: errors and recovery', () => {
  it('reports `;;` as unexpected ";" and keeps going', () => {
    const { root, diagnostics } = parse('a;;\nb;');
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(['1:3 unexpected ";"']);
    expect(names(root)).toEqual(['a', 'b']);
  });

  it('reports a missing `;` before `}` and keeps the block', () => {
    const { root } = parse('http { server { listen 80 } }');
    expect(messages('http { server { listen 80 } }')).toEqual(['1:27 unexpected "}"']);
    expect(names(root)).toEqual([{ http: [{ server: [] }] }]);
  });

  it('reports a missing `;` at the end of the file', () => {
    expect(messages('events {}\nfoo\n')).toEqual(['3:1 unexpected end of file, expecting ";" or "}"']);
  });

  it('reports a missing `}` at the end of the file and closes the open blocks', () => {
    const { root, diagnostics } = parse('http {\n  server {\n');
    expect(diagnostics.map((d) => `${d.line} ${d.message}`)).toEqual(['3 unexpected end of file, expecting "}"']);
    expect(root[0]!.blockEnd).toBe(-1);
    expect(root[0]!.end).toBe('http {\n  server {\n'.length);
  });

  it('reports an extra `}` and a `{` without a name', () => {
    expect(messages('a;\n}\n{ b; }\nc;')).toEqual(['2:1 unexpected "}"', '3:1 unexpected "{"']);
    expect(names(parse('a;\n}\n{ b; }\nc;').root)).toEqual(['a', 'c']);
  });

  it('reports an unterminated quote once, at the end of the file', () => {
    expect(messages('a "b;\nc;\n')).toEqual(['3:1 unexpected end of file, expecting ";" or "}"']);
  });

  it('reads binary junk and NUL bytes without throwing', () => {
    const junk = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    const r = parse(junk + '\x00\x00{;}\x00');
    expect(Array.isArray(r.root)).toBe(true);
    expect(reconstruct(junk + '\x00\x00{;}\x00', r.root).text).toBe(junk + '\x00\x00{;}\x00');
  });

  it('parses 100,000 nested blocks without overflowing the stack', () => {
    const depth = 100_000;
    const text = 'a {'.repeat(depth) + '}'.repeat(depth);
    const { root, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    let levels = 0;
    walk(root, () => {
      levels++;
    });
    expect(levels).toBe(depth);
  });
});

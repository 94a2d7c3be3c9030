// The lexer reads tokens exactly as nginx's ngx_conf_read_token does (nginx 1.22 is the oracle;
// test/nginx/oracle.test.ts checks the trickiest of these against a real nginx).

import { describe, expect, it } from 'vitest';
import { tokenize, unescape, isLuaBlockName } from '../../src/nginx/lexer.js';

const words = (text: string) => tokenize(text).filter((t) => t.kind === 'word').map((t) => t.value);
const kinds = (text: string) => tokenize(text).map((t) => (t.kind === 'word' ? `w:${t.value}` : t.kind === 'error' ? `E:${t.value}` : t.kind));
const errors = (text: string) => tokenize(text).filter((t) => t.kind === 'error').map((t) => `${t.line}: ${t.value}`);

describe('lexer: words', () => {
  it('splits words on space, tab, CR and LF only', () => {
    expect(words('a b\tc\rd\ne;')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps a non-breaking space (or any other byte) inside a word', () => {
    expect(words('a\xc2\xa0b;')).toEqual(['a\u00a0b']);
    expect(words('a\x00b\x0bc;')).toEqual(['a\x00b\x0bc']);
  });

  it('ends a word at `;` and `{`', () => {
    expect(kinds('a;b{')).toEqual(['w:a', ';', 'w:b', '{']);
  });

  it('keeps `}` inside a word (`foo}bar` is one word)', () => {
    expect(words('set_real_ip_from foo}bar;')).toEqual(['set_real_ip_from', 'foo}bar']);
  });

  it('treats `}` at the start of a token as a block end', () => {
    expect(kinds('a }')).toEqual(['w:a', '}']);
  });

  it('keeps `${var}` inside a word and lets the following space split', () => {
    expect(words('try_files /x_${a} test;')).toEqual(['try_files', '/x_${a}', 'test']);
  });

  it('keeps every `{` of a `${{` run inside the word, as nginx does', () => {
    expect(kinds('map $a ${{ {}')).toEqual(['w:map', 'w:$a', 'w:${{', '{', '}']);
  });

  it('ends a word at `{` after an escaped `$`', () => {
    expect(kinds('a\\${')).toEqual(['w:a\\$', '{']);
  });

  it('starts comments only at the start of a token', () => {
    expect(kinds('a#b # c\nd;')).toEqual(['w:a#b', 'comment', 'w:d', ';']);
    expect(tokenize('x # hello\r\n')[1]).toMatchObject({ kind: 'comment', value: ' hello' });
  });

  it('treats a quote inside a bare word as an ordinary byte', () => {
    expect(words(`a"b c'd;`)).toEqual(['a"b', "c'd"]);
  });
});

describe('lexer: quotes and escapes', () => {
  it('reads single and double quoted strings with spaces, `;`, `{` and `}` inside', () => {
    expect(words(`"a b;{}" 'c d';`)).toEqual(['a b;{}', 'c d']);
    expect(tokenize('"x"')[0]).toMatchObject({ quote: '"', start: 0, end: 3 });
  });

  it('unescapes \\" \\\' \\\\ \\t \\r \\n in and out of quotes and keeps other escapes', () => {
    expect(words(`"a\\"b" 'c\\'d' e\\\\f g\\th "\\n\\r" \\x \\{;`)).toEqual(['a"b', "c'd", 'e\\f', 'g\th', '\n\r', '\\x', '\\{']);
  });

  it('keeps an escaped separator inside a word', () => {
    expect(words('a\\ b\\;c;')).toEqual(['a\\ b\\;c']);
  });

  it('reports `"a"b` as unexpected "b"', () => {
    expect(errors('x "a"b;')).toEqual(['1: unexpected "b"']);
  });

  it('accepts `;`, `{`, whitespace and `)` right after a closing quote, `)` starting a new word', () => {
    expect(errors('a "x"; b "y"{ c "z"\n; if ($a = "q")')).toEqual([]);
    expect(words('if ($a = "q")')).toEqual(['if', '($a', '=', 'q', ')']);
  });

  it('reports a closing quote followed by `}`', () => {
    expect(errors('a "x"}')).toEqual(['1: unexpected "}"']);
  });

  it('counts lines inside quoted strings and after escaped newlines', () => {
    const t = tokenize('a "x\ny" b\\\nc d;');
    expect(t.map((x) => x.line)).toEqual([1, 1, 2, 3, 3]);
  });
});

describe('lexer: limits nginx enforces', () => {
  it('accepts a 4095-byte word ended by `;` and rejects a 4096-byte one (too long parameter)', () => {
    expect(errors(`a ${'x'.repeat(4095)};`)).toEqual([]);
    expect(errors(`a ${'x'.repeat(4096)};`)).toEqual(['1: too long parameter "xxxxxxxxxx..." started']);
  });

  it('reports a quoted string of 4096 bytes as probably missing its closing quote', () => {
    expect(errors(`a "${'x'.repeat(4096)}";`)).toEqual(['1: too long parameter, probably missing terminating """ character']);
  });

  it('reports a comment longer than nginx buffer', () => {
    expect(errors(`#${'c'.repeat(5000)}\na;`)).toEqual(['1: too long parameter "#ccccccccc..." started']);
  });
});

describe('lexer: positions', () => {
  it('gives each token its byte offsets, line and column', () => {
    const t = tokenize('ab  "c d";\n  x;');
    expect(t[0]).toMatchObject({ start: 0, end: 2, line: 1, column: 1 });
    expect(t[1]).toMatchObject({ start: 4, end: 9, line: 1, column: 5 });
    expect(t[3]).toMatchObject({ value: 'x', start: 13, line: 2, column: 3 });
  });

  it('keeps CRLF line ends out of words and comments', () => {
    expect(kinds('a b;\r\n# c\r\nd;\r\n')).toEqual(['w:a', 'w:b', ';', 'comment', 'w:d', ';']);
    expect(tokenize('a;\r\nb;')[2]).toMatchObject({ line: 2, column: 1 });
  });
});

describe('lexer: *_by_lua_block bodies', () => {
  const body = (text: string) => tokenize(text).filter((t) => t.kind === 'word')[1]?.value;

  it('reads the body of any *_by_lua_block directive as one word', () => {
    expect(body('content_by_lua_block { ngx.say("}") }')).toBe(' ngx.say("}") ');
    expect(body('my_custom_by_lua_block { a = { 1 } }')).toBe(' a = { 1 } ');
    expect(isLuaBlockName('ssl_client_hello_by_lua_block')).toBe(true);
    expect(isLuaBlockName('content_by_lua')).toBe(false);
  });

  it('ignores braces in Lua strings, comments and long brackets', () => {
    const lua = `x_by_lua_block {\n  s = '{' .. "}" -- }\n  t = [[ } ]] u = [==[ ]] } ]==]\n  --[[ } \n } ]]\n}`;
    expect(errors(lua)).toEqual([]);
    expect(kinds(lua).slice(-1)).toEqual(['}']);
  });

  it('treats a quote not closed on its line as an ordinary byte, as lua-nginx-module does', () => {
    expect(errors(`x_by_lua_block {\n a = "it's\n}`)).toEqual([]);
  });

  it('reports a long bracket that never closes', () => {
    expect(errors('x_by_lua_block {\n  ngx.say([==[hi)\n}')).toEqual([
      '2: Lua code block missing the closing long bracket "]==]", the inlined Lua code may be too long',
    ]);
    expect(errors('x_by_lua_block {\n  a = 1 --[[ hi\n}')).toHaveLength(1);
  });

  it('reports a long bracket whose end lies beyond the buffer lua-nginx-module searches', () => {
    expect(errors(`x_by_lua_block {\n  s = [[\n${'a'.repeat(5000)}\n]]\n}`)).toHaveLength(1);
    expect(errors(`x_by_lua_block {\n  s = [[\n${'a'.repeat(1500)}\n]]\n}`)).toEqual([]);
  });

  it('reports a Lua block the file ends in at the line of its last `{`', () => {
    expect(errors('x_by_lua_block {\n a = 1\n')).toEqual(['1: unexpected end of file, expecting terminating characters for lua code block']);
  });
});

describe('unescape', () => {
  it('resolves only the escapes nginx resolves', () => {
    const s = 'a\\"b\\\\c\\qd';
    expect(unescape(s, 0, s.length)).toBe('a"b\\c\\qd');
  });
});

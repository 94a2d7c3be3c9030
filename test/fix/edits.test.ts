// The edit helpers: each returns edits on the original bytes in the file's own style.
import { describe, expect, it } from 'vitest';
import { loadConfigFromText } from '../../src/nginx/load.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { findAll } from '../../src/nginx/tree.js';
import {
  dedupeEdits, indentAt, indentUnit, insertAfter, insertBefore, insertIntoBlock, moveBefore, quoteIfNeeded, removeDirective,
  replaceArg, replaceArgs, replaceDirective, sourceOf,
} from '../../src/edit/edits.js';
import { applyEditsToText, editsOverlap } from '../../src/edit/apply-text.js';
import type { Edit } from '../../src/lint/rule.js';

const FILE = '/etc/nginx/nginx.conf';

function parse(text: string): NginxConfig {
  return loadConfigFromText(FILE, text, { singleFile: true });
}

function first(config: NginxConfig, name: string): Directive {
  const d = findAll(config, name)[0];
  if (!d) throw new Error(`no ${name}`);
  return d;
}

function apply(config: NginxConfig, ...edits: Array<Edit | null>): string {
  return applyEditsToText(config.main.text, edits.filter((e): e is Edit => e !== null));
}

function syntaxErrors(text: string): string[] {
  return parse(text).diagnostics.filter((d) => d.kind === 'syntax').map((d) => d.message);
}

describe('indentation and newline style', () => {
  it('reads one indentation level as the file writes it (tabs)', () => {
    expect(indentUnit(parse('http {\n\tserver {\n\t\tlisten 80;\n\t}\n}\n').main)).toBe('\t');
  });

  it('reads one indentation level as the file writes it (two spaces)', () => {
    expect(indentUnit(parse('http {\n  server {\n    listen 80;\n  }\n}\n').main)).toBe('  ');
  });

  it('gives the whitespace in front of a line', () => {
    const c = parse('http {\n\t  gzip on;\n}\n');
    expect(indentAt(c.main, first(c, 'gzip').start)).toBe('\t  ');
  });
});

describe('insertAfter', () => {
  it('puts the directive on a new line with the sibling\'s indentation', () => {
    const c = parse('upstream app {\n    server 127.0.0.1:8000;\n}\n');
    expect(apply(c, insertAfter(first(c, 'server'), 'keepalive 16;'))).toBe('upstream app {\n    server 127.0.0.1:8000;\n    keepalive 16;\n}\n');
  });

  it('keeps CRLF newlines and tab indentation', () => {
    const c = parse('upstream app {\r\n\tserver a:1;\r\n}\r\n');
    expect(apply(c, insertAfter(first(c, 'server'), 'keepalive 16;'))).toBe('upstream app {\r\n\tserver a:1;\r\n\tkeepalive 16;\r\n}\r\n');
  });

  it('goes after the sibling\'s trailing comment, not inside it', () => {
    const c = parse('upstream app {\n    server a:1; # primary\n}\n');
    expect(apply(c, insertAfter(first(c, 'server'), 'keepalive 16;'))).toBe('upstream app {\n    server a:1; # primary\n    keepalive 16;\n}\n');
  });

  it('stays on the line when more code follows the sibling there', () => {
    const c = parse('upstream app { server a:1; }\n');
    expect(apply(c, insertAfter(first(c, 'server'), 'keepalive 16;'))).toBe('upstream app { server a:1; keepalive 16; }\n');
  });

  it('works on the last line of a file without a final newline', () => {
    const c = parse('worker_processes 1;');
    expect(apply(c, insertAfter(first(c, 'worker_processes'), 'pcre_jit on;'))).toBe('worker_processes 1;\npcre_jit on;');
  });

  it('indents every line of a multi-line insertion like the first', () => {
    const c = parse('http {\n    gzip on;\n}\n');
    expect(apply(c, insertAfter(first(c, 'gzip'), 'map $a $b {\n    default 1;\n}'))).toBe('http {\n    gzip on;\n    map $a $b {\n        default 1;\n    }\n}\n');
  });

  it('writes non-ASCII text as UTF-8 bytes', () => {
    const c = parse('http {\n    gzip on;\n}\n');
    const out = apply(c, insertAfter(first(c, 'gzip'), 'add_header X-Name "café";'));
    expect(Buffer.from(out, 'latin1').toString('utf8')).toContain('"café"');
  });
});

describe('insertBefore', () => {
  it('inserts a whole line above the sibling, after its leading comments', () => {
    const c = parse('location / {\n    # the app\n    proxy_pass http://app;\n}\n');
    expect(apply(c, insertBefore(first(c, 'proxy_pass'), 'proxy_http_version 1.1;'))).toBe('location / {\n    # the app\n    proxy_http_version 1.1;\n    proxy_pass http://app;\n}\n');
  });

  it('inserts on the same line when the sibling does not start its line', () => {
    const c = parse('location / { proxy_pass http://app; }\n');
    expect(apply(c, insertBefore(first(c, 'proxy_pass'), 'proxy_http_version 1.1;'))).toBe('location / { proxy_http_version 1.1; proxy_pass http://app; }\n');
  });
});

describe('insertIntoBlock', () => {
  it('inserts after the last child named in `after`', () => {
    const c = parse('upstream app {\n    server a:1;\n    least_conn;\n    zone z 64k;\n}\n');
    const e = insertIntoBlock(first(c, 'upstream'), 'keepalive 16;', ['server', 'least_conn']);
    expect(apply(c, e)).toBe('upstream app {\n    server a:1;\n    least_conn;\n    keepalive 16;\n    zone z 64k;\n}\n');
  });

  it('inserts as the first line of the block when no anchor is there, with the children\'s indentation', () => {
    const c = parse('map $a $b {\n\tdefault 1;\n}\n');
    expect(apply(c, insertIntoBlock(first(c, 'map'), "'' 0;"))).toBe("map $a $b {\n\t'' 0;\n\tdefault 1;\n}\n");
  });

  it('inserts after a comment that follows the opening brace', () => {
    const c = parse('upstream app { # pool\n    server a:1;\n}\n');
    expect(apply(c, insertIntoBlock(first(c, 'upstream'), 'keepalive 16;'))).toBe('upstream app { # pool\n    keepalive 16;\n    server a:1;\n}\n');
  });

  it('indents one level deeper than the block in an empty multi-line block', () => {
    const c = parse('http {\n  upstream app {\n  }\n  server { listen 80; }\n}\n');
    expect(apply(c, insertIntoBlock(first(c, 'upstream'), 'keepalive 16;'))).toBe('http {\n  upstream app {\n    keepalive 16;\n  }\n  server { listen 80; }\n}\n');
  });

  it('stays on the line of an empty one-line block', () => {
    const c = parse('upstream app {}\n');
    expect(apply(c, insertIntoBlock(first(c, 'upstream'), 'keepalive 16;'))).toBe('upstream app { keepalive 16; }\n');
  });

  it('returns null for a directive without a block', () => {
    const c = parse('worker_processes 1;\n');
    expect(insertIntoBlock(first(c, 'worker_processes'), 'x;')).toBeNull();
  });
});

describe('replaceArg and quoting', () => {
  it('replaces one argument and leaves the rest of the line alone', () => {
    const c = parse('proxy_http_version 1.0;  # old\n');
    const d = first(c, 'proxy_http_version');
    expect(apply(c, replaceArg(c.main, d.args[0]!, '1.1'))).toBe('proxy_http_version 1.1;  # old\n');
  });

  it('quotes an empty value', () => {
    const c = parse("proxy_set_header Connection close;\n");
    const d = first(c, 'proxy_set_header');
    expect(apply(c, replaceArg(c.main, d.args[1]!, ''))).toBe('proxy_set_header Connection "";\n');
  });

  it.each([
    ['plain', 'plain'],
    ['two words', '"two words"'],
    ['a;b', '"a;b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['${host}', '"${host}"'],
    ['$host', '$host'],
  ])('quotes %j as %s', (value, quoted) => {
    expect(quoteIfNeeded(value)).toBe(quoted);
  });

  it('replaces all arguments of a directive', () => {
    const c = parse('listen 80 default;\n');
    expect(apply(c, replaceArgs(first(c, 'listen'), ['127.0.0.1:8080', 'default_server']))).toBe('listen 127.0.0.1:8080 default_server;\n');
  });

  it('replaces a whole directive', () => {
    const c = parse('http {\n    gzip   on;\n}\n');
    expect(apply(c, replaceDirective(first(c, 'gzip'), 'gzip off;'))).toBe('http {\n    gzip off;\n}\n');
  });
});

describe('removeDirective', () => {
  it('removes the whole line when the directive is alone on it', () => {
    const c = parse('http {\n    gzip on;  # compress\n    sendfile on;\n}\n');
    expect(apply(c, removeDirective(first(c, 'gzip')))).toBe('http {\n    sendfile on;\n}\n');
  });

  it('removes only the directive (and the blanks after it) when the line holds more', () => {
    const c = parse('http { gzip on;  sendfile on; }\n');
    expect(apply(c, removeDirective(first(c, 'gzip')))).toBe('http { sendfile on; }\n');
  });

  it('removes a CRLF line with its CRLF', () => {
    const c = parse('a 1;\r\nb 2;\r\nc 3;\r\n');
    expect(apply(c, removeDirective(first(c, 'b')))).toBe('a 1;\r\nc 3;\r\n');
  });

  it('removes a block directive spanning several lines', () => {
    const c = parse('http {\n    map $a $b {\n        default 1;\n    }\n    gzip on;\n}\n');
    expect(apply(c, removeDirective(first(c, 'map')))).toBe('http {\n    gzip on;\n}\n');
  });
});

describe('moveBefore', () => {
  it('moves a directive above another as one fix, comment included', () => {
    const c = parse('upstream app {\n    server a:1;\n    keepalive 16;\n    least_conn; # lb\n}\n');
    const out = apply(c, ...moveBefore(first(c, 'least_conn'), first(c, 'keepalive')));
    expect(out).toBe('upstream app {\n    server a:1;\n    least_conn; # lb\n    keepalive 16;\n}\n');
    expect(syntaxErrors(out)).toEqual([]);
  });

  it('gives the source of a directive as written', () => {
    const c = parse('gzip   on; # yes\n');
    expect(sourceOf(first(c, 'gzip'))).toBe('gzip   on;');
    expect(sourceOf(first(c, 'gzip'), true)).toBe('gzip   on; # yes');
  });
});

describe('edit bookkeeping', () => {
  it('drops duplicate edits', () => {
    const e: Edit = { file: FILE, start: 1, end: 1, text: 'x' };
    expect(dedupeEdits([e, { ...e }, { ...e, text: 'y' }])).toHaveLength(2);
  });

  it('treats identical edits as compatible and different insertions at one point as a conflict', () => {
    const a: Edit = { file: FILE, start: 5, end: 5, text: 'x' };
    expect(editsOverlap(a, { ...a })).toBe(false);
    expect(editsOverlap(a, { ...a, text: 'y' })).toBe(true);
  });

  it('lets an insertion touch the edge of a replacement but not its inside', () => {
    const r: Edit = { file: FILE, start: 5, end: 10, text: 'r' };
    expect(editsOverlap(r, { file: FILE, start: 10, end: 10, text: 'i' })).toBe(false);
    expect(editsOverlap(r, { file: FILE, start: 7, end: 7, text: 'i' })).toBe(true);
    expect(editsOverlap(r, { file: 'other', start: 7, end: 7, text: 'i' })).toBe(false);
  });

  it('keeps the given order of several insertions at one offset', () => {
    expect(applyEditsToText('ab', [{ file: FILE, start: 1, end: 1, text: '1' }, { file: FILE, start: 1, end: 1, text: '2' }])).toBe('a12b');
  });
});

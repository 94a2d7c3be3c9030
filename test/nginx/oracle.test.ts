// nginx is the oracle: tricky snippets go through the real `nginx -t` and through the parser; both
// must accept or reject, and a rejection must be reported on the same line. Needs nginx on PATH
// (installed in CI, where its absence fails the test).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFile } from '../../src/nginx/parser.js';
import { makeSourceFile } from '../../src/nginx/tree.js';

const nginxAvailable = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-oracle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Verdict {
  ok: boolean;
  line: number | null;
  message: string;
}

/** Runs `nginx -t` on a config in a private prefix (pid and logs in the temp dir). */
function nginxVerdict(name: string, text: string): Verdict {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, Buffer.from(text, 'latin1'));
  const r = spawnSync('nginx', ['-t', '-p', dir, '-c', file, '-g', `pid ${dir}/nginx.pid; error_log stderr;`], { encoding: 'utf8', timeout: 10_000 });
  const m = /\[emerg\] [^:]*: (.*) in \S+:(\d+)/.exec(r.stderr);
  return { ok: r.status === 0, line: m ? Number(m[2]) : null, message: m ? m[1]! : r.stderr.trim() };
}

function ourVerdict(text: string): Verdict {
  const d = parseFile(makeSourceFile('nginx.conf', text)).diagnostics[0];
  return { ok: !d, line: d ? d.line : null, message: d ? d.message : '' };
}

const http = (body: string) => `events {}\nhttp {\n${body}\n}\n`;

/** Each snippet isolates one lexing rule; rejected ones fail for syntax before anything else. */
const SNIPPETS: Record<string, string> = {
  'quote followed by a letter': http('add_header X-A "a"b;'),
  'closing brace inside a word': http('add_header X-A foo}bar;'),
  'variable in braces then a space': http('add_header X-A /x_${host} always;'),
  'every brace of ${{ stays in the word': http('map $uri ${{ { default 1; }'),
  'double semicolon': http('add_header X-A y;;'),
  'missing semicolon at end of file': 'events {}\nhttp {}\nworker_processes 1\n',
  'missing closing brace': 'events {}\nhttp {\n  server {\n',
  'extra closing brace': http('}'),
  'block without a name': http('{ }'),
  'hash inside a word is not a comment': http('add_header X-A a#b;'),
  'comment between arguments': http('add_header X-A # note\n  value;'),
  'CRLF line ends': 'events {}\r\nhttp {\r\n  add_header X-A y;\r\n  add_header X-B "a"b;\r\n}\r\n',
  'unterminated quote': http('add_header X-A "abc;\n\n'),
  'escaped newline counts a line': http('add_header X-A a\\\nb;\nadd_header X-B "a"c;'),
  'too long parameter': http(`add_header X-A ${'a'.repeat(4096)};`),
  'quoted string then parenthesis': http('server { location / { if ($request_method = "GET") { return 204; } } }'),
  'tab and carriage return separate words': http('add_header\tX-A\r\nvalue;'),
  'non-breaking space does not separate words': http('add_header X-A a\xc2\xa0b;'),
  'quoted string then newline then semicolon': http('add_header X-A "v"\n;'),
  'comment at end of file without newline': 'events {}\nhttp {}\n# done',
  'semicolon after a block': http('server { }\n;'),
};

describe('nginx as the oracle', () => {
  it('finds nginx (required in CI)', () => {
    if (process.env.CI) expect(nginxAvailable).toBe(true);
  });

  for (const [name, text] of Object.entries(SNIPPETS)) {
    it(`agrees with nginx -t on: ${name}`, () => {
      if (!nginxAvailable) return;
      const want = nginxVerdict(name.replace(/\W+/g, '-'), text);
      const got = ourVerdict(text);
      expect({ ok: got.ok, line: got.line }, `nginx: ${want.message} / conftune: ${got.message}`).toEqual({ ok: want.ok, line: want.line });
      if (!want.ok) expect(got.message).toBe(want.message);
    });
  }
});

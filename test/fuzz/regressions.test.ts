// Every crash or hang the fuzz suite found, replayed at a size where the old code failed: a
// quadratic one ran for hours on these inputs (the test timeout is the guard), a crash threw.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/nginx/parser.js';
import { loadConfig } from '../../src/nginx/load.js';
import { makeSourceFile } from '../../src/nginx/tree.js';
import { classifyFile, detectKind } from '../../src/model/discover.js';
import { detectSourceKind } from '../../src/gunicorn/detect.js';
import { evaluateConfPy, readFileLatin1 } from '../../src/gunicorn/index.js';
import { tempDir } from '../helpers/cli.js';

const MB = 1024 * 1024;
const GUARD = { timeout: 20_000 };

describe('fuzz regressions', () => {
  // Found: `^\s*…` with the m flag rescanned all following blank lines from every line start.
  it('guesses the kind of 1 MB of blank lines (LF or CR) at once', GUARD, () => {
    // Discovery guesses from content; a file named explicitly is nginx unless it reads as something else.
    expect(classifyFile('/x/site', '\n'.repeat(MB) + 'x', false)).toBeNull();
    expect(detectKind('/x/app.py', ' \n'.repeat(MB / 2) + 'x')).toBeNull();
    expect(classifyFile('/x/site', 'a\r'.repeat(MB / 2), false)).toBeNull();
    expect(classifyFile('/x/site', '\r'.repeat(MB / 8) + 'listen 80;', false)).toEqual({ kind: 'nginx' });
    expect(detectKind('/x/site', '\n'.repeat(MB) + 'x')).toBe('nginx');
  });

  it('guesses the gunicorn source kind of 1 MB of blank lines at once', GUARD, () => {
    expect(detectSourceKind('/x/run', '\n'.repeat(MB) + 'x')).toBeNull();
    expect(detectSourceKind('/x/run.conf', ' \n'.repeat(MB / 2))).toBeNull();
    expect(detectSourceKind('/x/unit', '\n'.repeat(MB) + '[Service]\nExecStart=gunicorn app:app\n')).toBe('systemd');
  });

  // Found: each unclosed Lua string rescanned the rest of the line.
  it('reads a Lua block of 1 MB of escaped quotes on one line at once', GUARD, () => {
    for (const q of ['"\\', "'\\"]) {
      const res = parseFile(makeSourceFile('/x', 'content_by_lua_block {' + q.repeat(MB / 2)));
      expect(res.diagnostics.some((d) => d.message.includes('lua code block'))).toBe(true);
    }
  });

  // Found: each unclosed long bracket searched for its end to the end of the file.
  it('reads a Lua block of 1 MB of unclosed long brackets at once', GUARD, () => {
    const res = parseFile(makeSourceFile('/x', 'content_by_lua_block {' + '[['.repeat(MB / 2)));
    expect(res.diagnostics.some((d) => d.message.includes('missing the closing long bracket'))).toBe(true);
    parseFile(makeSourceFile('/x', 'content_by_lua_block {' + '--[==['.repeat(MB / 6)));
  });

  // Found: RangeError (maximum call stack size exceeded) thrown out of the conf.py evaluator.
  it('reports 5,000 nested brackets in a conf.py instead of overflowing the stack', () => {
    for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']]) {
      const r = evaluateConfPy(makeSourceFile('/g.py', `workers = ${open.repeat(5000)}1${close.repeat(5000)}\n`));
      expect(r.syntaxError).toBe(true);
    }
  });

  it('evaluates `1+1+…` with 20,000 terms to an unknown value instead of overflowing the stack', () => {
    const r = evaluateConfPy(makeSourceFile('/g.py', `workers = 1${'+1'.repeat(20_000)}\nthreads = 2\n`));
    expect(r.syntaxError).toBe(false);
    expect(r.bindings.get('workers')?.value.t).toBe('dyn');
    expect(r.bindings.get('threads')?.value).toMatchObject({ t: 'int', v: 2 });
  });

  // Found: "Invalid string length" / "Invalid count value" thrown, or memory exhausted building it.
  it('marks `"x" * 10**9`, `[0] * 10**9` and `"a" * 10**400` unknown instead of building them', () => {
    const r = evaluateConfPy(makeSourceFile('/g.py', 'a = "x" * 10**9\nb = [0] * 10**9\nc = "a" * 10**400\nd = "ab" * 3\n'));
    for (const n of ['a', 'b', 'c']) expect(r.bindings.get(n)?.value.t).toBe('dyn');
    expect(r.bindings.get('d')?.value).toMatchObject({ t: 'str', v: 'ababab' });
  });

  it('catches a format width too large to build (`"%999999999999d" % 1`) as unknown', () => {
    const r = evaluateConfPy(makeSourceFile('/g.py', 'a = "%999999999999d" % 1\nb = f"{1:999999999999}"\nworkers = 2\n'));
    expect(r.bindings.get('workers')?.value).toMatchObject({ t: 'int', v: 2 });
  });

  // Found: reading a FIFO blocked forever (an include naming one, an EnvironmentFile= pointing at one).
  it('refuses to read a FIFO named by an include instead of blocking on it', GUARD, () => {
    const dir = tempDir();
    try {
      execFileSync('mkfifo', [path.join(dir, 'pipe.conf')]);
      fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp { include pipe.conf; include *.conf; }\n');
      const cfg = loadConfig(path.join(dir, 'nginx.conf'));
      expect(cfg.diagnostics.map((d) => d.message).join('\n')).toMatch(/pipe\.conf" failed \(not a regular file/);
      expect(readFileLatin1(path.join(dir, 'pipe.conf'))).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

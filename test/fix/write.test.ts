// Writing fixed files: atomic, mode and owner kept, links followed, all-or-nothing on bad input.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/check.js';
import { runFixMode } from '../../src/fix/index.js';
import { writeFilesAtomically } from '../../src/fix/write.js';
import { rule as keepaliveMissing } from '../../rules/nginx/upstream-keepalive-missing.js';
import { checkOptions, leftoverTemps, read, scratch } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) {
    // Read-only leftovers from the tests must not stop the cleanup.
    fs.chmodSync(d, 0o755);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

const CONF = 'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8000;\n    }\n    server {\n        listen 8080;\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n';

async function fixIn(dir: string, file = 'nginx.conf', before?: () => void) {
  const o = checkOptions(dir, [file], [keepaliveMissing]);
  const initial = check(o);
  before?.();
  return runFixMode(initial, { mode: 'write', unsafe: false, verify: false, cwd: dir, format: 'stylish', recheck: (ov) => check({ ...o, overrides: ov }) });
}

describe('atomic write', () => {
  it('writes the fixed file and leaves no temp file', async () => {
    const dir = scratch({ 'nginx.conf': CONF }, dirs);
    const out = await fixIn(dir);
    expect(out.errors).toEqual([]);
    expect(read(dir, 'nginx.conf')).toContain('keepalive 16;');
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('keeps the file mode', async () => {
    const dir = scratch({ 'nginx.conf': CONF }, dirs);
    fs.chmodSync(path.join(dir, 'nginx.conf'), 0o640);
    await fixIn(dir);
    expect(fs.statSync(path.join(dir, 'nginx.conf')).mode & 0o777).toBe(0o640);
  });

  it('keeps the owner when run as root', async () => {
    if (process.getuid?.() !== 0) return;
    const dir = scratch({ 'nginx.conf': CONF }, dirs);
    fs.chownSync(path.join(dir, 'nginx.conf'), 1234, 4321);
    await fixIn(dir);
    const st = fs.statSync(path.join(dir, 'nginx.conf'));
    expect([st.uid, st.gid]).toEqual([1234, 4321]);
  });

  it('writes the target of a symlink and keeps the link', async () => {
    const dir = scratch({ 'sites-available/nginx.conf': CONF }, dirs);
    fs.symlinkSync(path.join(dir, 'sites-available/nginx.conf'), path.join(dir, 'nginx.conf'));
    const out = await fixIn(dir);
    expect(out.errors).toEqual([]);
    expect(fs.lstatSync(path.join(dir, 'nginx.conf')).isSymbolicLink()).toBe(true);
    expect(read(dir, 'sites-available/nginx.conf')).toContain('keepalive 16;');
    expect(leftoverTemps(dir)).toEqual([]);
  });
});

describe('bad input writes nothing', () => {
  it('refuses a read-only file, leaving it unchanged', async () => {
    const dir = scratch({ 'nginx.conf': CONF }, dirs);
    fs.chmodSync(path.join(dir, 'nginx.conf'), 0o444);
    const out = await fixIn(dir);
    expect(out.errors).toEqual(['cannot write nginx.conf: the file is read-only']);
    expect(read(dir, 'nginx.conf')).toBe(CONF);
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('detects a file changed on disk between reading and writing', async () => {
    const dir = scratch({ 'nginx.conf': CONF }, dirs);
    const edited = CONF.replace('8080', '8081');
    const out = await fixIn(dir, 'nginx.conf', () => fs.writeFileSync(path.join(dir, 'nginx.conf'), edited));
    expect(out.errors).toEqual(['nginx.conf changed on disk since it was read; nothing was written (run conftune again)']);
    expect(read(dir, 'nginx.conf')).toBe(edited);
  });

  it('reports a directory that disappeared', async () => {
    const dir = scratch({ 'conf/nginx.conf': CONF }, dirs);
    const out = await fixIn(dir, 'conf/nginx.conf', () => fs.rmSync(path.join(dir, 'conf'), { recursive: true }));
    expect(out.errors).toEqual(['cannot write conf/nginx.conf: directory conf does not exist']);
  });

  it('writes none of several files when one of them cannot be written', () => {
    const dir = scratch({ 'a.conf': 'a', 'b.conf': 'b' }, dirs);
    fs.chmodSync(path.join(dir, 'b.conf'), 0o444);
    const r = writeFilesAtomically([
      { file: path.join(dir, 'a.conf'), text: 'A', original: 'a' },
      { file: path.join(dir, 'b.conf'), text: 'B', original: 'b' },
    ]);
    expect(r.ok).toBe(false);
    expect([read(dir, 'a.conf'), read(dir, 'b.conf')]).toEqual(['a', 'b']);
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('refuses to write input read from stdin', async () => {
    const dir = scratch({}, dirs);
    const o = checkOptions(dir, ['-'], [keepaliveMissing], { stdin: CONF });
    const out = await runFixMode(check(o), { mode: 'write', unsafe: false, verify: false, cwd: dir, format: 'stylish', fromStdin: true, recheck: (ov) => check({ ...o, overrides: ov }) });
    expect(out.errors[0]).toMatch(/cannot write input read from stdin/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

// Hostile file systems: cycles through symlinks, huge globs, unreadable and vanishing files, FIFOs,
// directories given as files, odd path names. Each ends in a finding or a clear exit-2 message,
// never a hang (the CLI runs under a 60 s timeout; each case here takes well under a second).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { diskFileSystem, loadConfig, type FileSystem } from '../../src/nginx/load.js';
import { conftune, tempDir } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function scratch(files: Record<string, string>): string {
  const dir = tempDir('conftune-hostile-');
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const MAIN = 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n';
const SERVER = 'server {\n    listen 8080;\n    location / {\n        return 200;\n    }\n}\n';
const args = (...files: string[]) => ['check', '--no-config', '--nginx-version', '1.24.0', '--cpus', '4', '--format', 'json', ...files];

describe('hostile file systems', () => {
  it('reports an include cycle through a directory symlink as a finding, not a hang', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    include loop/*.conf;\n}\n', 'real/a.conf': 'include loop/*.conf;\n' });
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'loop'));
    const r = conftune(args('nginx.conf'), { cwd: dir });
    expect(r.stdout + r.stderr).toMatch(/include cycle/);
    expect([1, 2]).toContain(r.code);
  });

  it('follows an include glob that matches 10,000 files', () => {
    const dir = scratch({ 'nginx.conf': MAIN });
    fs.mkdirSync(path.join(dir, 'conf.d'));
    for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(dir, 'conf.d', `s${String(i).padStart(5, '0')}.conf`), `server { listen ${10000 + i}; server_name s${i}; }\n`);
    const r = conftune(args('--select', 'nginx/syntax,nginx/include-missing', 'nginx.conf'), { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('reports an unreadable include (a read that fails) as include-missing with the reason', () => {
    const files = new Map([['/c/nginx.conf', MAIN], ['/c/conf.d/a.conf', SERVER], ['/c/conf.d/b.conf', SERVER]]);
    const fsys: FileSystem = {
      read: (f) => (f.endsWith('b.conf') ? { error: `open() "${f}" failed (13: Permission denied)` } : files.has(f) ? { text: files.get(f)! } : { error: 'ENOENT' }),
      list: (d) => (d === '/c/conf.d' ? ['a.conf', 'b.conf'] : null),
      isFile: (f) => files.has(f),
    };
    const cfg = loadConfig('/c/nginx.conf', { fs: fsys });
    expect(cfg.diagnostics.map((d) => d.message)).toEqual(['open() "/c/conf.d/b.conf" failed (13: Permission denied)']);
  });

  it('reports a file that vanishes between the glob and the read', () => {
    const files = new Map([['/c/nginx.conf', MAIN], ['/c/conf.d/a.conf', SERVER]]);
    const fsys: FileSystem = {
      // The glob sees gone.conf; by the time it is read, it is gone.
      read: (f) => (files.has(f) ? { text: files.get(f)! } : { error: `open() "${f}" failed (2: No such file or directory)` }),
      list: (d) => (d === '/c/conf.d' ? ['a.conf', 'gone.conf'] : null),
      isFile: (f) => f.startsWith('/c/conf.d/'),
    };
    const cfg = loadConfig('/c/nginx.conf', { fs: fsys });
    expect(cfg.diagnostics.map((d) => d.message)).toEqual(['open() "/c/conf.d/gone.conf" failed (2: No such file or directory)']);
    expect(cfg.files.has('/c/conf.d/a.conf')).toBe(true);
  });

  it('skips a dangling symlink matched by an include glob, as nginx does', () => {
    const dir = scratch({ 'nginx.conf': MAIN, 'conf.d/a.conf': SERVER });
    fs.symlinkSync(path.join(dir, 'nowhere.conf'), path.join(dir, 'conf.d', 'b.conf'));
    const cfg = loadConfig(path.join(dir, 'nginx.conf'));
    expect(cfg.diagnostics).toEqual([]);
    expect([...cfg.files.keys()].map((f) => path.basename(f))).toEqual(['nginx.conf', 'a.conf']);
  });

  it('does not block on a FIFO matched by an include glob', () => {
    const dir = scratch({ 'nginx.conf': MAIN, 'conf.d/a.conf': SERVER });
    execFileSync('mkfifo', [path.join(dir, 'conf.d', 'b.conf')]);
    const r = conftune(args('--select', 'nginx/syntax', 'nginx.conf'), { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('does not block on a FIFO included by name: include-missing names it as not a regular file', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    include pipe.conf;\n}\n' });
    execFileSync('mkfifo', [path.join(dir, 'pipe.conf')]);
    const r = conftune(args('nginx.conf'), { cwd: dir });
    expect(r.stdout).toMatch(/pipe\.conf\\" failed \(not a regular file/);
  });

  it('reads a FIFO given on the command line without a writer as empty, without blocking', () => {
    const dir = scratch({});
    execFileSync('mkfifo', [path.join(dir, 'nginx.conf')]);
    const r = conftune(args('nginx.conf'), { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('reads a pipe given on the command line (`<(cat nginx.conf)`) with its content', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    server_tokens on;\n}\n' });
    const script = `node ${JSON.stringify(path.resolve(__dirname, '../../dist/bundle/main.js'))} check --no-config --select nginx/version-disclosure --nginx <(cat nginx.conf)`;
    let out = '';
    let code = 0;
    try {
      out = execFileSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? '');
      code = (e as { status?: number }).status ?? -1;
    }
    expect(code).toBe(1);
    expect(out).toMatch(/nginx\/version-disclosure/);
  });

  it('refuses a character device given as a file with a clear exit-2 message', () => {
    const r = conftune(['check', '--no-config', '--nginx', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/\/dev\/zero: cannot read: not a regular file/);
  });

  it('refuses a directory given as an nginx file with a clear exit-2 message', () => {
    const dir = scratch({ 'sub/nginx.conf': SERVER });
    const r = conftune(['check', '--no-config', '--nginx', 'sub'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/sub: (is a directory|cannot read)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('discovers the configurations inside a directory given as a path', () => {
    const dir = scratch({ 'sub/nginx.conf': `server_tokens on;\n${SERVER}` });
    const r = conftune(['check', '--no-config', '--format', 'json', '--select', 'nginx/version-disclosure', 'sub'], { cwd: dir });
    expect(r.code).not.toBe(2);
    const files = (JSON.parse(r.stdout) as { findings: Array<{ file: string }> }).findings.map((f) => path.basename(f.file));
    expect(new Set(files)).toEqual(new Set(['nginx.conf']));
  });

  it('reports a missing file given on the command line with exit 2', () => {
    const dir = scratch({});
    const r = conftune(['check', '--no-config', 'nope.conf'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/nope\.conf: cannot read: No such file or directory/);
  });

  it('checks files whose paths hold spaces and non-ASCII characters', () => {
    const dir = scratch({ 'my confs/ñginx ü.conf': 'events {}\nhttp {\n    include "sites enabled/*.conf";\n}\n', 'my confs/sites enabled/säte 1.conf': 'server_tokens on;\n' });
    const r = conftune(args('--select', 'nginx/version-disclosure,nginx/include-missing', 'my confs/ñginx ü.conf'), { cwd: dir });
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as unknown;
    expect(JSON.stringify(findings)).toContain('säte 1.conf');
  });

  it('leaves the disk file system reading regular files as before', () => {
    const dir = scratch({ 'a.conf': 'x;' });
    expect(diskFileSystem.read(path.join(dir, 'a.conf'))).toEqual({ text: 'x;' });
    expect(diskFileSystem.read(dir)).toEqual({ error: `open() "${dir}" failed (21: Is a directory)` });
  });
});

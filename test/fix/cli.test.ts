// `conftune check --fix / --diff / --fix-dry-run` as a user runs them (the built CLI).
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { conftune, REPO } from '../helpers/cli.js';
import { HAS_GIT, HAS_NGINX, leftoverTemps, read, requireTool, scratch } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const SEED = fs.readFileSync(path.join(REPO, 'fixtures/seed/nginx.conf'), 'latin1');
const KA = ['--select', 'nginx/upstream-keepalive-missing', '--nginx-version', '1.24.0'];

function hunkLines(diff: string): string[] {
  return diff.split('\n').filter((l) => l !== '' && !/^(---|\+\+\+|@@) /.test(l));
}

describe('--diff', () => {
  it('shows only added lines for the seed config (nothing reformatted) and writes nothing', () => {
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    const r = conftune(['check', '--diff', '--nginx-version', '1.24.0', 'nginx.conf'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('--- a/nginx.conf\n+++ b/nginx.conf\n@@ ')).toBe(true);
    const changed = hunkLines(r.stdout).filter((l) => !l.startsWith(' '));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((l) => l.startsWith('+'))).toBe(true);
    expect(changed).toContain('+        keepalive 16;');
    expect(read(dir, 'nginx.conf')).toBe(SEED);
  });

  it('exits with the status of what is left after fixing', () => {
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    expect(conftune(['check', ...KA, 'nginx.conf'], { cwd: dir }).code).toBe(1);
    expect(conftune(['check', '--diff', ...KA, 'nginx.conf'], { cwd: dir }).code).toBe(0);
  });

  it('is accepted by git apply --check, and git apply produces what --fix writes', () => {
    if (!requireTool(HAS_GIT, 'git')) return;
    const files = {
      'etc/nginx/nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n    include sites-enabled/*;\n}\n',
      'etc/nginx/conf.d/upstreams.conf': 'upstream app_server {\r\n\tserver 127.0.0.1:8000;\r\n}\r\n',
      'etc/nginx/sites-enabled/app': 'server {\n    listen 8080;\n    location / {\n        proxy_pass http://app_server;\n    }\n}',
    };
    const repo = scratch(files, dirs);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    expect(git('init', '-q').status).toBe(0);
    const r = conftune(['check', '--diff', ...KA, 'etc/nginx/nginx.conf'], { cwd: repo });
    expect(r.stdout).toContain('--- a/etc/nginx/conf.d/upstreams.conf\n');
    fs.writeFileSync(path.join(repo, 'fix.patch'), r.stdout);
    const checked = git('apply', '--check', 'fix.patch');
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);

    const fixedCopy = scratch(files, dirs);
    expect(conftune(['check', '--fix', '--no-verify', ...KA, 'etc/nginx/nginx.conf'], { cwd: fixedCopy }).code).toBe(0);
    expect(git('apply', 'fix.patch').status).toBe(0);
    for (const name of Object.keys(files)) expect(read(repo, name), name).toBe(read(fixedCopy, name));
  });
});

describe('--fix', () => {
  it('writes the fix, prints a one-line summary on stderr, and exits with what is left', () => {
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    const r = conftune(['check', '--fix', ...KA, 'nginx.conf'], { cwd: dir });
    expect(r.stderr).toBe('conftune: applied 1 fix in 1 file\n');
    expect(r.code).toBe(0);
    expect(read(dir, 'nginx.conf')).toContain('keepalive 16;');
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('leaves a config that nginx -t accepts (seed: user and pid set, checked with a prefix dir)', () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    expect(conftune(['check', '--fix', '--nginx-version', '1.24.0', 'nginx.conf'], { cwd: dir }).stderr).toMatch(/^conftune: applied \d+ fixes in 1 file\n$/);
    const fixed = read(dir, 'nginx.conf').replace(/^user .*$/m, '').replace(/^pid .*$/m, '');
    const copy = path.join(dir, 'copy.conf');
    fs.writeFileSync(copy, fixed);
    const t = spawnSync('nginx', ['-t', '-q', '-p', dir + '/', '-e', 'stderr', '-c', copy, '-g', `pid ${dir}/nginx.pid; error_log stderr;`], { encoding: 'utf8' });
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
  });

  it('exits 2 and changes nothing on a read-only file', () => {
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    fs.chmodSync(path.join(dir, 'nginx.conf'), 0o444);
    const r = conftune(['check', '--fix', ...KA, 'nginx.conf'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('conftune: cannot write nginx.conf: the file is read-only\n');
    expect(read(dir, 'nginx.conf')).toBe(SEED);
  });

  it('refuses to write stdin back and points at --diff', () => {
    const r = conftune(['check', '--fix', ...KA, '-'], { input: SEED, cwd: scratch({}, dirs) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use --diff');
  });
});

describe('--fix-dry-run', () => {
  it('lists the edits of every fix as JSON and writes nothing', () => {
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    const r = conftune(['check', '--fix-dry-run', '--format', 'json', ...KA, 'nginx.conf'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['passes', 'fixes', 'conflicts', 'skipped', 'files']);
    expect(doc.files).toEqual(['nginx.conf']);
    expect(doc.fixes).toHaveLength(1);
    const fix = doc.fixes[0];
    expect(fix).toMatchObject({ ruleId: 'nginx/upstream-keepalive-missing', file: 'nginx.conf', line: 19, column: 5, kind: 'safe', pass: 1 });
    expect(fix.edits).toEqual([
      { file: 'nginx.conf', start: expect.any(Number), end: expect.any(Number), line: 20, column: 46, endLine: 20, endColumn: 46, text: '\n        keepalive 16;' },
      { file: 'nginx.conf', start: expect.any(Number), end: expect.any(Number), line: 30, column: 46, endLine: 30, endColumn: 46, text: '\n            proxy_http_version 1.1;' },
      { file: 'nginx.conf', start: expect.any(Number), end: expect.any(Number), line: 30, column: 46, endLine: 30, endColumn: 46, text: '\n            proxy_set_header Connection "";' },
    ]);
    expect(read(dir, 'nginx.conf')).toBe(SEED);
  });

  it('lists the edits for people without --format json', () => {
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    const r = conftune(['check', '--fix-dry-run', ...KA, 'nginx.conf'], { cwd: dir });
    expect(r.stdout).toContain('nginx.conf:19:5: nginx/upstream-keepalive-missing: add "keepalive 16;" to upstream app_server');
    expect(r.stdout).toContain('  nginx.conf:20:46-20:46: insert "\\n        keepalive 16;"');
  });
});

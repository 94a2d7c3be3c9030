// The real pre-commit (Debian's /usr/bin/pre-commit) installs this repository as a hook source
// with `language: node` — clone, `npm install`, `npm pack` (prepack builds dist/), `npm install -g`
// of the tarball — and runs the hooks from .pre-commit-hooks.yaml on a throwaway git project.
// Needs git, pre-commit, and the npm registry for the package's dependencies.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const PRE_COMMIT = fs.existsSync('/usr/bin/pre-commit') ? '/usr/bin/pre-commit' : 'pre-commit';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-precommit-'));
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });

/** The working tree as a git repo of its own: pre-commit installs hooks from a commit, and the
 * checkout's own history must not be touched. Ignored paths (node_modules, dist) stay out. */
function snapshotRepo(dest: string): string {
  const files = git(ROOT, 'ls-files', '--cached', '--others', '--exclude-standard', '-z').split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(ROOT, f);
    if (!fs.existsSync(from) || !fs.statSync(from).isFile()) continue;
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dest, f));
  }
  git(dest, 'init', '-q');
  git(dest, 'add', '-A');
  git(dest, 'commit', '-q', '-m', 'snapshot');
  return git(dest, 'rev-parse', 'HEAD').trim();
}

const ARGS = "['--nginx-version', '1.24', '--select', 'nginx/upstream-keepalive-missing']";

function project(name: string, files: Record<string, string>, hookRepo: string, rev: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  fs.writeFileSync(
    path.join(dir, '.pre-commit-config.yaml'),
    `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: conftune\n        args: ${ARGS}\n      - id: conftune-fix\n        args: ${ARGS}\n        stages: [manual]\n`,
  );
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  return dir;
}

function preCommit(cwd: string, ...args: string[]) {
  const r = spawnSync(PRE_COMMIT, ['run', ...args, '--all-files', '--color', 'never'], {
    cwd,
    env: { ...GIT_ENV, PRE_COMMIT_HOME: path.join(tmp, 'cache') },
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const BAD = 'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8000;\n    }\n    server {\n        listen 8080;\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n';
const GOOD = BAD.replace('server 127.0.0.1:8000;\n', 'server 127.0.0.1:8000;\n        keepalive 16;\n').replace('proxy_pass http://app;', 'proxy_http_version 1.1;\n            proxy_set_header Connection "";\n            proxy_pass http://app;');

let hookRepo = '';
let rev = '';

beforeAll(() => {
  hookRepo = path.join(tmp, 'conftune-hooks');
  rev = snapshotRepo(hookRepo);
  // Install once (the slow part: npm install, build, npm install -g); later runs reuse it.
  const r = preCommit(project('install', { 'README.md': 'x\n' }, hookRepo, rev), '--hook-stage', 'manual', 'conftune-fix');
  if (r.code !== 0) throw new Error(`pre-commit could not install the conftune hook:\n${r.out}`);
}, 300_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('pre-commit hooks (.pre-commit-hooks.yaml, language: node)', () => {
  it('fails and prints the finding when an nginx.conf has a problem', () => {
    const r = preCommit(project('bad', { 'nginx.conf': BAD }, hookRepo, rev), 'conftune');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/conftune .*Failed/);
    expect(r.out).toContain('nginx.conf:3:5: warning nginx/upstream-keepalive-missing');
  });

  it('passes on a configuration without findings', () => {
    const r = preCommit(project('good', { 'nginx.conf': GOOD }, hookRepo, rev), 'conftune');
    expect(r.out).toMatch(/conftune .*Passed/);
    expect(r.code).toBe(0);
  });

  it('skips commits that touch no nginx or gunicorn file', () => {
    const r = preCommit(project('unrelated', { 'README.md': '# hi\n', 'app.py': 'print(1)\n' }, hookRepo, rev), 'conftune');
    expect(r.out).toMatch(/conftune .*Skipped/);
    expect(r.code).toBe(0);
  });

  it('matches configs under conf.d/ and sites-enabled/ by its files pattern', () => {
    const dir = project('layout', {}, hookRepo, rev);
    fs.mkdirSync(path.join(dir, 'sites-enabled'));
    fs.writeFileSync(path.join(dir, 'sites-enabled', 'app'), BAD.replace('events {}\nhttp {\n', '').replace(/}\n$/, ''));
    git(dir, 'add', '-A');
    const r = preCommit(dir, 'conftune');
    expect(r.out).toContain('nginx/upstream-keepalive-missing');
    expect(r.code).toBe(1);
  });

  it('conftune-fix applies the safe fix in place and stops the commit for review', () => {
    const dir = project('fix', { 'nginx.conf': BAD }, hookRepo, rev);
    const r = preCommit(dir, '--hook-stage', 'manual', 'conftune-fix');
    expect(r.out).toMatch(/files were modified by this hook/);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'nginx.conf'), 'utf8')).toContain('keepalive 16;');
    // The fixed file now passes the lint hook.
    git(dir, 'add', '-A');
    expect(preCommit(dir, 'conftune').code).toBe(0);
  });
});

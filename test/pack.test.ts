// `npm pack` makes a package that installs and runs on a clean machine: the tarball holds the
// built CLI, the rules' docs and the schemas (no sources, tests or dev tooling), and installed
// into an empty project with only its runtime dependencies, `npx conftune …` works.
// Needs the npm registry for the runtime dependencies.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-pack-'));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** A copy of the working tree (tracked and new files, not ignored ones) with the checkout's
 * node_modules linked in, so `npm pack` builds there and never touches the shared dist/. */
function copyTree(dest: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(ROOT, f);
    if (!fs.existsSync(from) || !fs.statSync(from).isFile()) continue;
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dest, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dest, 'node_modules'));
}

const app = path.join(tmp, 'app');
let tarball = '';
let contents: string[] = [];

function npx(...args: string[]) {
  const r = spawnSync('npx', ['--no-install', 'conftune', ...args], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const src = path.join(tmp, 'src');
  copyTree(src);
  const out = execFileSync('npm', ['pack', '--pack-destination', tmp], { cwd: src, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  tarball = path.join(tmp, out.trim().split('\n').pop()!);
  contents = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'clean-app', version: '1.0.0', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'pipe', timeout: 240_000 });
}, 300_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm package', () => {
  it('prints only the tarball name from npm pack (pre-commit parses it)', () => {
    expect(path.basename(tarball)).toBe(`conftune-${pkg.version}.tgz`);
  });

  it('ships the built CLI, the library types, rule docs, schemas and the changelog', () => {
    for (const f of ['dist/bundle/main.js', 'dist/bundle/worker.js', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/rules/index.js', 'rules/nginx/upstream-keepalive-missing.md', 'schema/conftune.schema.json', 'schema/check-result.schema.json', 'CHANGELOG.md', 'package.json']) {
      expect(contents).toContain(f);
    }
  });

  it('ships no TypeScript sources, tests, fixtures or benchmarks', () => {
    expect(contents.filter((f) => /^(test|fixtures|bench|src)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  it('declares a bin, an engines range and only runtime dependencies', () => {
    expect(pkg.bin.conftune).toBe('dist/bundle/main.js');
    expect(pkg.engines.node).toMatch(/>=\s*20/);
    for (const dev of ['typescript', 'vitest', 'fast-check', 'ajv-draft-04', 'autocannon']) expect(pkg.dependencies[dev]).toBeUndefined();
  });

  it('installs without dev tooling', () => {
    expect(fs.existsSync(path.join(app, 'node_modules/conftune/dist/src/cli/main.js'))).toBe(true);
    expect(fs.existsSync(path.join(app, 'node_modules/typescript'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'node_modules/vitest'))).toBe(false);
  });

  it('runs `npx conftune --version`', () => {
    const r = npx('--version');
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.code).toBe(0);
  });

  it('runs `npx conftune explain proxy_buffering` with nginx\'s reference', () => {
    const r = npx('explain', 'proxy_buffering');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Syntax:  proxy_buffering on | off;');
    expect(r.stdout).toContain('Default: proxy_buffering on;');
    expect(r.stdout).toContain('Context: http, server, location');
  });

  it('runs `npx conftune explain nginx/upstream-keepalive-missing` from the shipped docs page', () => {
    const r = npx('explain', 'nginx/upstream-keepalive-missing');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## What it detects');
  });

  it('runs `npx conftune check` on a config in the clean project', () => {
    fs.writeFileSync(path.join(app, 'nginx.conf'), 'events {}\nhttp {\n    upstream a {\n        server 127.0.0.1:8000;\n    }\n    server {\n        location / {\n            proxy_pass http://a;\n        }\n    }\n}\n');
    const r = npx('check', '--nginx-version', '1.24', '--select', 'nginx/upstream-keepalive-missing', '--format', 'github', 'nginx.conf');
    expect(r.stdout).toContain('title=nginx/upstream-keepalive-missing');
    expect(r.code).toBe(1);
  });

  it('exposes check, fix and probe to `import … from "conftune"`', () => {
    const script = "import('conftune').then((m) => console.log([typeof m.check, typeof m.fix, typeof m.probe, typeof m.tune].join(' ')))";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    expect(out.trim()).toBe('function function function function');
  });
});

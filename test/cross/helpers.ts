// Deployment directories written to a temp dir and checked like `conftune check` run inside them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { check, type CheckOptions, type CheckResult } from '../../src/check.js';
import type { Finding } from '../../src/lint/rule.js';

export const REPO = path.resolve(__dirname, '..', '..');
export const SEED = path.join(REPO, 'fixtures', 'seed');

/** Writes `files` (relative path → text) under a fresh temp dir and returns it. */
export function deployment(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'conftune-cross-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

export function removeAll(dirs: string[]): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** check() with fixed versions and cores, so results don't depend on the machine. */
export function checkDir(dir: string, opts: Partial<CheckOptions> = {}): CheckResult {
  return check({ paths: [], cwd: dir, nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 4, env: {}, ...opts });
}

/** Findings of one rule as `file:line` (file names only). */
export function at(result: CheckResult, ruleId: string): string[] {
  return result.findings.filter((f) => f.ruleId === ruleId).map((f) => `${path.basename(f.file)}:${f.line}`).sort();
}

export function of(result: CheckResult, ruleId: string): Finding[] {
  return result.findings.filter((f) => f.ruleId === ruleId);
}

/** The 1-based line of the first line of `file` in `dir` containing `needle`. */
export function lineOf(dir: string, file: string, needle: string): number {
  const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

/** A minimal nginx.conf proxying `/` to `target` (an upstream server address) with pooling on or off. */
export function nginxTo(target: string, opts: { pool?: boolean; upstreamExtra?: string; locationExtra?: string; serverExtra?: string; top?: string } = {}): string {
  const pool = opts.pool ?? false;
  return `${opts.top ?? ''}events {}
http {
    upstream app {
        server ${target};
${pool ? '        keepalive 16;\n' : ''}${opts.upstreamExtra ?? ''}    }
    server {
        listen 8080;
${opts.serverExtra ?? ''}        location / {
${pool ? '            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n' : ''}${opts.locationExtra ?? ''}            proxy_pass http://app;
        }
    }
}
`;
}

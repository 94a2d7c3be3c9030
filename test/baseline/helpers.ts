// Shared by the baseline tests: a check over a temporary tree, and a baseline matched against it
// the way `check --baseline` does (src/baseline/index.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, type CheckResult } from '../../src/check.js';
import { checkedScope, updatedEntries, type OpenBaseline } from '../../src/baseline/index.js';
import type { BaselineEntry } from '../../src/baseline/format.js';

export const TLS_RULE = 'nginx/weak-ssl-tls';
export const WEAK_TLS = 'ssl_protocols TLSv1 TLSv1.2;';
export const STRONG_TLS = 'ssl_protocols TLSv1.2 TLSv1.3;';

/** An nginx.conf with one server per entry of `servers` (each a list of directive lines). */
export function nginxConf(servers: string[][], prefixLines: string[] = []): string {
  const blocks = servers.map((lines) => `    server {\n${lines.map((l) => `        ${l}\n`).join('')}    }\n`).join('');
  return `${prefixLines.map((l) => `${l}\n`).join('')}events {}\nhttp {\n${blocks}}\n`;
}

/** A check pinned to fixed versions and cores, so findings depend only on the files. */
export function runCheck(dir: string, paths: string[], select = [TLS_RULE]): CheckResult {
  return check({ paths, cwd: dir, config: {}, select, nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 4, env: {} });
}

/** A baseline file in `dir` holding `entries`, as openBaseline returns it. */
export function baselineIn(dir: string, entries: BaselineEntry[]): OpenBaseline {
  return { file: path.join(dir, 'conftune-baseline.json'), name: 'conftune-baseline.json', baseDir: dir, entries };
}

/** The entries `--update-baseline` would write for this run (over `previous`). */
export function entriesFor(dir: string, result: CheckResult, previous: BaselineEntry[] = []): BaselineEntry[] {
  return updatedEntries(result.findings, previous, { baseDir: dir, files: result.files, scope: checkedScope(result), exists: (f) => fs.existsSync(f) });
}

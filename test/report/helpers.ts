// Shared by the reporter tests: a check run pinned to fixed versions, cores and rules, so
// reporter output depends only on the fixture (not on the host or on rules added later).

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, type CheckOptions } from '../../src/check.js';
import type { ReportInput } from '../../src/report/types.js';
import { loadReporter, type FormatName } from '../../src/report/index.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ReportCase {
  name: string;
  cwd: string;
  select: string[];
  paths?: string[];
}

export const CASES: ReportCase[] = [
  {
    name: 'seed',
    cwd: path.join(ROOT, 'fixtures/seed'),
    select: ['nginx/upstream-keepalive-missing'],
    paths: ['nginx.conf'],
  },
  {
    name: 'suppressed',
    cwd: path.join(ROOT, 'test/report/fixtures/suppressed'),
    select: ['nginx/upstream-keepalive-missing'],
    paths: ['nginx.conf'],
  },
];

export function reportInput(c: ReportCase, extra: Partial<CheckOptions> = {}): ReportInput {
  const result = check({
    paths: c.paths ?? [],
    cwd: c.cwd,
    config: {},
    select: c.select,
    nginxVersion: '1.24.0',
    gunicornVersion: '23.0.0',
    cpus: 4,
    env: {},
    ...extra,
  });
  return {
    findings: result.findings,
    suppressed: result.suppressed,
    errors: result.errors,
    files: result.files,
    rules: result.rules,
    cwd: c.cwd,
    color: false,
    toolVersion: '0.0.0-test',
  };
}

export async function render(format: FormatName, input: ReportInput): Promise<string> {
  return (await loadReporter(format))(input);
}

/** Machine-independent text: the checkout's location replaced by a placeholder. */
export function normalise(text: string): string {
  const url = pathToFileURL(ROOT).href;
  return text.split(url).join('file://<root>').split(ROOT).join('<root>');
}

// conftune as a library: `import { check, fix, probe, tune } from 'conftune'`.
// The same functions the CLI calls, with plain data in and out; nothing here prints or exits.

import { check, type CheckOptions, type CheckResult } from './check.js';
import type { Finding } from './lint/rule.js';

export { check, DEFAULT_NGINX_VERSION, DEFAULT_GUNICORN_VERSION } from './check.js';
export type { CheckOptions, CheckResult, CheckError } from './check.js';
export type { Finding, Fix, Edit, Rule, RuleMeta, Category, FixKind } from './lint/rule.js';
export type { Severity } from './nginx/tree.js';
export type { ConftuneConfig } from './lint/config.js';
export { probe, ProbeOptionsError } from './probe/index.js';
export type { ProbeOptions, ProbeResult, ProbeProgress } from './probe/index.js';
export { crossplaneParse } from './nginx/crossplane.js';
export type { CrossplaneOptions, CrossplanePayload } from './nginx/crossplane.js';

export interface FixOptions extends CheckOptions {
  /** Also apply suggested (unsafe) fixes, as `--fix --unsafe`. */
  unsafe?: boolean;
  /** Write the fixed files (atomically, mode kept); default false: only compute them. */
  write?: boolean;
}

export interface FixedFile {
  file: string;
  /** UTF-8 text before and after (files are edited byte-exactly; this is for display and diffs). */
  before: string;
  after: string;
}

export interface FixResult {
  /** Files whose content the fixes change. */
  files: FixedFile[];
  /** Findings whose fix was applied. */
  applied: Finding[];
  /** What a check of the fixed files still finds. */
  remaining: CheckResult;
  /** True when `write` was set and every changed file was written. */
  written: boolean;
  /** Why nothing was written (the fixed text would not parse, or a write failed). */
  errors: string[];
}

const utf8 = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');

/** Checks, applies the selected fixes until stable (in memory), and optionally writes the files. */
export async function fix(options: FixOptions): Promise<FixResult> {
  const { planFixes } = await import('./fix/apply.js');
  const initial = check(options);
  const plan = planFixes(initial, (overrides) => check({ ...options, overrides }), { unsafe: Boolean(options.unsafe) });
  const files = [...plan.files].map(([file, text]) => ({ file, before: utf8(initial.files.get(file)?.text ?? ''), after: utf8(text) }));
  const errors = plan.syntaxErrors.map((e) => `${e.file}: the fixed text would not parse: ${e.message}`);
  const result: FixResult = { files, applied: plan.applied, remaining: plan.result, written: false, errors };
  if (!options.write || errors.length > 0) return result;
  const { writeFilesAtomically } = await import('./fix/write.js');
  // The fixer's writer: all files or none, each checked unchanged since it was read.
  const outcome = writeFilesAtomically(
    [...plan.files].map(([file, text]) => ({ file, text, original: initial.files.get(file)?.text ?? '' })),
  );
  if (!outcome.ok) errors.push(outcome.error);
  result.written = outcome.ok;
  return result;
}

export { tune } from './tune/index.js';
export type { TuneOptions, TuneResult } from './tune/index.js';

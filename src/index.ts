// conftune as a library: `import { check, fix, probe, tune } from 'conftune'`.
// The same functions the CLI calls, with plain data in and out; nothing here prints or exits.

import * as fs from 'node:fs';
import * as path from 'node:path';
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
  for (const [file, text] of plan.files) {
    const problem = writeAtomically(file, Buffer.from(text, 'latin1'));
    if (problem) errors.push(problem);
  }
  result.written = errors.length === 0;
  return result;
}

/** Temp file in the same directory, then rename: readers never see half a file. */
function writeAtomically(file: string, bytes: Buffer): string | undefined {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.conftune-${process.pid}.tmp`);
  try {
    const mode = fs.statSync(file).mode & 0o7777;
    fs.writeFileSync(tmp, bytes, { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
    return undefined;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    return `${file}: cannot write: ${(e as Error).message}`;
  }
}

/** Options of `tune` (see src/tune/index.ts); typed loosely until that module exists. */
export type TuneOptions = Record<string, unknown>;

/**
 * The tuner, loaded on first use: it pulls in the sandbox and the probe, which `check` users
 * should not pay for. The specifier is a variable so this entry type-checks while src/tune is
 * being written; switch to a literal import (and its types) once it exists.
 */
export async function tune(options: TuneOptions): Promise<unknown> {
  const specifier = './tune/index.js';
  const m = (await import(specifier)) as { tune(o: TuneOptions): Promise<unknown> };
  return m.tune(options);
}

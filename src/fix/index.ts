// `check --fix / --diff / --fix-dry-run`: plan fixes, then write, print a diff, or list edits.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckResult } from '../check.js';
import { planFixes } from './apply.js';

export interface FixModeOptions {
  mode: 'write' | 'diff' | 'dry-run';
  unsafe: boolean;
  verify: boolean;
  cwd: string;
  recheck: (overrides: Map<string, string>) => CheckResult;
  format: string;
}

export interface FixOutcome {
  result: CheckResult;
  output: string;
  errors: string[];
}

export async function runFixMode(initial: CheckResult, opts: FixModeOptions): Promise<FixOutcome> {
  const plan = planFixes(initial, opts.recheck, { unsafe: opts.unsafe });
  const errors: string[] = [];
  if (plan.result.errors.length > initial.errors.length) {
    return { result: initial, output: '', errors: ['fixes would produce a configuration that does not parse; nothing written'] };
  }
  if (opts.mode === 'diff') {
    const { createTwoFilesPatch } = await import('diff');
    let out = '';
    for (const [file, text] of plan.files) {
      const before = initial.files.get(file)?.text ?? '';
      const rel = path.relative(opts.cwd, file) || file;
      out += createTwoFilesPatch(`a/${rel}`, `b/${rel}`, Buffer.from(before, 'latin1').toString('utf8'), Buffer.from(text, 'latin1').toString('utf8'), '', '', { context: 3 });
    }
    return { result: plan.result, output: out, errors };
  }
  if (opts.mode === 'dry-run') {
    const out = JSON.stringify({ fixes: plan.applied.map((f) => ({ ruleId: f.ruleId, file: f.file, line: f.line, description: f.fix?.description, edits: f.fix?.edits })) }, null, 2) + '\n';
    return { result: plan.result, output: opts.format === 'json' ? out : '', errors };
  }
  for (const [file, text] of plan.files) fs.writeFileSync(file, Buffer.from(text, 'latin1'));
  return { result: plan.result, output: '', errors };
}

// `check --fix / --diff / --fix-dry-run`: plan fixes, then write, print a diff, or list edits.
// Order of the checks before a write: the fixed text parses, nginx -t accepts it (unless
// --no-verify), every file is still as read and writable; only then is anything written.

import * as path from 'node:path';
import type { CheckResult } from '../check.js';
import type { Finding } from '../lint/rule.js';
import type { NginxConfig, SourceFile } from '../nginx/tree.js';
import { decodeLatin1, positionOf } from '../nginx/tree.js';
import { planFixes, type FixPlan } from './apply.js';
import { verifyNginx } from './verify.js';
import { writeFilesAtomically } from './write.js';

export { planFixes, wantedFix, type FixPlan } from './apply.js';

export interface FixModeOptions {
  mode: 'write' | 'diff' | 'dry-run';
  unsafe: boolean;
  verify: boolean;
  cwd: string;
  recheck: (overrides: Map<string, string>) => CheckResult;
  format: string;
  /** Input came from stdin: there is no file to write back to. */
  fromStdin?: boolean;
  /** nginx binary used for verification (tests point it elsewhere). */
  nginxBinary?: string;
  /** Re-check passes at most (default 10). */
  maxPasses?: number;
}

export interface FixOutcome {
  result: CheckResult;
  /** For stdout: the diff, or the edit list. */
  output: string;
  /** Each makes the exit status 2; nothing was written. */
  errors: string[];
  /** For stderr: the summary line, conflicts, verification notes. */
  notes: string[];
  /** Files written (write mode). */
  written: string[];
  plan?: FixPlan;
}

/** A path as shown to users: relative to cwd when inside it. */
export function displayPath(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}

function where(f: Finding, cwd: string): string {
  return `${displayPath(f.file, cwd)}:${f.line}:${f.column}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : /(s|x|sh|ch)$/.test(word) ? 'es' : 's'}`;
}

/** Conflicts and skipped fixes, one line each. */
function planNotes(plan: FixPlan, cwd: string): string[] {
  const out: string[] = [];
  for (const c of plan.conflicts) {
    out.push(`not applied: ${c.finding.ruleId} at ${where(c.finding, cwd)}: conflicts with ${c.conflictsWith.ruleId} at ${where(c.conflictsWith, cwd)}`);
  }
  for (const s of plan.skipped) out.push(`not applied: ${s.finding.ruleId} at ${where(s.finding, cwd)}: ${s.reason}`);
  return out;
}

function summary(plan: FixPlan, verb: string): string {
  const n = plan.applied.length;
  const m = plan.files.size;
  const left = plan.conflicts.length + plan.skipped.length;
  return `${verb} ${plural(n, 'fix')} in ${plural(m, 'file')}${left > 0 ? `; ${left} not applied` : ''}`;
}

export async function runFixMode(initial: CheckResult, opts: FixModeOptions): Promise<FixOutcome> {
  const plan = planFixes(initial, opts.recheck, { unsafe: opts.unsafe, maxPasses: opts.maxPasses });
  const notes = planNotes(plan, opts.cwd);
  const base = { plan, written: [] as string[] };
  if (plan.syntaxErrors.length > 0) {
    const e = plan.syntaxErrors[0]!;
    return {
      ...base, result: initial, output: '', notes,
      errors: [`fixing would leave a syntax error in ${displayPath(e.file, opts.cwd)} (${e.message}); nothing was written`],
    };
  }
  if (opts.mode === 'diff') return { ...base, result: plan.result, output: await unifiedDiff(initial, plan, opts.cwd), errors: [], notes };
  if (opts.mode === 'dry-run') {
    const output = opts.format === 'json' ? dryRunJson(plan, opts.cwd) : dryRunText(plan, opts.cwd);
    return { ...base, result: plan.result, output, errors: [], notes };
  }

  // write
  if (plan.files.size === 0) return { ...base, result: plan.result, output: '', errors: [], notes: [summary(plan, 'applied'), ...notes] };
  if (opts.fromStdin) {
    return { ...base, result: initial, output: '', notes, errors: ['--fix cannot write input read from stdin; use --diff to get a patch'] };
  }
  if (opts.verify) {
    const originals = initial.models.map((m) => m.nginx).filter((c): c is NginxConfig => c !== null);
    const v = verifyNginx(originals, plan.files, opts.cwd, opts.nginxBinary);
    notes.push(...v.notes);
    if (v.errors.length > 0) return { ...base, result: initial, output: '', errors: v.errors, notes };
  }
  const requests = [...plan.files].map(([file, text]) => ({ file, text, original: initial.files.get(file)?.text ?? '' }));
  const w = writeFilesAtomically(requests, (p) => displayPath(p, opts.cwd));
  if (!w.ok) return { ...base, result: initial, output: '', errors: [w.error], notes };
  return { ...base, result: plan.result, output: '', errors: [], notes: [summary(plan, 'applied'), ...notes], written: w.written };
}

// ---- diff --------------------------------------------------------------------------------------

/** Unified diff of every changed file, `a/…` `b/…` relative to cwd (what `git apply` and `patch -p1` take). */
export async function unifiedDiff(initial: CheckResult, plan: FixPlan, cwd: string): Promise<string> {
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = await import('diff');
  let out = '';
  for (const file of [...plan.files.keys()].sort()) {
    const before = initial.files.get(file)?.text ?? '';
    const after = plan.files.get(file)!;
    const rel = path.relative(cwd, file).split(path.sep).join('/') || path.basename(file);
    const patch = createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
    // jsdiff ends the header lines with a tab (an empty timestamp); git and patch read plain names.
    const lines = patch.split('\n');
    for (let i = 0; i < 2 && i < lines.length; i++) lines[i] = lines[i]!.replace(/\t$/, '');
    out += lines.join('\n');
  }
  // Texts are bytes (latin1); a UTF-8 file comes out as the same bytes.
  return decodeLatin1(out);
}

// ---- dry run -----------------------------------------------------------------------------------

interface EditView {
  file: string;
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  text: string;
}

function editViews(plan: FixPlan, f: Finding, pass: number, cwd: string): EditView[] {
  const files: Map<string, SourceFile> | undefined = plan.texts?.[pass - 1];
  return (f.fix?.edits ?? []).map((e) => {
    const sf = files?.get(e.file);
    const s = sf ? positionOf(sf, e.start) : { line: 0, column: 0 };
    const en = sf ? positionOf(sf, e.end) : { line: 0, column: 0 };
    return { file: displayPath(e.file, cwd), start: e.start, end: e.end, line: s.line, column: s.column, endLine: en.line, endColumn: en.column, text: decodeLatin1(e.text) };
  });
}

function findingRef(f: Finding, cwd: string): { ruleId: string; file: string; line: number; column: number } {
  return { ruleId: f.ruleId, file: displayPath(f.file, cwd), line: f.line, column: f.column };
}

/** `--fix-dry-run --format json`: every fix with its edits (offsets into the text of its pass). */
export function dryRunJson(plan: FixPlan, cwd: string): string {
  const doc = {
    passes: plan.passes,
    fixes: plan.steps.map((s) => ({
      ...findingRef(s.finding, cwd),
      severity: s.finding.severity,
      message: s.finding.message,
      kind: s.finding.fix?.kind ?? 'safe',
      description: s.finding.fix?.description ?? '',
      pass: s.pass,
      edits: editViews(plan, s.finding, s.pass, cwd),
    })),
    conflicts: plan.conflicts.map((c) => ({ ...findingRef(c.finding, cwd), conflictsWith: findingRef(c.conflictsWith, cwd) })),
    skipped: plan.skipped.map((s) => ({ ...findingRef(s.finding, cwd), reason: s.reason })),
    files: [...plan.files.keys()].sort().map((f) => displayPath(f, cwd)),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** `--fix-dry-run` for people: one line per fix, one indented line per edit. */
export function dryRunText(plan: FixPlan, cwd: string): string {
  let out = '';
  for (const s of plan.steps) {
    out += `${where(s.finding, cwd)}: ${s.finding.ruleId}: ${s.finding.fix?.description ?? 'fix'}\n`;
    for (const e of editViews(plan, s.finding, s.pass, cwd)) {
      const what = e.start === e.end ? `insert ${JSON.stringify(e.text)}` : e.text === '' ? 'delete' : `replace with ${JSON.stringify(e.text)}`;
      out += `  ${e.file}:${e.line}:${e.column}-${e.endLine}:${e.endColumn}: ${what}\n`;
    }
  }
  if (plan.steps.length === 0) out += 'no fixes to apply\n';
  return out;
}

// Plans fixes: applies the selected fixes' edits in memory, re-checks, repeats until stable.
// Nothing here touches the disk: the result is the new text of every changed file.

import type { CheckResult } from '../check.js';
import type { Edit, Finding } from '../lint/rule.js';
import { parseFile } from '../nginx/parser.js';
import { makeSourceFile, type SourceFile } from '../nginx/tree.js';
import { parseModule } from '../gunicorn/pyparse.js';
import { applyEditsToText, editsOverlap, invalidEdits } from '../edit/apply-text.js';

export interface AppliedFix {
  finding: Finding;
  /** 1-based pass; edits of pass n are offsets into the text as it was after pass n-1. */
  pass: number;
}

export interface FixConflict {
  finding: Finding;
  conflictsWith: Finding;
}

export interface SkippedFix {
  finding: Finding;
  reason: string;
}

export interface FixPlan {
  /** New content (latin1) of every changed file, by path. */
  files: Map<string, string>;
  applied: Finding[];
  /** The applied fixes with the pass that applied each. */
  steps: AppliedFix[];
  /** Fixes still not applied at the end because they overlap an applied one. */
  conflicts: FixConflict[];
  /** Fixes dropped for another reason (invalid edits, a fix that does not remove its finding). */
  skipped: SkippedFix[];
  passes: number;
  /** Result of the last re-check (what is left after fixing). */
  result: CheckResult;
  /** Per pass (index pass-1): the files its edits' offsets point into. */
  texts: Array<Map<string, SourceFile>>;
  /** Files whose fixed text has a syntax error the original did not have: nothing may be written. */
  syntaxErrors: Array<{ file: string; message: string }>;
}

export interface PlanOptions {
  unsafe: boolean;
  maxPasses?: number;
}

/** Whether `--fix` (or `--fix --unsafe`) applies this finding's fix. */
export function wantedFix(f: Finding, unsafe: boolean): boolean {
  if (!f.fix || !f.fixable || f.fix.edits.length === 0) return false;
  return (f.fix.kind ?? 'safe') === 'safe' || unsafe;
}

/** Identity of a finding across passes (offsets and lines move as text is inserted). */
function findingKey(f: Finding): string {
  return `${f.ruleId}\0${f.file}\0${f.message}`;
}

export function planFixes(initial: CheckResult, recheck: (overrides: Map<string, string>) => CheckResult, opts: PlanOptions): FixPlan {
  const maxPasses = opts.maxPasses ?? 10;
  const files = new Map<string, string>();
  const steps: AppliedFix[] = [];
  const skipped: SkippedFix[] = [];
  let conflicts: FixConflict[] = [];
  const appliedKeys = new Set<string>();
  const skippedKeys = new Set<string>();
  const texts: Array<Map<string, SourceFile>> = [];
  let result = initial;
  let passes = 0;
  const textOf = (file: string): string | undefined => files.get(file) ?? result.files.get(file)?.text;

  while (passes < maxPasses) {
    const candidates = result.findings.filter((f) => wantedFix(f, opts.unsafe) && !skippedKeys.has(findingKey(f)));
    const taken: Array<{ finding: Finding; edits: Edit[] }> = [];
    const passConflicts: FixConflict[] = [];
    for (const f of candidates) {
      const key = findingKey(f);
      // Applied before and reported again: the fix does not fix; applying it again would repeat it.
      if (appliedKeys.has(key)) {
        skipped.push({ finding: f, reason: 'applying it did not remove the finding' });
        skippedKeys.add(key);
        continue;
      }
      const bad = invalidEdits(f.fix!.edits, textOf);
      if (bad) {
        skipped.push({ finding: f, reason: bad });
        skippedKeys.add(key);
        continue;
      }
      const clash = taken.find((t) => t.edits.some((a) => f.fix!.edits.some((b) => editsOverlap(a, b))));
      if (clash) {
        passConflicts.push({ finding: f, conflictsWith: clash.finding });
        continue;
      }
      taken.push({ finding: f, edits: f.fix!.edits });
    }
    // A conflicting fix gets another chance on the next pass, against the updated text; the
    // conflicts reported are those of the last pass.
    conflicts = passConflicts;
    if (taken.length === 0) break;
    const byFile = new Map<string, Edit[]>();
    for (const t of taken) {
      for (const e of t.edits) {
        const list = byFile.get(e.file) ?? [];
        if (!list.some((x) => x.start === e.start && x.end === e.end && x.text === e.text)) list.push(e);
        byFile.set(e.file, list);
      }
    }
    texts.push(result.files);
    for (const [file, edits] of byFile) files.set(file, applyEditsToText(textOf(file)!, edits));
    passes++;
    for (const t of taken) {
      steps.push({ finding: t.finding, pass: passes });
      appliedKeys.add(findingKey(t.finding));
    }
    result = recheck(new Map(files));
  }
  // Fixes that cancel out leave a file as it was: not a change.
  for (const [file, text] of [...files]) if (text === initial.files.get(file)?.text) files.delete(file);
  return {
    files,
    applied: steps.map((s) => s.finding),
    steps,
    conflicts,
    skipped,
    passes,
    result,
    texts,
    syntaxErrors: newSyntaxErrors(initial, files),
  };
}

/** Syntax errors of `text` as a list of messages (nginx or Python, by what the file is). */
export function syntaxErrorsOf(file: string, text: string, kind: 'nginx' | 'python'): string[] {
  if (kind === 'python') {
    try {
      parseModule(text);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }
  return parseFile(makeSourceFile(file, text)).diagnostics.filter((d) => d.kind === 'syntax').map((d) => `${d.line}:${d.column}: ${d.message}`);
}

/** Which parser a changed file belongs to: nginx files are in a model's config, conf.py by name. */
function kindOf(initial: CheckResult, file: string): 'nginx' | 'python' | null {
  if (initial.models.some((m) => m.nginx?.files.has(file))) return 'nginx';
  if (/\.py$/.test(file)) return 'python';
  return null;
}

/** Re-parses every changed file; a file that parsed before and does not now is reported. */
function newSyntaxErrors(initial: CheckResult, files: Map<string, string>): FixPlan['syntaxErrors'] {
  const out: FixPlan['syntaxErrors'] = [];
  for (const [file, text] of files) {
    const kind = kindOf(initial, file);
    if (!kind) continue;
    const before = syntaxErrorsOf(file, initial.files.get(file)?.text ?? '', kind);
    const after = syntaxErrorsOf(file, text, kind);
    if (after.length > before.length || (after.length > 0 && before.length === 0)) out.push({ file, message: after[0] ?? 'syntax error' });
  }
  return out;
}

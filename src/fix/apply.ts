// Plans fixes: applies the selected fixes' edits in memory, re-checks, repeats until stable.

import type { CheckResult } from '../check.js';
import type { Edit, Finding } from '../lint/rule.js';
import { applyEditsToText, editsOverlap } from './apply-text.js';

export interface FixPlan {
  /** New content (latin1) of every changed file, by path. */
  files: Map<string, string>;
  applied: Finding[];
  conflicts: Array<{ finding: Finding; conflictsWith: Finding }>;
  passes: number;
  /** Result of the last re-check (what is left after fixing). */
  result: CheckResult;
}

export interface PlanOptions {
  unsafe: boolean;
  maxPasses?: number;
}

function wanted(f: Finding, unsafe: boolean): boolean {
  if (!f.fix || !f.fixable) return false;
  return (f.fix.kind ?? 'safe') === 'safe' || unsafe;
}

export function planFixes(initial: CheckResult, recheck: (overrides: Map<string, string>) => CheckResult, opts: PlanOptions): FixPlan {
  const maxPasses = opts.maxPasses ?? 10;
  const files = new Map<string, string>();
  const applied: Finding[] = [];
  const conflicts: FixPlan['conflicts'] = [];
  let result = initial;
  let passes = 0;
  while (passes < maxPasses) {
    const candidates = result.findings.filter((f) => wanted(f, opts.unsafe));
    if (candidates.length === 0) break;
    const taken: Array<{ finding: Finding; edits: Edit[] }> = [];
    for (const f of candidates) {
      const clash = taken.find((t) => t.edits.some((a) => f.fix!.edits.some((b) => editsOverlap(a, b))));
      if (clash) {
        conflicts.push({ finding: f, conflictsWith: clash.finding });
        continue;
      }
      taken.push({ finding: f, edits: f.fix!.edits });
    }
    if (taken.length === 0) break;
    const byFile = new Map<string, Edit[]>();
    for (const t of taken) for (const e of t.edits) (byFile.get(e.file) ?? byFile.set(e.file, []).get(e.file)!).push(e);
    for (const [file, edits] of byFile) {
      const before = files.get(file) ?? result.files.get(file)?.text;
      if (before === undefined) continue;
      files.set(file, applyEditsToText(before, dedupe(edits)));
    }
    applied.push(...taken.map((t) => t.finding));
    passes++;
    result = recheck(new Map(files));
    // Conflicting fixes get another chance on the next pass, against the updated text.
    if (conflicts.length > 0 && passes < maxPasses) conflicts.length = 0;
  }
  return { files, applied, conflicts, passes, result };
}

function dedupe(edits: Edit[]): Edit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const k = `${e.start}\0${e.end}\0${e.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// What identifies a finding across edits: its rule, its file (relative to the baseline), and the
// text it flags, never its line. Identical (rule, file, text) triples are told apart by count: the
// n-th one in file order. Inserting or deleting lines elsewhere changes none of it.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { decodeLatin1, lineText, type SourceFile } from '../nginx/tree.js';
import type { Finding } from '../lint/rule.js';

export interface FindingKey {
  rule: string;
  file: string;
  text: string;
}

/** Longest flagged text kept verbatim; longer ones keep their start and a hash of the whole. */
const MAX_TEXT = 200;

/** Whitespace runs (newlines included) as one space, ends trimmed: re-indenting changes no key. */
export function normaliseText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_TEXT) return flat;
  const hash = createHash('sha256').update(flat).digest('hex').slice(0, 12);
  return `${flat.slice(0, MAX_TEXT - 20)}… #${hash}`;
}

/** A path as the baseline stores it: relative to the baseline's folder, `/` between segments. */
export function baselinePath(file: string, baseDir: string): string {
  const rel = path.isAbsolute(file) ? path.relative(baseDir, file) : file;
  return rel.split(path.sep).join('/');
}

/**
 * The source text of the finding's range (a block directive's range is its first line up to `{`).
 * A finding with an empty range (a missing directive reported at a position) is keyed by its line.
 */
export function flaggedText(f: Finding, files: ReadonlyMap<string, SourceFile>): string {
  const source = files.get(f.file);
  if (!source) return '';
  let raw = source.text.slice(f.start, f.end);
  if (raw.trim() === '' && f.line >= 1) raw = lineText(source, f.line);
  return normaliseText(decodeLatin1(raw));
}

export function findingKey(f: Finding, files: ReadonlyMap<string, SourceFile>, baseDir: string): FindingKey {
  return { rule: f.ruleId, file: baselinePath(f.file, baseDir), text: flaggedText(f, files) };
}

/** Findings in file order (file, offset, then rule and message), so "the n-th occurrence" is well defined. */
export function inFileOrder(findings: readonly Finding[]): Finding[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort((a, b) => cmp(a.file, b.file) || a.start - b.start || a.end - b.end || cmp(a.ruleId, b.ruleId) || cmp(a.message, b.message));
}

/**
 * Keys of the findings `f` covers (folded into it, RuleMeta.supersedes). They are known along with
 * it: a run that lacks the covering rule's inputs (a pre-commit hook given only nginx.conf, so no
 * cross rule runs) reports the general finding on its own, and the baseline must still know it.
 * A folded finding at the same place flags the same text; elsewhere on the line, the text from its
 * column to the end of that directive (`;` or `{`).
 */
export function coveredKeys(f: Finding, files: ReadonlyMap<string, SourceFile>, baseDir: string): FindingKey[] {
  return (f.related ?? []).map((r) => {
    const file = baselinePath(r.file, baseDir);
    if (r.file === f.file && r.line === f.line && r.column === f.column) return { rule: r.ruleId, file, text: flaggedText(f, files) };
    const source = files.get(r.file);
    const rest = source && r.line >= 1 ? decodeLatin1(lineText(source, r.line)).slice(Math.max(0, r.column - 1)) : '';
    return { rule: r.ruleId, file, text: normaliseText(/^[^;{]*[;{]?/.exec(rest)![0]) };
  });
}

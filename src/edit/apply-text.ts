// Applying non-overlapping edits to one file's text.

import type { Edit } from '../lint/rule.js';

/**
 * Applies edits to `text`. Sorting is stable, so several insertions at one offset keep the order
 * they were given in. Overlapping edits are a caller bug and throw.
 */
export function applyEditsToText(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at offset ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

function sameEdit(a: Edit, b: Edit): boolean {
  return a.file === b.file && a.start === b.start && a.end === b.end && a.text === b.text;
}

/**
 * Whether two edits touch the same bytes. Identical edits do not conflict (two rules asking for
 * the same change); two different insertions at one point do (their order would be a guess).
 */
export function editsOverlap(a: Edit, b: Edit): boolean {
  if (a.file !== b.file || sameEdit(a, b)) return false;
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  if (a.start === a.end) return a.start > b.start && a.start < b.end;
  if (b.start === b.end) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

/** Why a fix's own edits cannot be applied to `texts` (unknown file, out of range, self-overlap), or null. */
export function invalidEdits(edits: readonly Edit[], texts: (file: string) => string | undefined): string | null {
  for (const e of edits) {
    const t = texts(e.file);
    if (t === undefined) return `edits a file that was not read (${e.file})`;
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end)) || e.start < 0 || e.end < e.start || e.end > t.length) {
      return `edit range ${e.start}-${e.end} is outside ${e.file}`;
    }
  }
  const sorted = [...edits].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end));
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!;
    const c = sorted[i]!;
    if (p.file === c.file && !sameEdit(p, c) && c.start < p.end) return `its edits overlap at offset ${c.start} of ${c.file}`;
  }
  return null;
}

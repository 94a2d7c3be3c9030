// Applying non-overlapping edits to one file's text.

import type { Edit } from '../lint/rule.js';

/** Applies edits (sorted here) to `text`; overlapping edits are a caller bug and throw. */
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

/** Whether two edits touch the same bytes (two insertions at one point also conflict: order is ambiguous). */
export function editsOverlap(a: Edit, b: Edit): boolean {
  if (a.file !== b.file) return false;
  if (a.start === a.end && b.start === b.end) return a.start === b.start && a.text !== b.text;
  return a.start < b.end && b.start < a.end || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}

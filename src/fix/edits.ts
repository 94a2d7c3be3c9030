// Text edits for the common fix shapes. Every helper returns edits on the original bytes and
// copies the file's own conventions: the siblings' indentation (tabs or spaces) and newline style.

import type { Arg, Directive, SourceFile } from '../nginx/tree.js';
import { encodeLatin1, lineOf } from '../nginx/tree.js';
import type { Edit } from '../lint/rule.js';

/** Whitespace at the start of the line holding `offset`. */
export function indentAt(file: SourceFile, offset: number): string {
  const line = lineOf(file, offset);
  const start = file.lineStarts[line - 1] ?? 0;
  let i = start;
  while (i < file.text.length && (file.text[i] === ' ' || file.text[i] === '\t')) i++;
  return file.text.slice(start, i);
}

/** One level of indentation as this file writes it. */
export function indentUnit(file: SourceFile): string {
  const counts = new Map<string, number>();
  let prev = '';
  for (const s of file.lineStarts) {
    let i = s;
    while (file.text[i] === ' ' || file.text[i] === '\t') i++;
    if (file.text[i] === '\n' || file.text[i] === '\r' || i >= file.text.length) continue;
    const ind = file.text.slice(s, i);
    if (ind.length > prev.length && ind.startsWith(prev)) {
      const unit = ind.slice(prev.length);
      counts.set(unit, (counts.get(unit) ?? 0) + 1);
    }
    prev = ind;
  }
  let best = '    ';
  let n = 0;
  for (const [u, c] of counts) if (c > n) [best, n] = [u, c];
  return best;
}

/** Offset of the end of the line holding `offset` (before its newline). */
export function endOfLine(file: SourceFile, offset: number): number {
  let i = offset;
  const t = file.text;
  while (i < t.length && t[i] !== '\n' && t[i] !== '\r') i++;
  return i;
}

/** True when only whitespace precedes `offset` on its line. */
function startsLine(file: SourceFile, offset: number): boolean {
  const start = file.lineStarts[lineOf(file, offset) - 1] ?? 0;
  return /^[ \t]*$/.test(file.text.slice(start, offset));
}

/** Where a directive's own text ends, including a trailing comment on its line. */
function endWithComment(d: Directive): number {
  return d.trailingComment ? d.trailingComment.end : d.end;
}

/** Inserts `text` (a directive, e.g. `keepalive 16;`) on a new line after `sibling`. */
export function insertAfter(sibling: Directive, text: string): Edit {
  const f = sibling.file;
  const at = endWithComment(sibling);
  return { file: f.path, start: at, end: at, text: f.newline + indentAt(f, sibling.start) + encodeLatin1(text) };
}

/** Inserts `text` on a new line before `sibling`. */
export function insertBefore(sibling: Directive, text: string): Edit {
  const f = sibling.file;
  if (startsLine(f, sibling.start)) {
    const lineStart = f.lineStarts[lineOf(f, sibling.start) - 1] ?? 0;
    return { file: f.path, start: lineStart, end: lineStart, text: indentAt(f, sibling.start) + encodeLatin1(text) + f.newline };
  }
  return { file: f.path, start: sibling.start, end: sibling.start, text: encodeLatin1(text) + ' ' };
}

/**
 * Inserts into a block: after the last of its children named in `after` (same file), else at the
 * start of the block. Used e.g. to put `keepalive` after the `server` lines and balancing method.
 */
export function insertIntoBlock(block: Directive, text: string, after: readonly string[] = []): Edit | null {
  if (!block.block || block.blockStart < 0) return null;
  const own = block.block.filter((d) => d.file === block.file && d.parent === block);
  let anchor: Directive | undefined;
  for (const d of own) if (after.includes(d.name)) anchor = d;
  if (anchor) return insertAfter(anchor, text);
  const f = block.file;
  const first = own[0];
  const indent = first ? indentAt(f, first.start) : indentAt(f, block.start) + indentUnit(f);
  const at = block.blockStart + 1;
  // `{` followed by a comment on the same line: insert after that comment.
  const eol = endOfLine(f, at);
  const rest = f.text.slice(at, eol);
  const insertAt = /^\s*(#.*)?$/.test(rest) ? eol : at;
  if (insertAt === eol && (eol < f.text.length || true)) {
    return { file: f.path, start: insertAt, end: insertAt, text: f.newline + indent + encodeLatin1(text) };
  }
  return { file: f.path, start: insertAt, end: insertAt, text: ' ' + encodeLatin1(text) };
}

/** Replaces one argument, quoting the new value when nginx needs it. */
export function replaceArg(file: SourceFile, arg: Arg, value: string): Edit {
  return { file: file.path, start: arg.start, end: arg.end, text: encodeLatin1(quoteIfNeeded(value)) };
}

export function quoteIfNeeded(value: string): string {
  if (value === '') return '""';
  if (/^[^\s;{}"'#\\]+$/.test(value) && !value.endsWith('}')) return value;
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** Removes a directive; when it sits alone on its line(s), the whole line goes (with its comment). */
export function removeDirective(d: Directive): Edit {
  const f = d.file;
  const end = endWithComment(d);
  if (startsLine(f, d.start) && /^[ \t]*$/.test(f.text.slice(end, endOfLine(f, end)))) {
    const lineStart = f.lineStarts[lineOf(f, d.start) - 1] ?? 0;
    let lineEnd = endOfLine(f, end);
    if (f.text[lineEnd] === '\r') lineEnd++;
    if (f.text[lineEnd] === '\n') lineEnd++;
    return { file: f.path, start: lineStart, end: lineEnd, text: '' };
  }
  let e = d.end;
  while (f.text[e] === ' ' || f.text[e] === '\t') e++;
  return { file: f.path, start: d.start, end: e, text: '' };
}

/** The source text of a directive (as written, with its trailing comment when `withComment`). */
export function sourceOf(d: Directive, withComment = false): string {
  return d.file.text.slice(d.start, withComment ? endWithComment(d) : d.end);
}

/** Moves a directive to just before `target` (remove + insert, both in the same fix). */
export function moveBefore(d: Directive, target: Directive): Edit[] {
  return [removeDirective(d), { ...insertBefore(target, ''), text: indentAt(target.file, target.start) + sourceOf(d, true) + target.file.newline }];
}

/** Drops duplicate edits (the same insertion asked for by several locations). */
export function dedupeEdits(edits: Edit[]): Edit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const k = `${e.file}\0${e.start}\0${e.end}\0${e.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

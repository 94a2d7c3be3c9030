// Text edits for the common fix shapes. Every helper returns edits on the original bytes and
// copies the file's own conventions: the siblings' indentation (tabs or spaces) and newline style.
// Nothing here re-prints a file: bytes outside an edit's range stay as they were.

import type { Arg, Directive, SourceFile } from '../nginx/tree.js';
import { encodeLatin1, lineOf } from '../nginx/tree.js';
import type { Edit } from '../lint/rule.js';

export {
  confAssignmentParts, flagParts, insertConfAssignment, insertFlag, pyLiteral, removeConfAssignment, removeFlag,
  replaceConfValue, replaceFlagValue, shellQuote,
} from './gunicorn-edits.js';

/** Offset where the line holding `offset` starts. */
export function lineStartAt(file: SourceFile, offset: number): number {
  return file.lineStarts[lineOf(file, offset) - 1] ?? 0;
}

/** Whitespace at the start of the line holding `offset`. */
export function indentAt(file: SourceFile, offset: number): string {
  const start = lineStartAt(file, offset);
  let i = start;
  while (i < file.text.length && (file.text[i] === ' ' || file.text[i] === '\t')) i++;
  return file.text.slice(start, i);
}

/** One level of indentation as this file writes it (the most common step between nested lines). */
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

/** Offset just past the newline ending the line holding `offset` (the file's end on the last line). */
function pastLine(file: SourceFile, offset: number): number {
  let i = endOfLine(file, offset);
  if (file.text[i] === '\r') i++;
  if (file.text[i] === '\n') i++;
  return i;
}

/** True when only whitespace precedes `offset` on its line. */
function startsLine(file: SourceFile, offset: number): boolean {
  return /^[ \t]*$/.test(file.text.slice(lineStartAt(file, offset), offset));
}

/** True when only whitespace (or a comment) follows `offset` on its line. */
function endsLine(file: SourceFile, offset: number): boolean {
  return /^[ \t]*(#.*)?$/.test(file.text.slice(offset, endOfLine(file, offset)));
}

/** Where a directive's own text ends, including a trailing comment on its line. */
function endWithComment(d: Directive): number {
  // A block's comment after its `{` is inside the block, not after the directive.
  return d.trailingComment && d.trailingComment.start >= d.end ? d.trailingComment.end : d.end;
}

/**
 * Inserted text as it should appear in `file`: UTF-8 encoded to the file's bytes, and every line
 * after the first indented like the first and ended in the file's newline style.
 */
function layout(file: SourceFile, text: string, indent: string): string {
  return encodeLatin1(text).split(/\r?\n/).join(file.newline + indent);
}

/** The node standing for `d` in `file`: `d` itself, or the include line that brought it in. */
function representativeIn(d: Directive, file: SourceFile): Directive | undefined {
  let a: Directive | null = d;
  while (a && a.file !== file) a = a.includedBy;
  return a ?? undefined;
}

/**
 * Inserts `text` (a directive, e.g. `keepalive 16;`) after `sibling`: on a line of its own with the
 * sibling's indentation, or on the same line when more code follows the sibling there.
 */
export function insertAfter(sibling: Directive, text: string): Edit {
  const f = sibling.file;
  if (!endsLine(f, sibling.end)) {
    return { file: f.path, start: sibling.end, end: sibling.end, text: ' ' + layout(f, text, indentAt(f, sibling.start)) };
  }
  const at = endWithComment(sibling);
  const indent = indentAt(f, sibling.start);
  return { file: f.path, start: at, end: at, text: f.newline + indent + layout(f, text, indent) };
}

/** Inserts `text` on a new line before `sibling` (after the sibling's leading comments). */
export function insertBefore(sibling: Directive, text: string): Edit {
  const f = sibling.file;
  const indent = indentAt(f, sibling.start);
  if (startsLine(f, sibling.start)) {
    const lineStart = lineStartAt(f, sibling.start);
    return { file: f.path, start: lineStart, end: lineStart, text: indent + layout(f, text, indent) + f.newline };
  }
  return { file: f.path, start: sibling.start, end: sibling.start, text: layout(f, text, indent) + ' ' };
}

/**
 * Inserts into a block: after the last of its children named in `after` (or the include line that
 * brought it in), else as the block's first line. Used e.g. to put `keepalive` after the `server`
 * lines and balancing method. Null for a directive without a block.
 */
export function insertIntoBlock(block: Directive, text: string, after: readonly string[] = []): Edit | null {
  if (!block.block || block.blockStart < 0) return null;
  const f = block.file;
  const own: Directive[] = [];
  for (const d of block.block) {
    if (d.parent !== block) continue;
    const rep = representativeIn(d, f);
    if (rep && rep.parent === block && !own.includes(rep)) own.push(rep);
  }
  let anchor: Directive | undefined;
  for (const d of block.block) {
    if (d.parent !== block || !after.includes(d.name)) continue;
    const rep = representativeIn(d, f);
    if (rep && rep.parent === block) anchor = rep;
  }
  if (anchor) return insertAfter(anchor, text);
  const first = own[0];
  const open = block.blockStart + 1;
  const eol = endOfLine(f, open);
  // `{` ends its line (maybe with a comment): the new line goes right below it.
  if (/^[ \t]*(#.*)?$/.test(f.text.slice(open, eol)) && eol < f.text.length) {
    const indent = first && first.line > lineOf(f, block.blockStart) ? indentAt(f, first.start) : indentAt(f, block.start) + indentUnit(f);
    return { file: f.path, start: eol, end: eol, text: f.newline + indent + layout(f, text, indent) };
  }
  // `{ a; b; }` or `{}` on one line: stay on it.
  return { file: f.path, start: open, end: open, text: ' ' + layout(f, text, indentAt(f, block.start)) + (f.text[open] === '}' ? ' ' : '') };
}

/** Replaces one argument, quoting the new value when nginx needs it. */
export function replaceArg(file: SourceFile, arg: Arg, value: string): Edit {
  return { file: file.path, start: arg.start, end: arg.end, text: encodeLatin1(quoteIfNeeded(value)) };
}

/** Replaces every argument of `d` (the name, block and trailing comment stay). */
export function replaceArgs(d: Directive, values: readonly string[]): Edit {
  const f = d.file;
  const start = d.start + d.name.length;
  const end = d.args.length > 0 ? d.args[d.args.length - 1]!.end : start;
  const text = values.map((v) => ' ' + encodeLatin1(quoteIfNeeded(v))).join('');
  return { file: f.path, start, end, text };
}

/** Quotes a value the way nginx reads it back unchanged (only when it must). */
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
    return { file: f.path, start: lineStartAt(f, d.start), end: pastLine(f, end), text: '' };
  }
  let e = d.end;
  while (f.text[e] === ' ' || f.text[e] === '\t') e++;
  return { file: f.path, start: d.start, end: e, text: '' };
}

/** Replaces a whole directive (block included) with `text`, keeping its indentation and trailing comment. */
export function replaceDirective(d: Directive, text: string): Edit {
  return { file: d.file.path, start: d.start, end: d.end, text: layout(d.file, text, indentAt(d.file, d.start)) };
}

/** The source text of a directive (as written, with its trailing comment when `withComment`). */
export function sourceOf(d: Directive, withComment = false): string {
  return d.file.text.slice(d.start, withComment ? endWithComment(d) : d.end);
}

/** Moves a directive to just before `target` (remove + insert, both in the same fix). */
export function moveBefore(d: Directive, target: Directive): Edit[] {
  const f = target.file;
  const indent = indentAt(f, target.start);
  const insert = insertBefore(target, '');
  // The moved bytes are copied as they are (already in the file's encoding): no re-layout.
  const moved = sourceOf(d, true);
  return [removeDirective(d), { ...insert, text: startsLine(f, target.start) ? indent + moved + f.newline : moved + ' ' }];
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

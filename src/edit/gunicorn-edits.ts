// Edits for the two places gunicorn settings are written: `name = value` assignments in a
// gunicorn.conf.py, and flags in a command line (ExecStart, Procfile, Dockerfile CMD in shell or
// JSON form, compose `command`, GUNICORN_CMD_ARGS, `NAME=value` environment lines). Each helper
// takes the Origin the gunicorn reader recorded and returns an edit on the original bytes, or
// null when the origin does not point into a file or its text is not of the expected shape.

import type { SourceFile } from '../nginx/tree.js';
import { encodeLatin1, lineOf } from '../nginx/tree.js';
import type { Origin } from '../gunicorn/types.js';
import type { Edit } from '../lint/rule.js';
import { tokenize, type Token } from '../gunicorn/pylex.js';

interface Span {
  start: number;
  end: number;
}

type Located = Origin & { file: SourceFile; start: number; end: number };

function located(o: Origin): o is Located {
  return o.file !== undefined && o.start !== undefined && o.end !== undefined && o.start <= o.end && o.end <= o.file.text.length;
}

function lineStart(file: SourceFile, offset: number): number {
  return file.lineStarts[lineOf(file, offset) - 1] ?? 0;
}

function lineEnd(file: SourceFile, offset: number): number {
  let i = offset;
  while (i < file.text.length && file.text[i] !== '\n' && file.text[i] !== '\r') i++;
  return i;
}

function pastLine(file: SourceFile, offset: number): number {
  let i = lineEnd(file, offset);
  if (file.text[i] === '\r') i++;
  if (file.text[i] === '\n') i++;
  return i;
}

// ---- conf.py -----------------------------------------------------------------------------------

/** A Python literal for a JS value (`'gevent'`, `True`, `None`, `[...]`). */
export function pyLiteral(v: string | number | boolean | null | readonly string[]): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v).includes('.') || String(v).includes('e') ? String(v) : `${v}.0`;
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
  }
  return '[' + v.map((s) => pyLiteral(s)).join(', ') + ']';
}

/** Name and value ranges of a `name = value` (or `name: T = value`) statement starting at `start`. */
export function confAssignmentParts(file: SourceFile, start: number, end: number): { name: Span; value: Span } | null {
  let tokens: Token[];
  try {
    tokens = tokenize(file.text, start, Math.max(end, lineEnd(file, end)));
  } catch {
    return null;
  }
  const first = tokens[0];
  if (!first || first.type !== 'name') return null;
  let depth = 0;
  let eq = -1;
  let last = -1;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'newline' || t.type === 'end' || t.type === 'indent' || t.type === 'dedent') {
      if (depth === 0 && eq !== -1) break;
      continue;
    }
    if (t.type === 'op') {
      if ('([{'.includes(t.text)) depth++;
      else if (')]}'.includes(t.text)) depth--;
      else if (depth === 0 && t.text === ';') break;
      else if (depth === 0 && t.text === '=' && eq === -1) {
        eq = i;
        continue;
      }
    }
    if (eq !== -1) last = i;
  }
  if (eq === -1 || last === -1) return null;
  return { name: { start: first.start, end: first.end }, value: { start: tokens[eq + 1]!.start, end: tokens[last]!.end } };
}

/** Replaces the value of the assignment at `origin` with Python source `pySource` (see pyLiteral). */
export function replaceConfValue(origin: Origin, pySource: string): Edit | null {
  if (!located(origin)) return null;
  const parts = confAssignmentParts(origin.file, origin.start, origin.end);
  if (!parts) return null;
  return { file: origin.file.path, start: parts.value.start, end: parts.value.end, text: encodeLatin1(pySource) };
}

/**
 * Adds `name = pySource` to a conf.py: on the line after the statement at `after` (same file),
 * else at the end of the file.
 */
export function insertConfAssignment(file: SourceFile, name: string, pySource: string, after?: Origin): Edit {
  const line = encodeLatin1(`${name} = ${pySource}`);
  if (after && located(after) && after.file.path === file.path) {
    const parts = confAssignmentParts(file, after.start, after.end);
    const at = pastLine(file, parts ? parts.value.end : after.end);
    if (at < file.text.length || /\n$/.test(file.text)) return { file: file.path, start: at, end: at, text: line + file.newline };
    return { file: file.path, start: at, end: at, text: file.newline + line };
  }
  const t = file.text;
  const at = t.length;
  if (t.length === 0 || t.endsWith('\n')) return { file: file.path, start: at, end: at, text: line + file.newline };
  return { file: file.path, start: at, end: at, text: file.newline + line + file.newline };
}

/** Removes the assignment at `origin`: its whole line when it is alone there, else the statement. */
export function removeConfAssignment(origin: Origin): Edit | null {
  if (!located(origin)) return null;
  const f = origin.file;
  const parts = confAssignmentParts(f, origin.start, origin.end);
  const end = parts ? parts.value.end : origin.end;
  const before = f.text.slice(lineStart(f, origin.start), origin.start);
  const after = f.text.slice(end, lineEnd(f, end));
  if (/^[ \t]*$/.test(before) && /^[ \t]*(#.*)?$/.test(after)) {
    return { file: f.path, start: lineStart(f, origin.start), end: pastLine(f, end), text: '' };
  }
  // `a = 1; b = 2`: take the statement with the separator that follows it.
  const m = /^[ \t]*;[ \t]*/.exec(after);
  if (m) return { file: f.path, start: origin.start, end: end + m[0].length, text: '' };
  const prev = /;[ \t]*$/.exec(before);
  if (prev) return { file: f.path, start: origin.start - prev[0].length, end, text: '' };
  return { file: f.path, start: origin.start, end, text: '' };
}

// ---- command lines -----------------------------------------------------------------------------

interface Word extends Span {
  /** Set when the whole word is one quoted string. */
  quote: '"' | "'" | null;
}

export interface FlagParts {
  /** Words are JSON strings in an array (`CMD ["gunicorn", "-w", "4"]`). */
  json: boolean;
  words: Word[];
  /** The replaceable value (inside its quotes when quoted), absent for a boolean flag. */
  value?: Span & { quote: '"' | "'" | null };
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Previous non-blank character before `offset` (line continuations count as blank). */
function prevNonBlank(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i--;
  return i;
}

function nextNonBlank(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

function inJsonArray(text: string, start: number): boolean {
  const p = text[prevNonBlank(text, start)];
  return text[start] === '"' && (p === '[' || p === ',');
}

function splitWords(text: string, start: number, end: number, json: boolean): Word[] {
  const words: Word[] = [];
  let i = start;
  while (i < end) {
    while (i < end && (isSpace(text[i]) || (json && text[i] === ','))) i++;
    if (i >= end) break;
    const ws = i;
    let quotedWhole = text[i] === '"' || text[i] === "'" ? (text[i] as '"' | "'") : null;
    while (i < end && !isSpace(text[i]) && !(json && text[i] === ',')) {
      const c = text[i]!;
      if (c === '"' || c === "'") {
        const q = c;
        i++;
        while (i < end && text[i] !== q) i += text[i] === '\\' && q === '"' ? 2 : 1;
        i++;
        if (i < end && !isSpace(text[i]) && !(json && text[i] === ',')) quotedWhole = null;
      } else {
        if (i > ws) quotedWhole = null;
        i += c === '\\' && !json ? 2 : 1;
      }
    }
    const we = Math.min(i, end);
    words.push({ start: ws, end: we, quote: quotedWhole && we - ws >= 2 && text[we - 1] === quotedWhole ? quotedWhole : null });
  }
  return words;
}

function inner(w: Word): Span {
  return w.quote ? { start: w.start + 1, end: w.end - 1 } : w;
}

/** The words of a flag as written (`--workers 4`, `--workers=4`, `-w4`, `"-w", "4"`, `NAME=4`, `--daemon`). */
export function flagParts(file: SourceFile, start: number, end: number): FlagParts | null {
  const text = file.text;
  const json = inJsonArray(text, start);
  const words = splitWords(text, start, end, json);
  if (words.length === 0) return null;
  if (words.length >= 2) {
    const w = words[words.length - 1]!;
    return { json, words, value: { ...inner(w), quote: w.quote } };
  }
  const w = words[0]!;
  const body = inner(w);
  const s = text.slice(body.start, body.end);
  const eq = s.indexOf('=');
  if (eq > 0 && (s.startsWith('--') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(s))) {
    const v = { start: body.start + eq + 1, end: body.end };
    const q = text[v.start];
    if ((q === '"' || q === "'") && v.end - v.start >= 2 && text[v.end - 1] === q) return { json, words, value: { start: v.start + 1, end: v.end - 1, quote: q } };
    return { json, words, value: { ...v, quote: w.quote } };
  }
  if (/^-[A-Za-z]./.test(s)) return { json, words, value: { start: body.start + 2, end: body.end, quote: w.quote } };
  return { json, words };
}

/** True for a systemd unit, where `%` starts a specifier and must be doubled. */
function isSystemdUnit(file: SourceFile): boolean {
  return /\.(service|socket|conf)$/.test(file.path) && /^\s*\[(Service|Socket|Unit)\]/m.test(file.text);
}

/** A shell word for `value`: as is when safe, else single-quoted. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return "'" + value.replace(/'/g, "'\\''") + "'";
}

function encodeWordValue(file: SourceFile, value: string, quote: '"' | "'" | null, json: boolean): string {
  let out: string;
  if (json) out = JSON.stringify(value).slice(1, -1);
  else if (quote === '"') out = value.replace(/([\\"$`])/g, '\\$1');
  else if (quote === "'") out = value.replace(/'/g, "'\\''");
  else out = shellQuote(value);
  if (isSystemdUnit(file)) out = out.replace(/%/g, '%%');
  return encodeLatin1(out);
}

/** Replaces the value of the flag (or `NAME=value` line) at `origin`; null for a flag without value. */
export function replaceFlagValue(origin: Origin, value: string): Edit | null {
  if (!located(origin)) return null;
  const parts = flagParts(origin.file, origin.start, origin.end);
  if (!parts?.value) return null;
  const v = parts.value;
  return { file: origin.file.path, start: v.start, end: v.end, text: encodeWordValue(origin.file, value, v.quote, parts.json) };
}

/** Removes the flag at `origin` with the blank (or the JSON comma) that separates it from the previous word. */
export function removeFlag(origin: Origin): Edit | null {
  if (!located(origin)) return null;
  const t = origin.file.text;
  const json = inJsonArray(t, origin.start);
  let start = origin.start;
  let end = origin.end;
  if (json) {
    const p = prevNonBlank(t, start);
    if (t[p] === ',') start = p;
    else {
      const n = nextNonBlank(t, end);
      if (t[n] === ',') end = nextNonBlank(t, n + 1);
    }
  } else {
    while (start > 0 && (t[start - 1] === ' ' || t[start - 1] === '\t')) start--;
    // Alone after a line continuation: keep the blanks so the continuation stays readable.
    if (start > 0 && (t[start - 1] === '\n' || t[start - 1] === '\r')) {
      start = origin.start;
      while (end < t.length && (t[end] === ' ' || t[end] === '\t')) end++;
    }
  }
  return { file: origin.file.path, start, end, text: '' };
}

/**
 * Adds `flag [value]` right after the word(s) at `anchor` (another flag's origin, or the span of
 * the `gunicorn` word): ` --flag value` in a shell line, `, "--flag", "value"` in a JSON array.
 */
export function insertFlag(anchor: Origin, flag: string, value?: string): Edit | null {
  if (!located(anchor)) return null;
  const f = anchor.file;
  const t = f.text;
  const json = t[anchor.end - 1] === '"' && /^[,\]]$/.test(t[nextNonBlank(t, anchor.end)] ?? '') && (inJsonArray(t, anchor.start) || t[prevNonBlank(t, anchor.start)] === '[');
  if (json) {
    const items = [flag, ...(value === undefined ? [] : [value])].map((s) => encodeLatin1(JSON.stringify(s)));
    return { file: f.path, start: anchor.end, end: anchor.end, text: items.map((s) => ', ' + s).join('') };
  }
  const words = [encodeWordValue(f, flag, null, false), ...(value === undefined ? [] : [encodeWordValue(f, value, null, false)])];
  return { file: f.path, start: anchor.end, end: anchor.end, text: ' ' + words.join(' ') };
}

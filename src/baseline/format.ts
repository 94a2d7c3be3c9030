// The baseline file: `{ "version": 1, "entries": [...] }`, one entry per (rule, file, flagged text)
// with how many findings of that key are known. Sorted and pretty-printed so it diffs well in git.

import { jsonErrorOffset, lineColumn } from './json-position.js';

/** Bump when the meaning of an entry changes; older conftune refuses newer files instead of guessing. */
export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  /** Rule id, as conftune reports it. */
  rule: string;
  /** File relative to the baseline file's folder, with `/` separators. */
  file: string;
  /** The flagged source text, whitespace collapsed (see key.ts). */
  text: string;
  /** How many findings of this rule on this text in this file are known (the first `count` in file order). */
  count: number;
}

/** The target versions the findings were computed for (some findings depend on them). */
export interface BaselineTargets {
  nginx: string;
  gunicorn: string;
}

export type Parsed = { ok: true; entries: BaselineEntry[]; targets?: BaselineTargets } | { ok: false; message: string };

const byKey = (a: BaselineEntry, b: BaselineEntry): number =>
  cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.text, b.text);

// Code-unit order, not locale order: the same file on every machine.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Entries in file order, then rule, then text; duplicates of one key summed. */
export function sortEntries(entries: readonly BaselineEntry[]): BaselineEntry[] {
  const merged = new Map<string, BaselineEntry>();
  for (const e of entries) {
    const k = entryKey(e);
    const prev = merged.get(k);
    merged.set(k, prev ? { ...prev, count: prev.count + e.count } : { rule: e.rule, file: e.file, text: e.text, count: e.count });
  }
  return [...merged.values()].sort(byKey);
}

export function entryKey(e: Pick<BaselineEntry, 'rule' | 'file' | 'text'>): string {
  return `${e.rule}\0${e.file}\0${e.text}`;
}

export function formatBaseline(entries: readonly BaselineEntry[], targets?: BaselineTargets): string {
  const doc = {
    version: BASELINE_VERSION,
    $comment: 'Known findings `conftune check --baseline` does not report. Regenerate with `conftune check --update-baseline`.',
    ...(targets ? { targets: { nginx: targets.nginx, gunicorn: targets.gunicorn } } : {}),
    entries: sortEntries(entries).map((e) => ({ rule: e.rule, file: e.file, text: e.text, count: e.count })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Reads a baseline file's text; messages name the file and, for broken JSON, line and column. */
export function parseBaseline(text: string, name: string): Parsed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${name}${jsonErrorPosition(text)}: not valid JSON (${jsonErrorReason((e as Error).message)})` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, message: `${name}: expected an object with "version" and "entries"` };
  const { version, entries, targets } = doc as { version?: unknown; entries?: unknown; targets?: unknown };
  if (version !== BASELINE_VERSION) {
    const got = version === undefined ? 'no "version"' : `"version" ${JSON.stringify(version)}`;
    return { ok: false, message: `${name}: ${got}; this conftune reads baseline version ${BASELINE_VERSION}` };
  }
  if (!Array.isArray(entries)) return { ok: false, message: `${name}: "entries" must be an array` };
  const t = targets as Record<string, unknown> | undefined;
  if (t !== undefined && (typeof t !== 'object' || t === null || typeof t.nginx !== 'string' || typeof t.gunicorn !== 'string')) {
    return { ok: false, message: `${name}: "targets" must be {"nginx": "<version>", "gunicorn": "<version>"}` };
  }
  const out: BaselineEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Record<string, unknown> | null;
    const where = `${name}: entries[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return { ok: false, message: `${where}: expected an object` };
    for (const key of ['rule', 'file', 'text'] as const) {
      if (typeof e[key] !== 'string') return { ok: false, message: `${where}.${key}: expected a string` };
    }
    if (!Number.isInteger(e.count) || (e.count as number) < 1) return { ok: false, message: `${where}.count: expected a positive integer` };
    out.push({ rule: e.rule as string, file: e.file as string, text: e.text as string, count: e.count as number });
  }
  return { ok: true, entries: out, ...(t ? { targets: { nginx: t.nginx as string, gunicorn: t.gunicorn as string } } : {}) };
}

/** `:line:col` where the JSON goes wrong. */
function jsonErrorPosition(text: string): string {
  const { line, column } = lineColumn(text, jsonErrorOffset(text));
  return `:${line}:${column}`;
}

/** JSON.parse's reason without its copy of the text (`Unexpected token ','`). */
function jsonErrorReason(message: string): string {
  return message.replace(/,\s*(\.\.\.)?"[\s\S]*" is not valid JSON$/, '').replace(/\s*in JSON at position \d+.*$/s, '').trim();
}

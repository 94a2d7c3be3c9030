// `check --baseline FILE` / `--update-baseline`: what the CLI calls. A baseline lists known
// findings (format.ts), keyed by what they flag rather than where (key.ts); a run reports only the
// findings it does not list, and says which of its entries match nothing any more (match.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckError, CheckResult } from '../check.js';
import type { Finding } from '../lint/rule.js';
import { formatBaseline, type BaselineEntry, type BaselineTargets } from './format.js';
import { readBaselineFile, writeBaselineFile } from './file.js';
import { matchBaseline, updatedEntries, type MatchContext, type StaleEntry } from './match.js';
import { plural, staleLine, staleSummary, targetsChanged } from './messages.js';
import { checkedScope, type ScopeOptions } from './scope.js';

export { BASELINE_VERSION, formatBaseline, parseBaseline, type BaselineEntry } from './format.js';
export { findingKey, normaliseText } from './key.js';
export { matchBaseline, updatedEntries, type StaleEntry } from './match.js';
export { checkedScope } from './scope.js';

/** The name `--update-baseline` writes when no `--baseline FILE` is given. */
export const DEFAULT_BASELINE = 'conftune-baseline.json';

export interface OpenBaseline {
  /** Absolute path. */
  file: string;
  /** As the user wrote it, for messages. */
  name: string;
  /** Entry paths are relative to this folder. */
  baseDir: string;
  entries: BaselineEntry[];
  /** The target versions it was written for. */
  targets?: BaselineTargets;
  /** The file's text as read (unset when it does not exist yet). */
  text?: string;
}

/** Reads the baseline. A missing file is a usage error unless it is about to be written. */
export function openBaseline(name: string, cwd: string, opts: { update: boolean }): OpenBaseline | { error: string } {
  const file = path.resolve(cwd, name);
  const read = readBaselineFile(file, name);
  const base = { file, name, baseDir: path.dirname(file) };
  if (read.kind === 'error') return { error: read.message };
  if (read.kind === 'missing') {
    if (!opts.update) return { error: `${name}: baseline file not found (write it with \`conftune check --update-baseline --baseline ${name}\`)` };
    return { ...base, entries: [] };
  }
  return { ...base, entries: read.entries, targets: read.targets, text: read.text };
}

export interface BaselineOutcome {
  /** The run with the baseline's findings taken out of `findings`. */
  result: CheckResult;
  matched: Finding[];
  stale: StaleEntry[];
  /** Stale entries as notes on the baseline file (stderr, `notes` of --format json). */
  notes: CheckError[];
}

function context(b: OpenBaseline, result: CheckResult, scope: ScopeOptions): MatchContext {
  return { baseDir: b.baseDir, files: result.files, scope: checkedScope(result, scope), exists: (f) => result.files.has(f) || fs.existsSync(f) };
}

export function applyBaseline(b: OpenBaseline, result: CheckResult, scope: ScopeOptions = {}, strict = false): BaselineOutcome {
  const m = matchBaseline(result.findings, b.entries, context(b, result, scope));
  const note = (message: string): CheckError => ({ file: b.file, line: 0, column: 0, message });
  const notes: CheckError[] = [];
  // Some findings depend on the target versions: say so before they show as new or stale.
  const t = b.targets;
  if (t && (t.nginx !== result.versions.nginx || t.gunicorn !== result.versions.gunicorn)) notes.push(note(targetsChanged(t, result.versions)));
  notes.push(...m.stale.map((s) => note(staleLine(s))));
  if (m.stale.length > 0) notes.push(note(staleSummary(m.stale, strict)));
  return { result: { ...result, findings: m.reported }, matched: m.matched, stale: m.stale, notes };
}

/** Writes the baseline for this run's findings; returns the line to show, or an error. */
export function updateBaseline(b: OpenBaseline, result: CheckResult, scope: ScopeOptions = {}): { message: string } | { error: string } {
  const ctx = context(b, result, scope);
  const entries = updatedEntries(result.findings, b.entries, ctx);
  const text = formatBaseline(entries, result.versions);
  const error = writeBaselineFile(b.file, text, b.name, b.text);
  if (error) return { error };
  const findings = result.findings.length;
  const files = new Set(result.findings.map((f) => f.file)).size;
  const kept = entries.filter((e) => !ctx.scope(e.rule, path.resolve(b.baseDir, e.file))).length;
  const what = `${plural(findings, 'finding')} in ${plural(files, 'file')}${kept ? `; kept ${kept === 1 ? '1 entry' : `${kept} entries`} of what this run did not check` : ''}`;
  return { message: b.text === text ? `${b.name} is up to date (${what})` : `wrote ${b.name}: ${what}` };
}

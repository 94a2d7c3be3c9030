// Runs rules over a deployment model and turns their reports into positioned findings.

import type { Diagnostic, NginxConfig, SourceFile } from '../nginx/tree.js';
import { positionOf } from '../nginx/tree.js';
import type { Deployment } from '../model/types.js';
import type { Finding, ReportInput, Rule, RuleMeta, RuleOptions } from './rule.js';
import { satisfies } from '../util/version.js';

export interface RunOptions extends RuleOptions {
  /** Called when a rule throws: the engine keeps going and reports it as an internal error. */
  onInternalError?: (rule: RuleMeta, error: unknown) => void;
}

/** Whether a rule applies to the target versions and to what the model holds. */
export function ruleApplies(meta: RuleMeta, model: Deployment, options: RuleOptions): boolean {
  if (meta.needs?.includes('nginx') && !model.nginx) return false;
  if (meta.needs?.includes('gunicorn') && model.gunicorn.length === 0) return false;
  if (meta.since?.nginx && !satisfies(options.versions.nginx, meta.since.nginx)) return false;
  if (meta.since?.gunicorn && !satisfies(options.versions.gunicorn, meta.since.gunicorn)) return false;
  return true;
}

/** Milliseconds spent in each rule, summed over runs, when `CONFTUNE_TIMING` is set (see `printRuleTimings`). */
export const ruleTimings = new Map<string, number>();
const timing = Boolean(process.env.CONFTUNE_TIMING);

export function runRules(model: Deployment, rules: readonly Rule[], options: RunOptions): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const started = timing ? performance.now() : 0;
    if (!ruleApplies(rule.meta, model, options)) continue;
    // A file included twice is checked twice: report each place once. Keyed per rule, and checked
    // before positions and fixes are worked out (on big configs a rule repeats a place thousands of times).
    const seen = new Set<string>();
    const report = (input: ReportInput): void => {
      const place = placeOf(input);
      if (!place) return;
      const key = `${place.file.path}\0${place.start}\0${input.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push(toFinding(rule.meta, input, place));
    };
    try {
      rule.check({ model, nginx: model.nginx, gunicorn: model.gunicorn, options, report });
    } catch (e) {
      options.onInternalError?.(rule.meta, e);
    }
    if (timing) ruleTimings.set(rule.meta.id, (ruleTimings.get(rule.meta.id) ?? 0) + performance.now() - started);
  }
  return sortFindings(findings);
}

/** The slowest rules (`CONFTUNE_TIMING=N`, default 10) as a table on stderr, like ESLint's TIMING. */
export function printRuleTimings(): void {
  if (!timing) return;
  const n = Number(process.env.CONFTUNE_TIMING) || 10;
  const rows = [...ruleTimings].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  process.stderr.write(`${'rule'.padEnd(44)} ${'ms'.padStart(9)} ${'%'.padStart(6)}\n`);
  for (const [id, ms] of rows.slice(0, n)) process.stderr.write(`${id.padEnd(44)} ${ms.toFixed(1).padStart(9)} ${((100 * ms) / (total || 1)).toFixed(1).padStart(6)}\n`);
  process.stderr.write(`${'all rules'.padEnd(44)} ${total.toFixed(1).padStart(9)}\n`);
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
}

interface Place {
  file: SourceFile;
  start: number;
  end: number;
}

/** The file and byte range a report points at; null when it names no file. */
function placeOf(input: ReportInput): Place | null {
  let file: SourceFile | undefined;
  let start = 0;
  let end = 0;
  if (input.at) {
    file = input.at.file;
    start = input.at.start;
    end = input.at.end;
  } else if (input.node) {
    const n = input.node;
    file = 'file' in n ? n.file : input.file;
    start = n.start;
    // A block directive is reported on its first line only: name to end of line or `{`.
    end = 'blockStart' in n && n.blockStart >= 0 ? n.blockStart + 1 : n.end;
  } else if (input.origin?.file) {
    file = input.origin.file;
    start = input.origin.start ?? 0;
    end = input.origin.end ?? start;
  }
  if (!file) return null;
  if (end < start) end = start;
  return { file, start, end };
}

function toFinding(meta: RuleMeta, input: ReportInput, { file, start, end }: Place): Finding {
  const s = positionOf(file, start);
  const e = positionOf(file, end);
  // A fix's kind defaults to the rule's: `--fix` applies only safe ones.
  const fix = input.fix && input.fix.edits.length > 0 && meta.fix !== 'none'
    ? { ...input.fix, kind: input.fix.kind ?? (meta.fix as 'safe' | 'suggest') }
    : undefined;
  return {
    ruleId: meta.id,
    severity: input.severity ?? meta.severity,
    category: meta.category,
    message: input.message,
    file: file.path,
    line: s.line,
    column: s.column,
    endLine: e.line,
    endColumn: e.column,
    start,
    end,
    ...(fix ? { fix } : {}),
    fixable: fix !== undefined,
  };
}

/** Reading problems as findings of `nginx/syntax` / `nginx/include-missing`, so every format shows them. */
export function diagnosticFindings(config: NginxConfig): Finding[] {
  return config.diagnostics.filter((d) => d.kind !== 'note').map((d) => diagnosticToFinding(d, config));
}

export function isFatalDiagnostic(d: Diagnostic): boolean {
  return d.kind === 'syntax' || d.message.startsWith('include cycle');
}

function diagnosticToFinding(d: Diagnostic, config: NginxConfig): Finding {
  const file = config.files.get(d.file);
  const end = file ? positionOf(file, d.end) : { line: d.line, column: d.column };
  const start = file ? positionOf(file, d.start) : { line: d.line, column: d.column };
  return {
    ruleId: d.kind === 'syntax' ? 'nginx/syntax' : 'nginx/include-missing',
    severity: 'error',
    category: 'correctness',
    message: d.message,
    file: d.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    start: d.start,
    end: d.end,
    fixable: false,
  };
}

export const SEVERITY_RANK: Record<string, number> = { info: 1, warning: 2, error: 3 };

export function atOrAbove(severity: string, level: string): boolean {
  return (SEVERITY_RANK[severity] ?? 0) >= (SEVERITY_RANK[level] ?? 0);
}

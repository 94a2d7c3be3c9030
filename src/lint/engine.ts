// Runs rules over a deployment model — one walk over the nginx tree for all of them — and turns
// their reports into positioned findings.

import type { Diagnostic, NginxConfig, SourceFile } from '../nginx/tree.js';
import { positionOf } from '../nginx/tree.js';
import type { Deployment } from '../model/types.js';
import type { DirectiveHandler, Finding, ReportInput, Rule, RuleContext, RuleMeta, RuleOptions, Visitor } from './rule.js';
import type { Directive } from '../nginx/tree.js';
import { childContext, effectiveRootContext, type ContextName } from '../nginx/directives.js';
import { proxyPasses, type ProxyPass } from '../nginx/query.js';
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

/** One rule's run: its context, its findings in report order, and whether it has failed. */
interface RuleRun {
  rule: Rule;
  ctx: RuleContext;
  findings: Finding[];
  failed: boolean;
  ms: number;
}


/**
 * Runs the rules in one walk over the nginx tree: each rule's `check` first, then every
 * subscribed visitor handler per directive in document order, then each rule's `done`.
 * Findings are kept per rule and joined in rule order, so output does not depend on how rules
 * interleave during the walk.
 */
export function runRules(model: Deployment, rules: readonly Rule[], options: RunOptions): Finding[] {
  const runs: RuleRun[] = [];
  for (const rule of rules) {
    if (!ruleApplies(rule.meta, model, options)) continue;
    runs.push(startRun(rule, model, options));
  }
  // A rule that throws is reported as an internal error and stops; the others go on.
  const fail = (run: RuleRun, e: unknown): void => {
    run.failed = true;
    options.onInternalError?.(run.rule.meta, e);
  };
  const guarded = (run: RuleRun, fn: () => void): void => {
    if (run.failed) return;
    const started = timing ? performance.now() : 0;
    try {
      fn();
    } catch (e) {
      fail(run, e);
    }
    if (timing) run.ms += performance.now() - started;
  };

  const visitors: Array<{ run: RuleRun; visitor: Visitor }> = [];
  for (const run of runs) {
    if (run.rule.check) guarded(run, () => run.rule.check!(run.ctx));
    if (run.rule.create) guarded(run, () => visitors.push({ run, visitor: run.rule.create!(run.ctx) }));
  }
  if (model.nginx && visitors.length > 0) walkOnce(model.nginx, visitors, guarded, fail);
  for (const { run, visitor } of visitors) if (visitor.done) guarded(run, () => visitor.done!());

  if (timing) for (const run of runs) ruleTimings.set(run.rule.meta.id, (ruleTimings.get(run.rule.meta.id) ?? 0) + run.ms);
  return sortFindings(runs.flatMap((run) => run.findings));
}

function startRun(rule: Rule, model: Deployment, options: RuleOptions): RuleRun {
  const findings: Finding[] = [];
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
  return { rule, ctx: { model, nginx: model.nginx, gunicorn: model.gunicorn, options, report }, findings, failed: false, ms: 0 };
}

/** The single pre-order walk, dispatching each directive to the handlers subscribed to it. */
function walkOnce(
  config: NginxConfig,
  visitors: Array<{ run: RuleRun; visitor: Visitor }>,
  guarded: (run: RuleRun, fn: () => void) => void,
  fail: (run: RuleRun, e: unknown) => void,
): void {
  const every: Array<[RuleRun, DirectiveHandler]> = [];
  const byName = new Map<string, Array<[RuleRun, DirectiveHandler]>>();
  const onProxyPass: Array<[RuleRun, (pp: ProxyPass) => void]> = [];
  for (const { run, visitor } of visitors) {
    if (visitor.directive) every.push([run, visitor.directive]);
    for (const [name, handler] of Object.entries(visitor.named ?? {})) {
      let list = byName.get(name);
      if (!list) byName.set(name, (list = []));
      list.push([run, handler]);
    }
    if (visitor.proxyPass) onProxyPass.push([run, visitor.proxyPass]);
  }
  const passes = onProxyPass.length > 0 ? new Map(proxyPasses(config).map((pp) => [pp.node, pp])) : null;
  const call = (handlers: Array<[RuleRun, DirectiveHandler]>, d: Directive, context: ContextName | null, inStreamOrMail: boolean): void => {
    for (const [run, handler] of handlers) {
      if (run.failed) continue;
      // The closure and clock of `guarded` cost ~10% on 400k directives: only when timing.
      if (timing) guarded(run, () => handler(d, context, inStreamOrMail));
      else {
        try {
          handler(d, context, inStreamOrMail);
        } catch (e) {
          fail(run, e);
        }
      }
    }
  };
  // Pre-order with an explicit stack (parallel arrays: no per-node allocation on 400k directives).
  const nodes: Directive[] = [];
  const contexts: Array<ContextName | null> = [];
  const below: boolean[] = [];
  const push = (list: Directive[], context: ContextName | null, inStreamOrMail: boolean): void => {
    for (let i = list.length - 1; i >= 0; i--) {
      nodes.push(list[i]!);
      contexts.push(context);
      below.push(inStreamOrMail);
    }
  };
  push(config.root, effectiveRootContext(config), false);
  while (nodes.length > 0) {
    const d = nodes.pop()!;
    const context = contexts.pop()!;
    const inStreamOrMail = below.pop()! || d.name === 'stream' || d.name === 'mail';
    if (every.length > 0) call(every, d, context, inStreamOrMail);
    const named = byName.get(d.name);
    if (named) call(named, d, context, inStreamOrMail);
    const pp = passes?.get(d);
    if (pp) {
      for (const [run, handler] of onProxyPass) if (!run.failed) guarded(run, () => handler(pp));
    }
    if (d.block && d.block.length > 0) push(d.block, context === null ? null : childContext(d, context), inStreamOrMail);
  }
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

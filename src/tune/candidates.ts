// Candidate configurations: the probe-verifiable fixes `check` offers, applied together and each
// alone (so the report can attribute the gain), plus a small bounded grid over knobs whose best
// value depends on the host (nginx worker_processes, upstream keepalive pool, the access-log
// buffer; gunicorn workers/threads/worker_connections). Every candidate is a set of file texts
// produced by edits on the original bytes, so its patch is an ordinary unified diff.

import { allRules } from '../../rules/index.js';
import * as path from 'node:path';
import type { CheckOptions, CheckResult } from '../check.js';
import { check } from '../check.js';
import type { Edit, RuleMeta } from '../lint/rule.js';
import type { Directive, NginxConfig } from '../nginx/tree.js';
import { findAll, firstChild } from '../nginx/tree.js';
import { planFixes } from '../fix/apply.js';
import { applyEditsToText } from '../edit/apply-text.js';
import { insertAfter, insertBefore, insertIntoBlock, replaceArg } from '../edit/edits.js';
import { pyLiteral, replaceConfValue, replaceFlagValue } from '../edit/edits.js';
import { upstreamProxyPasses } from '../analysis/keepalive.js';
import type { GunicornApp } from '../gunicorn/types.js';
import type { GunicornKnobs } from './backend.js';
import type { ScenarioKind } from './compare.js';
import { loadTexts } from './sandbox.js';

export interface Candidate {
  id: string;
  label: string;
  /** Rules whose fixes it applies (empty for pure search variants). */
  rules: string[];
  /** What it changes, one line each. */
  changes: string[];
  /** New text (latin1) of every file that differs from the original, by path. */
  files: Map<string, string>;
  /** Scenarios that can show its effect. */
  scenarios: ScenarioKind[];
  /** gunicorn settings changed (the sandbox starts a backend with them). */
  knobs?: GunicornKnobs;
  /** Changes that could not be written into the user's files (reported as advice). */
  advice?: string[];
}

export interface CandidateContext {
  /** The check as run on the user's files. */
  initial: CheckResult;
  /** Options to re-run it with other texts (`overrides`) or another rule selection. */
  checkOptions: CheckOptions;
  /** Compiled-in access log path of this nginx (`nginx -V --http-log-path`). */
  httpLogPath: string;
  cpus: number;
}

/** Rules whose fix the probe can verify, with their scenario. */
export function probeRules(metas: readonly RuleMeta[]): Map<string, ScenarioKind> {
  const out = new Map<string, ScenarioKind>();
  for (const m of metas) if (m.probe && m.fix !== 'none') out.set(m.id, m.probe);
  return out;
}

/**
 * The rules tune's check runs: the default selection plus every rule whose fix the probe can
 * verify, named so the off-by-default ones (access-log buffering) are seen too.
 */
export function tuneRuleSelection(): string[] {
  return allRules.filter((r) => !r.meta.optIn || r.meta.probe).map((r) => r.meta.id);
}

/** The main nginx config of the check (the first model with one). */
export function mainConfig(result: CheckResult): NginxConfig | null {
  return result.models.find((m) => m.nginx)?.nginx ?? null;
}

/** Applies the fixes of `ruleIds` (all passes, so a fix that enables another is followed). */
export function applyRules(ctx: CandidateContext, ruleIds: string[], base?: Map<string, string>): { files: Map<string, string>; applied: Array<{ ruleId: string; description: string }> } {
  const opts: CheckOptions = { ...ctx.checkOptions, select: ruleIds, ...(base && base.size > 0 ? { overrides: new Map(base) } : {}) };
  const initial = check(opts);
  const recheck = (overrides: Map<string, string>): CheckResult => check({ ...opts, overrides: new Map([...(base ?? []), ...overrides]) });
  const plan = planFixes(initial, recheck, { unsafe: true });
  const files = new Map([...(base ?? []), ...plan.files]);
  for (const [file, text] of [...files]) if (text === ctx.initial.files.get(file)?.text) files.delete(file);
  return { files, applied: plan.applied.map((f) => ({ ruleId: f.ruleId, description: f.fix?.description ?? f.message })) };
}

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * The fix candidates: every probe rule with a fixable finding alone, and all of them together.
 * Rules whose fixes produce the same files (two rules asking for the same keepalive edits) are
 * one candidate. The access log on nginx's compiled-in default gets a buffered log line here,
 * since only this machine's nginx knows that path.
 */
export function fixCandidates(ctx: CandidateContext): { combined: Candidate | null; singles: Candidate[] } {
  const probes = probeRules(ctx.initial.rules);
  // A finding that covers a general one (its `related`) stands for both rules: each is a candidate.
  const fixable = [...new Set(ctx.initial.findings.filter((f) => f.fix && f.fix.edits.length > 0).flatMap((f) => [f.ruleId, ...(f.related ?? []).map((r) => r.ruleId)]).filter((id) => probes.has(id)))];
  const singles: Candidate[] = [];
  for (const id of fixable) {
    const { files, applied } = applyRules(ctx, [id]);
    if (files.size === 0) continue;
    const twin = singles.find((s) => sameFiles(s.files, files));
    if (twin) {
      twin.rules.push(id);
      twin.label = twin.rules.join(' + ');
      continue;
    }
    singles.push({ id: `fix:${id}`, label: id, rules: [id], changes: unique(applied.map((a) => a.description)), files, scenarios: [probes.get(id)!] });
  }
  const logFix = defaultLogCandidate(ctx);
  if (logFix) singles.push(logFix);
  if (singles.length === 0) return { combined: null, singles };
  const all = [...probes.keys()];
  const together = applyRules(ctx, all);
  let files = together.files;
  const changes = unique(together.applied.map((a) => a.description));
  if (logFix) {
    files = withDefaultLogBuffer(files, ctx);
    changes.push(...logFix.changes);
  }
  const rules = unique([...together.applied.map((a) => a.ruleId), ...(logFix ? logFix.rules : [])]);
  const scenarios = unique(rules.map((r) => probes.get(r)).filter((s): s is ScenarioKind => s !== undefined));
  const combined: Candidate = { id: 'fix:all', label: 'all probe-verifiable fixes', rules, changes, files, scenarios };
  if (singles.length === 1 && sameFiles(singles[0]!.files, files)) return { combined: null, singles };
  return { combined, singles };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

// ---- edits on a candidate's texts ------------------------------------------------------------------

/** The texts of every file of the main config, with `base` applied. */
function currentTexts(ctx: CandidateContext, base: Map<string, string>): Map<string, string> {
  const texts = new Map<string, string>();
  for (const [p, f] of ctx.initial.files) texts.set(p, f.text);
  for (const [p, t] of base) texts.set(p, t);
  return texts;
}

/** Applies edits computed on the candidate's current config; returns the new changed-file map. */
export function withEdits(base: Map<string, string>, ctx: CandidateContext, edits: (config: NginxConfig) => Edit[]): Map<string, string> {
  const config = mainConfig(ctx.initial);
  if (!config) return base;
  const texts = currentTexts(ctx, base);
  const current = loadTexts(config.main.path, texts);
  const byFile = new Map<string, Edit[]>();
  for (const e of edits(current)) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const out = new Map(base);
  for (const [file, list] of byFile) {
    const next = applyEditsToText(texts.get(file) ?? '', list);
    if (next === ctx.initial.files.get(file)?.text) out.delete(file);
    else out.set(file, next);
  }
  return out;
}

/** Where nginx uses its compiled-in access log for proxied requests: http blocks without access_log. */
function defaultLogEdits(config: NginxConfig, httpLogPath: string): Edit[] {
  const out: Edit[] = [];
  for (const http of config.root.filter((d) => d.name === 'http' && d.block)) {
    if (http.block!.some((c) => c.parent === http && c.name === 'access_log')) continue;
    if (!findAll(config, 'proxy_pass').some((p) => isInside(p, http))) continue;
    // Placed after the last simple directive of http (before the upstream/server blocks).
    const simple = http.block!.filter((c) => c.parent === http && !c.block).map((c) => c.name);
    const e = insertIntoBlock(http, `access_log ${httpLogPath} combined buffer=64k flush=5s;`, simple);
    if (e) out.push(e);
  }
  return out;
}

/** `files` with the default access log buffered (see defaultLogEdits). */
export function withDefaultLogBuffer(files: Map<string, string>, ctx: CandidateContext): Map<string, string> {
  return withEdits(files, ctx, (config) => defaultLogEdits(config, ctx.httpLogPath));
}

function isInside(d: Directive, block: Directive): boolean {
  for (let p = d.parent; p; p = p.parent) if (p === block) return true;
  return false;
}

function defaultLogCandidate(ctx: CandidateContext): Candidate | null {
  const reported = ctx.initial.findings.some((f) => f.ruleId === 'nginx/access-log-unbuffered' && !f.fix);
  if (!reported) return null;
  const files = withEdits(new Map(), ctx, (config) => defaultLogEdits(config, ctx.httpLogPath));
  if (files.size === 0) return null;
  return {
    id: 'fix:nginx/access-log-unbuffered',
    label: 'nginx/access-log-unbuffered',
    rules: ['nginx/access-log-unbuffered'],
    changes: [`buffer the default access log (access_log ${ctx.httpLogPath} combined buffer=64k flush=5s)`],
    files,
    scenarios: ['throughput'],
  };
}

// ---- the search grid ---------------------------------------------------------------------------------

export type Knob = 'worker_processes' | 'upstream_keepalive' | 'gunicorn_workers' | 'gunicorn_threads' | 'gunicorn_worker_connections';

/** worker_processes values worth trying on `cpus` cores, besides the current one. */
export function workerProcessValues(current: string, cpus: number): string[] {
  const values = unique(['1', String(Math.max(1, Math.floor(cpus / 2))), String(cpus)]);
  const now = current === 'auto' ? String(cpus) : current;
  return values.filter((v) => v !== now);
}

function setWorkerProcesses(config: NginxConfig, value: string): Edit[] {
  const node = config.root.find((d) => d.name === 'worker_processes');
  if (node?.args[0]) return [replaceArg(node.file, node.args[0], value)];
  const anchor = config.root.find((d) => d.file === config.main && d.name === 'user' && !d.block);
  const before = config.root.find((d) => d.file === config.main && (d.name === 'events' || d.name === 'http'));
  if (anchor) return [insertAfter(anchor, `worker_processes ${value};`)];
  return before ? [insertBefore(before, `worker_processes ${value};`)] : [];
}

/** Upstreams reached by proxy_pass that pool connections (`keepalive N`). */
function pooledUpstreams(config: NginxConfig): Directive[] {
  return unique(upstreamProxyPasses(config).map((p) => p.upstream)).filter((u) => firstChild(u.block, 'keepalive'));
}

function setKeepalivePool(config: NginxConfig, size: number): Edit[] {
  return pooledUpstreams(config).map((u) => {
    const ka = firstChild(u.block, 'keepalive')!;
    return replaceArg(ka.file, ka.args[0]!, String(size));
  });
}

function currentPool(config: NginxConfig): number | undefined {
  const u = pooledUpstreams(config)[0];
  const v = u ? Number(firstChild(u.block, 'keepalive')?.args[0]?.value) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

export interface SearchState {
  /** Changed files of the configuration the search starts from. */
  files: Map<string, string>;
  knobs: GunicornKnobs;
  /** Worker settings of the backend as it runs (for the gunicorn grid). */
  backend: { workers: number; worker_class: string; threads?: number; worker_connections?: number };
}

/** Variants of `state` along one knob (at most three), each a candidate. */
export function knobVariants(knob: Knob, state: SearchState, ctx: CandidateContext): Candidate[] {
  const config = mainConfig(ctx.initial);
  if (!config) return [];
  const current = loadTexts(config.main.path, currentTexts(ctx, state.files));
  const nginxVariant = (value: string, edits: (c: NginxConfig) => Edit[], change: string): Candidate => ({
    id: `search:${knob}=${value}`,
    label: `${knob.replace('_', ' ')} ${value}`,
    rules: [],
    changes: [change],
    files: withEdits(state.files, ctx, edits),
    scenarios: ['throughput'],
    knobs: state.knobs,
  });
  const gunicornVariant = (setting: keyof GunicornKnobs, value: number): Candidate => ({
    id: `search:${knob}=${value}`,
    label: `gunicorn ${setting} ${value}`,
    rules: [],
    changes: [`gunicorn ${setting} = ${value}`],
    files: state.files,
    scenarios: ['throughput'],
    knobs: { ...state.knobs, [setting]: value },
  });
  switch (knob) {
    case 'worker_processes': {
      const now = current.root.find((d) => d.name === 'worker_processes')?.args[0]?.value ?? '1';
      return workerProcessValues(now, ctx.cpus).map((v) => nginxVariant(v, (c) => setWorkerProcesses(c, v), `worker_processes ${v}`));
    }
    case 'upstream_keepalive': {
      const now = currentPool(current);
      if (now === undefined) return [];
      return unique([Math.max(2, Math.round(now / 4)), now * 4]).filter((v) => v !== now).map((v) => nginxVariant(String(v), (c) => setKeepalivePool(c, v), `upstream keepalive ${v}`));
    }
    case 'gunicorn_workers': {
      const now = state.backend.workers;
      return unique([Math.max(1, Math.floor(ctx.cpus / 2)), ctx.cpus, ctx.cpus * 2 + 1]).filter((v) => v !== now).slice(0, 3).map((v) => gunicornVariant('workers', v));
    }
    case 'gunicorn_threads': {
      if (state.backend.worker_class !== 'gthread' && !(state.backend.worker_class === 'sync' && (state.backend.threads ?? 1) > 1)) return [];
      const now = state.backend.threads ?? 1;
      return unique([Math.max(1, Math.floor(now / 2)), now * 2]).filter((v) => v !== now).map((v) => gunicornVariant('threads', v));
    }
    case 'gunicorn_worker_connections': {
      if (!['gevent', 'eventlet'].includes(state.backend.worker_class)) return [];
      const now = state.backend.worker_connections ?? 1000;
      return unique([Math.max(16, Math.round(now / 10)), now * 2]).filter((v) => v !== now).map((v) => gunicornVariant('worker_connections', v));
    }
  }
}

/**
 * Edits writing gunicorn knobs back where they were set (a flag or a conf.py assignment); a knob
 * set nowhere (gunicorn's default) comes back as advice instead.
 */
export function gunicornEdits(app: GunicornApp | undefined, knobs: GunicornKnobs): { edits: Edit[]; advice: string[] } {
  const edits: Edit[] = [];
  const advice: string[] = [];
  for (const [name, value] of Object.entries(knobs)) {
    if (value === undefined) continue;
    const s = app?.settings.get(name);
    const origin = s?.origin;
    let e: Edit | null = null;
    if (origin && !s!.isDefault) {
      if (origin.kind === 'conf.py') e = replaceConfValue(origin, pyLiteral(value as number));
      else if (origin.kind === 'cli' || origin.kind === 'GUNICORN_CMD_ARGS') e = replaceFlagValue(origin, String(value));
    }
    if (e) edits.push(e);
    else advice.push(`set gunicorn ${name} = ${value}${origin?.file ? ` (in ${path.basename(origin.file.path)})` : ''}`);
  }
  return { edits, advice };
}

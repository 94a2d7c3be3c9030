// `tune(options)`: check → candidates → sandbox (backend + one nginx per candidate, all on
// loopback) → interleaved measurements → the winner re-measured against the baseline → patch.
// Everything is bounded by the budget, and every child process is stopped before it returns.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { check, type CheckOptions, type CheckResult } from '../check.js';
import { decodeLatin1, enclosing, walk, type Directive, type NginxConfig } from '../nginx/tree.js';
import type { Edit } from '../lint/rule.js';
import { probe } from '../probe/index.js';
import type { GunicornApp } from '../gunicorn/types.js';
import { gunicornAvailable, resolvedKnobs, startBackend, type BackendKind, type BackendSpec, type GunicornKnobs, type RunningBackend } from './backend.js';
import { applyRules, fixCandidates, gunicornEdits, knobVariants, mainConfig, probeRules, tuneRuleSelection, withDefaultLogBuffer, type Candidate, type CandidateContext, type Knob, type SearchState } from './candidates.js';
import { compareArms, verdictOf, type Arm, type ComparisonResult, type ProbeFn, type Scenario, type ScenarioKind, type Verdict } from './compare.js';
import { ProcessGroup } from './procs.js';
import { locationPath, nginxBinaryInfo, startNginx, type NginxInstance } from './sandbox.js';
import { TuneError, type CandidateReport, type NamedComparison, type TuneOptions, type TuneProgress, type TuneResult } from './types.js';

export type { TuneOptions, TuneResult, TuneProgress, CandidateReport, NamedComparison } from './types.js';
export { TuneError } from './types.js';
export type { ArmSummary, ComparisonResult, Ratio, ScenarioKind, Verdict } from './compare.js';

export const DEFAULT_BUDGET_SEC = 60;
const MIN_ROUNDS = 3;
/**
 * Per-run time the probe adds around the measured seconds (connect, warm-up, teardown): the first
 * guess, replaced by what the runs actually took once some have run.
 */
const RUN_OVERHEAD_SEC = 0.25;
/** Shortest measured run worth having (32 connections reach steady state well before). */
const MIN_RUN_SEC = 0.3;
/** Longest run: past it more rounds would say more than longer runs. */
const MAX_RUN_SEC = 2;
/** First guesses of the time one backend (gunicorn with its workers) and one nginx take to start. */
const BACKEND_START_SEC = 3;
const NGINX_START_SEC = 0.5;
/** Stopping every process and removing the sandbox. */
const CLEANUP_SEC = 2;
const SEARCH_KNOBS: Knob[] = ['worker_processes', 'upstream_keepalive', 'gunicorn_workers', 'gunicorn_threads', 'gunicorn_worker_connections'];

interface Clock {
  start: number;
  budgetSec: number;
  elapsed(): number;
  left(): number;
}

function clock(budgetSec: number): Clock {
  const start = Date.now();
  return { start, budgetSec, elapsed: () => (Date.now() - start) / 1000, left: () => budgetSec - (Date.now() - start) / 1000 };
}

/** The gunicorn app nginx's upstream reaches (or the only one found). */
function linkedApp(result: CheckResult): GunicornApp | undefined {
  const model = result.models.find((m) => m.nginx);
  return model?.links[0]?.app ?? result.models.flatMap((m) => m.gunicorn)[0];
}

/** Whether nginx reaches the backend over a unix socket (the sandbox keeps the transport). */
function upstreamUsesUnix(result: CheckResult): boolean {
  const model = result.models.find((m) => m.nginx);
  const target = model?.links[0]?.target ?? model?.unlinkedTargets[0];
  return target?.address.kind === 'unix';
}

function chooseBackend(o: TuneOptions, app: GunicornApp | undefined, notes: string[]): BackendKind {
  const wanted = o.backend ?? 'auto';
  const haveGunicorn = gunicornAvailable(o.gunicornBinary);
  if (wanted === 'builtin') return 'builtin';
  if (wanted === 'user' || wanted === 'hello') {
    if (!haveGunicorn) throw new TuneError(`--backend ${wanted} needs gunicorn, which is not on PATH (use --backend builtin)`);
    if (wanted === 'user' && !o.gunicornCmd && !app?.wsgiApp) throw new TuneError('--backend user: no gunicorn command found in the sources (give --gunicorn-cmd "…")');
    return wanted;
  }
  if (!haveGunicorn) {
    notes.push('gunicorn is not on PATH: measured against the built-in Node backend');
    return 'builtin';
  }
  return o.gunicornCmd || app?.wsgiApp ? 'user' : 'hello';
}

/**
 * Body size the slow clients ask the bundled backends for. It must exceed what the socket buffers
 * on the way hold (gunicorn's send buffer, nginx's upstream receive and client send buffers, the
 * client's receive buffer), or the kernel absorbs it and no worker waits: measured on loopback
 * here (tcp_rmem max 32 MB, tcp_wmem max 4 MB), 1 MB and 4 MB bodies showed no effect of
 * `proxy_buffering off` toward 5 sync workers, 16 MB took throughput from ~9,000 to ~90 req/s.
 * The fixed arm pays for it in nginx temp files (16 MB per slow client and run, in the sandbox).
 */
const SLOW_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Where the slow clients of the slow-client scenario go: the location of the first finding whose
 * fix that scenario verifies (a `proxy_buffering off` in `/export/` is only exercised by slow
 * readers of `/export/…`); `/` when there is none. With the bundled backends the path asks for a
 * big body (`…/bytes/<SLOW_BODY_BYTES>`, which both answer under any prefix); a user's app gets
 * the location's own path.
 */
function slowClientPath(initial: CheckResult, config: NginxConfig, probeKinds: Map<string, ScenarioKind>, backendKind: BackendKind): string {
  let base = '/';
  let exact = false;
  const wanted = initial.findings.find((f) => probeKinds.get(f.ruleId) === 'slow-client');
  if (wanted) {
    let at: Directive | undefined;
    walk(config.root, (d) => {
      if (at) return false;
      if (d.start === wanted.start && d.file.path === wanted.file) at = d;
      return undefined;
    });
    const loc = at ? (at.name === 'location' ? at : enclosing(at, 'location')) : undefined;
    if (loc) {
      base = locationPath(loc);
      exact = loc.argValue(0) === '=';
    }
  }
  if (backendKind === 'user' || exact) return base;
  return `${base.endsWith('/') ? base : `${base}/`}bytes/${SLOW_BODY_BYTES}`;
}

function scenarioFor(kind: ScenarioKind, runSec: number, connections: number, keepaliveSec: number, slowPath = '/', slowReaders = 16): Scenario {
  const warmupSec = Math.min(0.25, runSec / 4);
  if (kind === 'idle-gap') {
    // 16 connections in step send bursts that find the pool's connections idle for about the gap
    // plus the round trip; the race needs that idle time to end as gunicorn's keepalive timer
    // fires. Measured here (gunicorn 20.1, gevent, --keep-alive 1): 502s at client gaps of
    // 996–1000 ms, none at 1004–1008 ms (the upstream idle is the gap plus 1–4 ms). Each run
    // lasts three gaps: the first burst opens the pool, the next two reuse it.
    const ka = keepaliveSec * 1000;
    return { kind, connections: 16, runSec: keepaliveSec * 3 + 0.3, warmupSec: 0, method: 'POST', body: 'conftune=idle-gap', idleGapsMs: [ka - 4, ka - 2, ka].filter((g) => g > 0) };
  }
  if (kind === 'slow-client') {
    return { kind, connections, runSec, warmupSec, method: 'GET', slowClients: { connections: slowReaders, bytesPerSec: 16 * 1024, path: slowPath } };
  }
  return { kind, connections, runSec, warmupSec, method: 'GET' };
}

/** Seconds one idle-gap comparison of `arms` arms takes. */
function idleGapCost(s: Scenario, arms: number): number {
  return (s.idleGapsMs?.length ?? 0) * arms * (s.runSec + RUN_OVERHEAD_SEC);
}

function rel(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : file;
}

/** Unified diff of changed files against their originals (latin1 texts). */
export async function diffFiles(originals: Map<string, string>, changed: Map<string, string>, cwd: string): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  let out = '';
  for (const file of [...changed.keys()].sort()) {
    const name = rel(file, cwd);
    const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, originals.get(file) ?? '', changed.get(file)!, undefined, undefined, { context: 3 });
    // The "Index:"/"====" preamble is noise for patch(1); the header names drop jsdiff's tab.
    const lines = patch.split('\n').filter((l, i) => !(i < 2 && (l.startsWith('Index:') || l.startsWith('===='))));
    out += lines.map((l) => (l.startsWith('--- ') || l.startsWith('+++ ') ? l.replace(/\t$/, '') : l)).join('\n');
  }
  return decodeLatin1(out);
}

interface RunningArm extends Arm {
  candidate: Candidate | null;
  nginx: NginxInstance;
  backend: RunningBackend;
}

/** Runs the tuner. Rejects with TuneError for unusable input; all processes are stopped either way. */
export async function tune(o: TuneOptions): Promise<TuneResult> {
  const budgetSec = o.budgetSec ?? DEFAULT_BUDGET_SEC;
  const t = clock(budgetSec);
  const cwd = path.resolve(o.cwd ?? process.cwd());
  const notes: string[] = [];
  const progress = (p: Omit<TuneProgress, 'elapsedSec' | 'budgetSec'>): void => o.onProgress?.({ ...p, elapsedSec: Math.round(t.elapsed() * 10) / 10, budgetSec });
  progress({ phase: 'setup' });

  const info = nginxBinaryInfo(o.nginxBinary);
  if (!info) throw new TuneError(`nginx is not on PATH${o.nginxBinary ? ` (${o.nginxBinary})` : ''}: the tuner needs it to run the sandbox`);
  const cpus = o.cpus ?? os.availableParallelism();
  // The probe rules are selected by name, so the off-by-default ones (access-log buffering) are seen too.
  const select = o.check?.select ?? tuneRuleSelection();
  const checkOptions: CheckOptions = { paths: o.paths, cwd, cpus, nginxVersion: info.version, ...o.check, select };
  const initial = check(checkOptions);
  if (initial.errors.length > 0) throw new TuneError(initial.errors.map((e) => e.message).join('; '));
  const config = mainConfig(initial);
  if (!config) throw new TuneError('no nginx configuration found to tune (give its path)');
  if (config.rootContext !== 'main') throw new TuneError(`${rel(config.main.path, cwd)} is a fragment (${config.rootContext} level): give the main nginx.conf`);

  const app = linkedApp(initial);
  const backendKind = chooseBackend(o, app, notes);
  const appDir = path.resolve(cwd, o.appDir ?? (app?.sources[0] ? path.dirname(app.sources[0].path) : cwd));
  const ctx: CandidateContext = { initial, checkOptions, httpLogPath: info.httpLogPath, cpus };
  const { combined, singles } = fixCandidates(ctx);
  const probeKinds = probeRules(initial.rules);
  const baseKnobs = resolvedKnobs(app);

  const group = new ProcessGroup();
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  o.signal?.addEventListener('abort', onOuterAbort);
  group.install(o.signal ? () => controller.abort() : undefined);
  const signal = controller.signal;
  const sandboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-tune-'));
  if (typeof process.getuid === 'function' && process.getuid() === 0) fs.chmodSync(sandboxDir, 0o755); // nginx workers run as `user`
  const comparisons: NamedComparison[] = [];
  const reports: CandidateReport[] = [];
  const candidateFiles = new Map<string, Map<string, string>>();
  const backends = new Map<string, RunningBackend>();
  const processes: Array<{ role: string; pid: number }> = [];
  let names = 0;
  const probeFn: ProbeFn = probe;

  // What this host's runs and starts cost, measured as they happen (budget sizing).
  const costs = { runOverhead: RUN_OVERHEAD_SEC, backendStart: BACKEND_START_SEC, nginxStart: NGINX_START_SEC };
  const backendFor = async (knobs: GunicornKnobs | undefined): Promise<RunningBackend> => {
    const key = JSON.stringify(knobs ?? {});
    const have = backends.get(key);
    if (have) return have;
    const started = Date.now();
    const spec: BackendSpec = { kind: backendKind, app, command: o.gunicornCmd, appDir, knobs, unix: upstreamUsesUnix(initial), gunicornBinary: o.gunicornBinary };
    const b = await startBackend({ name: `backend-${backends.size}`, spec, parentDir: sandboxDir, group, signal });
    processes.push({ role: b.process.role, pid: b.process.pid });
    notes.push(...b.notes.filter((n) => !notes.includes(n)));
    backends.set(key, b);
    costs.backendStart = (Date.now() - started) / 1000;
    return b;
  };

  const originalTexts = new Map<string, string>();
  for (const [p, f] of initial.files) originalTexts.set(p, f.text);
  const armFor = async (candidate: Candidate | null, label: string): Promise<RunningArm> => {
    const backend = await backendFor(candidate?.knobs);
    const texts = new Map([...originalTexts, ...(candidate?.files ?? [])]);
    const started = Date.now();
    const nginx = await startNginx({ name: `nginx-${names++}`, parentDir: sandboxDir, mainFile: config.main.path, texts, backend: backend.endpoint, info, group, signal });
    processes.push({ role: nginx.process.role, pid: nginx.process.pid });
    costs.nginxStart = (Date.now() - started) / 1000;
    for (const n of nginx.notes) if (!notes.includes(n)) notes.push(n);
    return {
      id: candidate?.id ?? 'baseline', label, candidate, nginx, backend,
      url: `http://127.0.0.1:${nginx.entry.port}${nginx.entry.path}`, host: nginx.entry.host,
      nginxPid: nginx.process.pid, backendPid: backend.process.pid,
    };
  };
  const stopArm = async (a: RunningArm): Promise<void> => group.stop(a.nginx.process);

  const rounds = Math.max(MIN_ROUNDS, o.rounds ?? MIN_ROUNDS);
  const wanted = (k: ScenarioKind): boolean => !o.scenarios || o.scenarios.includes(k);
  const compare = async (phase: string, arms: RunningArm[], scenario: Scenario, r = rounds, warmup = true): Promise<ComparisonResult> => {
    const started = Date.now();
    const c = await compareArms(arms, scenario, {
      rounds: r, warmup, probe: probeFn, signal,
      onRun: ({ round, rounds: total, arm }) => {
        group.noteDescendants();
        progress({ phase, index: arms.indexOf(arm as RunningArm) + 1, total: arms.length, label: arm.label, round: round + 1, rounds: total });
      },
    });
    comparisons.push({ ...c, phase });
    // The overhead per run on this host: wall time beyond the measured seconds (warm-up runs are
    // half-length), for sizing the runs that follow.
    if (scenario.kind === 'throughput' && !c.interrupted) {
      const runs = arms.length * (r + (warmup ? 1 : 0));
      const measured = arms.length * (r * scenario.runSec + (warmup ? Math.max(0.2, scenario.runSec / 2) : 0));
      costs.runOverhead = Math.min(1, Math.max(0.05, ((Date.now() - started) / 1000 - measured) / runs));
    }
    return c;
  };
  // Run seconds that fit `slots` runs (a warm-up counts half) and `fixedSec` of starts in what is left.
  const fitRunSec = (slots: number, fixedSec: number): number =>
    Math.min(MAX_RUN_SEC, Math.max(MIN_RUN_SEC, (t.left() - fixedSec - CLEANUP_SEC) / Math.max(1, slots) - costs.runOverhead));
  const slotsFor = (arms: number): number => arms * (rounds + 0.5);

  let interrupted = false;
  let baseline: TuneResult['baseline'] = null;
  let tuned: TuneResult['tuned'] = null;
  let ratio: TuneResult['ratio'] = null;
  let chosen: Candidate | null = null;
  try {
    const baseArm = await armFor(null, 'baseline');
    // Each fix alone is measured only when the budget holds it at the shortest useful runs;
    // otherwise the fixes are measured together (the attribution is lost, the answer is not).
    const minRun = MIN_RUN_SEC + RUN_OVERHEAD_SEC;
    const cost = (arms: number): number => (arms + 2) * (rounds + 0.5) * minRun + arms * 0.4 + CLEANUP_SEC;
    const all = [...(combined ? [combined] : []), ...singles];
    const screenCands = combined && singles.length > 0 && cost(all.length + 1) > t.left() ? [combined] : all;
    if (screenCands.length < all.length) notes.push(`the ${budgetSec}s budget is too short to measure each fix alone: they were measured together (raise --budget for the attribution)`);
    const screenArms = [baseArm];
    for (const c of screenCands) screenArms.push(await armFor(c, c.label));
    progress({ phase: 'setup', label: `${screenArms.length} nginx sandboxes and the backend are up` });

    // Per-run seconds from what is left: screen + (search) + confirm, each run interleaved.
    const idleArms = screenArms.filter((a) => a.candidate?.scenarios.includes('idle-gap'));
    const idleScenario = scenarioFor('idle-gap', 0, 0, baseKnobs.keepalive);
    const wantIdle = wanted('idle-gap') && idleArms.length > 0;
    const idleFits = wantIdle && idleGapCost(idleScenario, idleArms.length + 1) < t.left() * 0.6;
    if (wantIdle && !idleFits) notes.push(`the idle-gap scenario (keepalive race) needs about ${Math.ceil(idleGapCost(idleScenario, idleArms.length + 1))}s with gunicorn's keepalive of ${baseKnobs.keepalive}s: skipped within the ${budgetSec}s budget`);
    const wantThroughput = wanted('throughput') && (screenCands.length === 0 || screenCands.some((c) => c.scenarios.includes('throughput') || c.scenarios.includes('slow-client')));
    // The search's arms as they would be from the combined fixes (each knob: its variants + the
    // current arm), so the screen's runs leave it its share of the budget.
    const searchState = { files: combined?.files ?? new Map<string, string>(), knobs: {}, backend: resolvedKnobs(app) };
    const planned = o.search ? searchPlan(searchState, ctx, backendKind, SEARCH_KNOBS, costs) : { arms: 0, fixedSec: 0 };
    const slowArms = screenArms.filter((a) => a.candidate?.scenarios.includes('slow-client'));
    const wantSlow = wanted('slow-client') && slowArms.length > 0;
    // Slow-client runs cost about twice a throughput run (the slow readers' teardown, nginx's temp files).
    const slots = slotsFor(wantThroughput ? screenArms.length : 0) + (wantSlow ? 2 * slotsFor(slowArms.length + 1) : 0) + slotsFor(planned.arms) + slotsFor(2);
    const fixedSec = (idleFits ? idleGapCost(idleScenario, idleArms.length + 1) : 0) + planned.fixedSec + 1;
    let runSec = fitRunSec(slots, fixedSec);
    let throughput = scenarioFor('throughput', runSec, o.connections ?? 32, baseKnobs.keepalive);

    const verdicts = new Map<string, Partial<Record<ScenarioKind, Verdict>>>();
    const ratios = new Map<string, CandidateReport['ratios']>();
    const note = (id: string, kind: ScenarioKind, c: ComparisonResult): void => {
      verdicts.set(id, { ...verdicts.get(id), [kind]: verdictOf(c, id) });
      ratios.set(id, { ...ratios.get(id), [kind]: c.ratios[id] });
    };
    if (wantThroughput && screenCands.length > 0) {
      const c = await compare('screen', screenArms, throughput);
      for (const a of screenArms.slice(1)) note(a.id, 'throughput', c);
    }
    const slowPath = wantSlow ? slowClientPath(initial, config, probeKinds, backendKind) : '/';
    // Two more slow readers than workers tie them all up (and bound the temp files).
    const slowScenario = (sec: number): Scenario => scenarioFor('slow-client', sec, o.connections ?? 32, baseKnobs.keepalive, slowPath, Math.min(16, baseKnobs.workers + 2));
    if (wantSlow && !signal.aborted) {
      const arms = [baseArm, ...slowArms];
      const c = await compare('slow-client', arms, slowScenario(runSec));
      for (const a of arms.slice(1)) note(a.id, 'slow-client', c);
    }
    if (idleFits && !signal.aborted) {
      const arms = [baseArm, ...idleArms];
      // The race is a matter of timing: a sweep that shows no error before the fix is repeated once.
      let c = await compare('idle-gap', arms, idleScenario, 1, false);
      if (c.arms[0]!.errors === 0 && idleGapCost(idleScenario, arms.length) < t.left() * 0.5 && !signal.aborted) {
        notes.push('idle-gap: no error before the fix in the first sweep (the race is timing-dependent): swept once more');
        c = await compare('idle-gap', arms, idleScenario, 1, false);
      }
      for (const a of arms.slice(1)) note(a.id, 'idle-gap', c);
    }
    const isAccepted = (id: string): boolean => {
      const v = Object.values(verdicts.get(id) ?? {});
      return v.length > 0 && !v.some((x) => x === 'worse' || x === 'more-errors') && v.some((x) => x === 'better' || x === 'fixes-errors');
    };
    const isRejected = (id: string): boolean => Object.values(verdicts.get(id) ?? {}).some((x) => x === 'worse' || x === 'more-errors');
    for (const c of screenCands) {
      reports.push({ id: c.id, label: c.label, rules: c.rules, changes: c.changes, verdicts: verdicts.get(c.id) ?? {}, ratios: ratios.get(c.id) ?? {}, accepted: isAccepted(c.id), phase: 'screen', patch: '' });
      candidateFiles.set(c.id, c.files);
    }

    // The configuration the search starts from: the accepted fixes, without any that hurt alone.
    const rejectedRules = new Set(singles.filter((s) => isRejected(s.id)).flatMap((s) => s.rules));
    let keepRules: string[];
    if (combined && isAccepted(combined.id)) keepRules = combined.rules.filter((r) => !rejectedRules.has(r));
    else keepRules = singles.filter((s) => isAccepted(s.id)).flatMap((s) => s.rules);
    // A fix rides along in the combined candidate only if its own scenario was run: with
    // `--scenario slow-client`, the access-log buffer (a throughput fix) was never measured.
    const ran = new Set(comparisons.map((c) => c.scenario));
    const unmeasured = keepRules.filter((r) => !ran.has(probeKinds.get(r) ?? 'throughput'));
    if (unmeasured.length > 0) {
      notes.push(`not proposed because their scenario did not run: ${unmeasured.map((r) => `${r} (${probeKinds.get(r)})`).join(', ')}; \`conftune check --fix\` still offers them`);
    }
    keepRules = keepRules.filter((r) => !unmeasured.includes(r));
    let current: RunningArm = baseArm;
    let currentCand: Candidate | null = null;
    const measured = screenArms.find((a) => a.candidate && sameRules(a.candidate.rules, keepRules));
    if (keepRules.length > 0 && measured) {
      current = measured;
      currentCand = measured.candidate;
    } else if (keepRules.length > 0) {
      const files = filesForRules(ctx, keepRules, singles);
      currentCand = { id: 'fix:accepted', label: `accepted fixes (${keepRules.join(', ')})`, rules: keepRules, changes: unique(singles.filter((c) => c.rules.some((r) => keepRules.includes(r))).flatMap((c) => c.changes)), files, scenarios: unique(keepRules.map((r) => probeKinds.get(r) ?? 'throughput')) };
      current = await armFor(currentCand, currentCand.label);
    }
    for (const a of screenArms) if (a !== baseArm && a !== current) await stopArm(a);

    if (o.search && !signal.aborted) {
      for (const [i, knob] of SEARCH_KNOBS.entries()) {
        if (signal.aborted) break;
        if (knob.startsWith('gunicorn') && backendKind === 'builtin') continue;
        const state = { files: currentCand?.files ?? new Map<string, string>(), knobs: currentCand?.knobs ?? {}, backend: resolvedKnobs(app, currentCand?.knobs) };
        const variants = knobVariants(knob, state, ctx).map((v) => ({ ...v, rules: currentCand?.rules ?? [], changes: [...(currentCand?.changes ?? []), ...v.changes] }));
        if (variants.length === 0) continue;
        // Runs sized from what this host measured so far, for this knob, the ones after it and the
        // confirmation: the budget the screen did not use goes to the search, not to waste.
        const rest = searchPlan(state, ctx, backendKind, SEARCH_KNOBS.slice(i), costs);
        runSec = fitRunSec(slotsFor(rest.arms) + slotsFor(2), rest.fixedSec);
        throughput = scenarioFor('throughput', runSec, o.connections ?? 32, baseKnobs.keepalive);
        const startCost = variants.length * (knob.startsWith('gunicorn') ? costs.backendStart + costs.nginxStart : costs.nginxStart);
        const cost = (variants.length + 1) * (rounds + 1) * (runSec + costs.runOverhead) + startCost;
        const confirmCost = 2 * (rounds + 1) * (runSec + costs.runOverhead) + 1;
        if (cost + confirmCost > t.left()) {
          notes.push(`search: ${knob} not tried (the budget is spent; raise --budget)`);
          continue;
        }
        const arms: RunningArm[] = [current];
        for (const v of variants) arms.push(await armFor(v, v.label));
        const c = await compare(`search ${knob}`, arms, throughput);
        let best: RunningArm | null = null;
        for (const a of arms.slice(1)) {
          const v = verdictOf(c, a.id);
          const accepted = v === 'better';
          reports.push({ id: a.id, label: a.label, rules: a.candidate!.rules, changes: a.candidate!.changes, knobs: a.candidate!.knobs, verdicts: { throughput: v }, ratios: { throughput: c.ratios[a.id]! }, accepted, phase: `search ${knob}`, patch: '' });
          candidateFiles.set(a.id, a.candidate!.files);
          const summary = c.arms.find((x) => x.id === a.id)!;
          if (accepted && (!best || summary.rps > c.arms.find((x) => x.id === best!.id)!.rps)) best = a;
        }
        for (const a of arms.slice(1)) if (a !== best) await stopArm(a);
        if (best) {
          if (current !== baseArm) await stopArm(current);
          const prev = currentCand?.label;
          current = best;
          currentCand = { ...best.candidate!, label: prev ? `${prev} + ${best.candidate!.label}` : best.candidate!.label };
        }
      }
    }

    const idleOnly = !wanted('throughput') && comparisons.some((c) => c.scenario === 'idle-gap');
    if (current !== baseArm && !signal.aborted && idleOnly) {
      // Only the idle-gap scenario was asked for: its sweep is the evidence, nothing is re-run.
      const c = [...comparisons].reverse().find((x) => x.scenario === 'idle-gap')!;
      chosen = Object.values(verdicts.get(current.id) ?? {}).includes('fixes-errors') ? currentCand : null;
      baseline = c.arms[0]!;
      tuned = c.arms.find((a) => a.id === current.id) ?? null;
      ratio = c.ratios[current.id] ?? null;
    } else if (current !== baseArm && !signal.aborted) {
      chosen = currentCand;
      // The confirmation gets what is left (within MAX_RUN_SEC per run): the longest runs of all.
      // It re-runs the scenario that showed the gain: a buffering fix wins under slow clients and
      // is a wash under plain throughput, which must not undo it.
      const won = verdicts.get(current.id) ?? {};
      const slowOnly = won['slow-client'] === 'better' || (!won['slow-client'] && currentCand?.scenarios.includes('slow-client') === true);
      const confirmSlow = wantSlow && won.throughput !== 'better' && slowOnly;
      runSec = Math.max(runSec, fitRunSec(confirmSlow ? 2 * slotsFor(2) : slotsFor(2), 0));
      throughput = scenarioFor('throughput', runSec, o.connections ?? 32, baseKnobs.keepalive);
      const c = await compare('confirm', [baseArm, current], confirmSlow ? slowScenario(runSec) : throughput);
      baseline = c.arms[0]!;
      tuned = c.arms[1]!;
      ratio = c.ratios[current.id]!;
      const v = verdictOf(c, current.id);
      const idleFixed = Object.values(verdicts.get(current.id) ?? {}).includes('fixes-errors');
      if (v === 'worse' || v === 'more-errors' || (v === 'same' && !idleFixed)) {
        notes.push(`re-measured against the baseline, the chosen configuration came out ${v === 'same' ? 'within the noise' : v}: nothing is proposed`);
        chosen = null;
      }
    } else if (comparisons.length > 0) {
      const first = comparisons.find((c) => c.scenario === 'throughput') ?? comparisons[0]!;
      baseline = first.arms[0]!;
      if (!signal.aborted) notes.push(screenCands.length === 0 ? 'check found no probe-verifiable fix to measure' : 'no candidate beat the baseline by more than the run-to-run spread');
    } else if (screenCands.length === 0) {
      notes.push('check found no probe-verifiable fix to measure');
      if (wanted('throughput') && !signal.aborted) {
        const c = await compare('baseline', [baseArm], throughput);
        baseline = c.arms[0]!;
      }
    }
    interrupted = signal.aborted;
  } catch (e) {
    if (!signal.aborted) throw e;
    interrupted = true;
  } finally {
    progress({ phase: 'cleanup' });
    group.noteDescendants();
    await group.stopAll();
    group.dispose();
    o.signal?.removeEventListener('abort', onOuterAbort);
    if (!o.keepSandbox) fs.rmSync(sandboxDir, { recursive: true, force: true });
  }

  // The patch: the chosen candidate's nginx files plus its gunicorn knobs written back where set.
  let changed = new Map<string, string>(chosen?.files ?? []);
  const advice: string[] = [];
  if (chosen?.knobs && Object.keys(chosen.knobs).length > 0) {
    const g = gunicornEdits(app, chosen.knobs);
    advice.push(...g.advice);
    changed = applyGunicornEdits(changed, g.edits, originalTexts);
  }
  const files: Record<string, string> = {};
  for (const [p, text] of changed) files[p] = decodeLatin1(text);
  const patch = changed.size > 0 ? await diffFiles(originalTexts, changed, cwd) : '';
  for (const r of reports) r.patch = await diffFiles(originalTexts, candidateFiles.get(r.id) ?? new Map(), cwd);
  return {
    baseline, tuned: chosen ? tuned : null, ratio: chosen ? ratio : null,
    chosen: chosen ? { label: chosen.label, rules: chosen.rules, changes: chosen.changes, ...(chosen.knobs ? { knobs: chosen.knobs } : {}) } : { label: 'original configuration', rules: [], changes: [] },
    candidates: reports, comparisons, files, patch, advice, notes,
    backend: { kind: backendKind, description: [...backends.values()][0]?.description ?? backendKind },
    nginxMain: config.main.path,
    processes, seenPids: [...group.seenPids],
    host: { cpus, nginx: info.version },
    budgetSec, elapsedSec: Math.round(t.elapsed() * 10) / 10, interrupted,
  };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/**
 * What the search along `knobs` would run from `state`: arms over all comparisons (each knob's
 * variants plus the current arm) and seconds of process starts (`starts`: first guesses, or what
 * this run measured).
 */
function searchPlan(state: SearchState, ctx: CandidateContext, backendKind: BackendKind, knobs: Knob[] = SEARCH_KNOBS, starts = { backendStart: BACKEND_START_SEC, nginxStart: NGINX_START_SEC }): { arms: number; fixedSec: number } {
  let arms = 0;
  let fixedSec = 0;
  for (const knob of knobs) {
    if (knob.startsWith('gunicorn') && backendKind === 'builtin') continue;
    const n = knobVariants(knob, state, ctx).length;
    if (n === 0) continue;
    arms += n + 1;
    fixedSec += n * (knob.startsWith('gunicorn') ? starts.backendStart + starts.nginxStart : starts.nginxStart);
  }
  return { arms, fixedSec };
}

function sameRules(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Files for a set of rules: their fixes, plus the default-log buffer when that rule is kept. */
function filesForRules(ctx: CandidateContext, rules: string[], singles: Candidate[]): Map<string, string> {
  const log = singles.some((s) => s.id === 'fix:nginx/access-log-unbuffered') && rules.includes('nginx/access-log-unbuffered');
  const files = applyRules(ctx, rules).files;
  return log ? withDefaultLogBuffer(files, ctx) : files;
}

function applyGunicornEdits(changed: Map<string, string>, edits: Edit[], originals: Map<string, string>): Map<string, string> {
  const out = new Map(changed);
  const byFile = new Map<string, Edit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, list] of byFile) {
    const sorted = [...list].sort((a, b) => b.start - a.start);
    let text = out.get(file) ?? originals.get(file) ?? '';
    for (const e of sorted) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    out.set(file, text);
  }
  return out;
}


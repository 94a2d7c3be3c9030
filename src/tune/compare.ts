// Interleaved A/B measurement: every arm (a running nginx in front of a backend) is probed in
// turn, A B C … then … C B A, for a few rounds after a discarded warm-up round; medians, paired
// ratios against a reference arm and the run-to-run spread decide whether a candidate is better.

import type { ProbeOptions, ProbeResult } from '../probe/types.js';
import { cpuSecondsBetween, cpuSnapshots } from './procs.js';

export type ScenarioKind = 'throughput' | 'idle-gap' | 'slow-client';

export interface Scenario {
  kind: ScenarioKind;
  connections: number;
  /** Measured seconds per run. */
  runSec: number;
  warmupSec: number;
  method: string;
  body?: string;
  /** Idle gaps to sweep (idle-gap scenario), ms; each gap is one run per arm. */
  idleGapsMs?: number[];
  /** Slow clients alongside the measured load (slow-client scenario). */
  slowClients?: { connections: number; bytesPerSec: number; path: string };
}

/** Something the comparison can probe. */
export interface Arm {
  id: string;
  label: string;
  url: string;
  host: string;
  /** Root pids of the nginx and backend process trees (CPU accounting). */
  nginxPid: number;
  backendPid: number;
}

export interface Sample {
  round: number;
  /** Idle gap of this run (idle-gap scenario). */
  gapMs?: number;
  rps: number;
  requests: number;
  errors: number;
  errorKinds: Record<string, number>;
  latencyMs: ProbeResult['latencyMs'];
  nginxCpuSec: number;
  backendCpuSec: number;
}

export interface ArmSummary {
  id: string;
  label: string;
  samples: Sample[];
  rps: number;
  p50: number;
  p99: number;
  /** Median of each latency percentile over the runs (for the percentile curve). */
  percentiles: Array<{ p: number; ms: number }>;
  /** Errors over all measured runs. */
  errors: number;
  /** CPU seconds per 1000 requests, nginx and backend trees. */
  nginxCpuPerKReq: number;
  backendCpuPerKReq: number;
  /** Relative half-range of req/s over the runs: (max − min) / 2 / median. */
  spread: number;
}

export interface Ratio {
  /** Median of the per-round ratios candidate / reference (req/s). */
  median: number;
  min: number;
  max: number;
}

export interface ComparisonResult {
  scenario: ScenarioKind;
  /** The slow readers that ran beside the measured load (slow-client scenario). */
  slowClients?: { connections: number; bytesPerSec: number; path: string };
  rounds: number;
  runSec: number;
  arms: ArmSummary[];
  /** Paired ratios of every arm against the first (the reference). */
  ratios: Record<string, Ratio>;
  interrupted: boolean;
}

export type ProbeFn = (options: ProbeOptions) => Promise<ProbeResult>;

export interface CompareOptions {
  rounds: number;
  /** Run a short, discarded warm-up round first. */
  warmup: boolean;
  probe: ProbeFn;
  signal?: AbortSignal;
  /** Called before each run. */
  onRun?: (info: { round: number; rounds: number; arm: Arm; warmup: boolean }) => void;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Relative half-range: how far runs of one arm stray from their median. */
export function spreadOf(xs: number[]): number {
  const m = median(xs);
  return m === 0 || xs.length < 2 ? 0 : (Math.max(...xs) - Math.min(...xs)) / 2 / m;
}

const PERCENTILES: Array<[number, keyof ProbeResult['latencyMs']]> = [[50, 'p50'], [90, 'p90'], [99, 'p99'], [99.9, 'p999'], [100, 'max']];

function errorTotal(r: ProbeResult): number {
  return Object.values(r.errors).reduce((a, b) => a + b, 0);
}

export function summarize(arm: Pick<Arm, 'id' | 'label'>, samples: Sample[]): ArmSummary {
  const rps = samples.map((s) => s.rps);
  const requests = samples.reduce((a, s) => a + s.requests, 0);
  const perK = (f: (s: Sample) => number): number => (requests > 0 ? (samples.reduce((a, s) => a + f(s), 0) / requests) * 1000 : 0);
  return {
    id: arm.id,
    label: arm.label,
    samples,
    rps: round(median(rps), 1),
    p50: round(median(samples.map((s) => s.latencyMs.p50)), 3),
    p99: round(median(samples.map((s) => s.latencyMs.p99)), 3),
    percentiles: PERCENTILES.map(([p, key]) => ({ p, ms: round(median(samples.map((s) => s.latencyMs[key])), 3) })),
    errors: samples.reduce((a, s) => a + s.errors, 0),
    nginxCpuPerKReq: round(perK((s) => s.nginxCpuSec), 4),
    backendCpuPerKReq: round(perK((s) => s.backendCpuSec), 4),
    spread: round(spreadOf(rps), 4),
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Per-round ratios of `arm` against `ref` (runs paired by round and gap). */
export function pairedRatio(ref: Sample[], arm: Sample[]): Ratio {
  const ratios: number[] = [];
  for (const s of arm) {
    const r = ref.find((x) => x.round === s.round && x.gapMs === s.gapMs);
    if (r && r.rps > 0) ratios.push(s.rps / r.rps);
  }
  if (ratios.length === 0) return { median: 0, min: 0, max: 0 };
  return { median: round(median(ratios), 3), min: round(Math.min(...ratios), 3), max: round(Math.max(...ratios), 3) };
}

function probeOptionsFor(arm: Arm, scenario: Scenario, runSec: number, gapMs: number | undefined, signal?: AbortSignal): ProbeOptions {
  return {
    url: arm.url,
    headers: arm.host ? [['Host', arm.host]] : [],
    connections: scenario.connections,
    durationSec: runSec,
    warmupSec: scenario.warmupSec,
    method: scenario.method,
    ...(scenario.body !== undefined ? { body: scenario.body } : {}),
    ...(gapMs !== undefined ? { idleGapMs: gapMs } : {}),
    threads: 1,
    timeoutMs: 10_000,
    signal,
  };
}

async function runOnce(arm: Arm, scenario: Scenario, round: number, runSec: number, gapMs: number | undefined, o: CompareOptions): Promise<Sample> {
  const roots = [arm.nginxPid, arm.backendPid];
  const before = cpuSnapshots(roots);
  const slow = scenario.slowClients
    ? o.probe({
        url: new URL(scenario.slowClients.path, arm.url).toString(),
        headers: arm.host ? [['Host', arm.host]] : [],
        connections: scenario.slowClients.connections,
        durationSec: runSec + scenario.warmupSec,
        slowReadBps: scenario.slowClients.bytesPerSec,
        threads: 0,
        timeoutMs: (runSec + scenario.warmupSec + 5) * 1000,
        signal: o.signal,
      }).catch(() => null)
    : null;
  const r = await o.probe(probeOptionsFor(arm, scenario, runSec, gapMs, o.signal));
  await slow;
  const after = cpuSnapshots(roots);
  return {
    round,
    ...(gapMs !== undefined ? { gapMs } : {}),
    rps: r.rps,
    requests: r.requests,
    errors: errorTotal(r),
    errorKinds: { ...r.errors, ...Object.fromEntries(Object.entries(r.status).filter(([code]) => !code.startsWith('2')).map(([code, n]) => [`http ${code}`, n])) },
    latencyMs: r.latencyMs,
    nginxCpuSec: cpuSecondsBetween(before[0]!, after[0]!),
    backendCpuSec: cpuSecondsBetween(before[1]!, after[1]!),
  };
}

/**
 * Runs `scenario` against every arm, interleaved: round r visits the arms in order (reversed on
 * odd rounds, so drift does not favour one arm); the idle-gap scenario visits every gap per arm.
 */
export async function compareArms(arms: Arm[], scenario: Scenario, o: CompareOptions): Promise<ComparisonResult> {
  const samples = new Map<string, Sample[]>(arms.map((a) => [a.id, []]));
  const gaps: Array<number | undefined> = scenario.kind === 'idle-gap' && scenario.idleGapsMs?.length ? scenario.idleGapsMs : [undefined];
  let interrupted = false;
  const totalRounds = o.rounds + (o.warmup ? 1 : 0);
  outer: for (let r = 0; r < totalRounds; r++) {
    const warm = o.warmup && r === 0;
    const order = r % 2 === 0 ? arms : [...arms].reverse();
    for (const gap of gaps) {
      for (const arm of order) {
        if (o.signal?.aborted) {
          interrupted = true;
          break outer;
        }
        o.onRun?.({ round: r, rounds: totalRounds, arm, warmup: warm });
        const runSec = warm ? Math.max(0.2, scenario.runSec / 2) : scenario.runSec;
        const s = await runOnce(arm, scenario, warm ? -1 : r, runSec, gap, o);
        if (!warm) samples.get(arm.id)!.push(s);
      }
    }
  }
  const summaries = arms.map((a) => summarize(a, samples.get(a.id)!));
  const ref = samples.get(arms[0]!.id)!;
  const ratios: Record<string, Ratio> = {};
  for (const a of arms) ratios[a.id] = pairedRatio(ref, samples.get(a.id)!);
  return { scenario: scenario.kind, ...(scenario.slowClients ? { slowClients: scenario.slowClients } : {}), rounds: o.rounds, runSec: scenario.runSec, arms: summaries, ratios, interrupted: interrupted || o.signal?.aborted === true };
}

export type Verdict = 'better' | 'same' | 'worse' | 'more-errors' | 'fixes-errors' | 'not-reproduced';

/**
 * A candidate's verdict against the reference in one comparison. Throughput and slow clients:
 * better when its median gain beats both arms' run-to-run spread, every round agrees (each paired
 * ratio above 1) and it adds no errors; worse likewise; better too against a reference that
 * served nothing at all. Idle gap: errors decide (the reference must show them for a fix to count).
 */
export function verdictOf(c: ComparisonResult, candidateId: string): Verdict {
  const ref = c.arms[0]!;
  const cand = c.arms.find((a) => a.id === candidateId)!;
  if (cand.errors > ref.errors) return 'more-errors';
  if (c.scenario === 'idle-gap') {
    if (ref.errors === 0) return 'not-reproduced';
    return cand.errors < ref.errors ? 'fixes-errors' : 'same';
  }
  if (ref.errors > 0 && cand.errors === 0) return 'fixes-errors';
  // A reference that served nothing in any round (every worker held by slow clients) has no
  // ratio to compare: a candidate that served in every round is better, plainly.
  if (ref.samples.length > 0 && ref.samples.every((s) => s.rps === 0)) {
    return cand.samples.length > 0 && cand.samples.every((s) => s.rps > 0) ? 'better' : 'same';
  }
  // Both the ratio of medians and the median of paired ratios must clear the noise.
  const paired = c.ratios[candidateId]!.median - 1;
  const gain = ref.rps > 0 ? cand.rps / ref.rps - 1 : 0;
  const noise = Math.max(ref.spread, cand.spread);
  // A round that went the other way means the gain is within what the host's drift can do: with
  // a few short runs a median can clear one arm's lucky, tight spread (measured on a shared 2-core
  // host: a buffered access log came out 6 % "worse" than an unbuffered one, one round of three
  // the other way).
  const r = c.ratios[candidateId]!;
  if (gain > noise && paired > noise && r.min > 1) return 'better';
  if (-gain > noise && -paired > noise && r.max < 1) return 'worse';
  return 'same';
}

/**
 * The embedded HTTP load probe as a library call:
 *   const result = await probe({ url: 'http://127.0.0.1:8080/', connections: 32, durationSec: 5 });
 * Options are checked first (loopback guard included) and no socket opens unless they pass.
 */
import type { EngineConfig, EngineProgress, EngineReport } from './client.js';
import { LatencyHistogram } from './histogram.js';
import { planProbe, resolveTarget, type ProbePlan } from './options.js';
import { serializeRequest } from './request.js';
import type { ProbeOptions, ProbeProgress, ProbeResult } from './types.js';
import { runEngines, workerAvailable } from './workers.js';

export type { ProbeOptions, ProbeProgress, ProbeResult, LatencyMs, ErrorKind } from './types.js';
export { ERROR_KINDS } from './types.js';
export { planProbe, isLoopbackAddress, type ProbePlan, type PlanOutcome } from './options.js';
export { LatencyHistogram } from './histogram.js';
export { ResponseParser, NEED_MORE, PARSE_ERROR } from './parser.js';
export { formatProbeTable, formatProgressLine } from './format.js';
export { workerAvailable } from './workers.js';

/** A generator thread above this share of one core is the bottleneck itself. */
export const CPU_SATURATION_THRESHOLD = 0.8;

/** Rejected options; `diagnostics` holds one line per problem. */
export class ProbeOptionsError extends Error {
  readonly code = 'EPROBEOPTIONS';
  constructor(readonly diagnostics: string[]) {
    super(diagnostics.join('; '));
    this.name = 'ProbeOptionsError';
  }
}

/** Splits `total` into `parts` near-equal whole shares. */
function shares(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

function engineConfigs(plan: ProbePlan, address: string, request: Uint8Array): EngineConfig[] {
  let threads = Math.max(1, Math.min(plan.threads, plan.connections));
  if (plan.requests > 0) threads = Math.min(threads, plan.requests);
  const connectionShares = shares(plan.connections, threads);
  const requestShares = plan.requests > 0 ? shares(plan.requests, threads) : connectionShares.map(() => 0);
  return connectionShares.map((connections, i) => ({
    address,
    port: plan.port,
    request,
    headRequest: plan.method === 'HEAD',
    connections,
    durationMs: plan.durationMs,
    requests: requestShares[i],
    warmupMs: plan.warmupMs,
    pipeline: plan.pipeline,
    rate: plan.rate > 0 ? (plan.rate * connections) / plan.connections : 0,
    idleGapMs: plan.idleGapMs,
    slowReadBps: plan.slowReadBps,
    timeoutMs: plan.timeoutMs,
  }));
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

/** Combines per-thread reports into the public result. */
export function mergeReports(plan: ProbePlan, reports: EngineReport[], threads: number, warnings: string[]): ProbeResult {
  const histogram = new LatencyHistogram();
  const errors: Record<string, number> = {};
  const status: Record<string, number> = {};
  let requests = 0;
  let bytes = 0;
  let reconnects = 0;
  let measuredMs = 0;
  let processCpuMs = 0;
  let utilization = 0;
  for (const r of reports) {
    histogram.merge(r.histogram);
    addCounts(errors, r.errors);
    addCounts(status, r.status);
    requests += r.completed;
    bytes += r.bytes;
    reconnects += r.reconnects;
    measuredMs = Math.max(measuredMs, r.measuredMs);
    // Each thread read the process-wide counter over (nearly) the same window.
    processCpuMs = Math.max(processCpuMs, r.processCpuMs);
    if (r.measuredMs > 0) utilization = Math.max(utilization, r.threadCpuMs / r.measuredMs);
  }
  const durationSec = measuredMs / 1000;
  const latency = histogram.summary();
  const ms = (micros: number): number => round(micros / 1000, 3);
  const cpuSaturated = utilization > CPU_SATURATION_THRESHOLD;
  const allWarnings = [...warnings];
  if (cpuSaturated) {
    allWarnings.push(
      `the probe used ${Math.round(utilization * 100)}% of a core: these numbers describe the probe, not the server`,
    );
  }
  return {
    url: plan.url,
    requests,
    durationSec: round(durationSec, 3),
    rps: durationSec > 0 ? round(requests / durationSec, 1) : 0,
    bytes,
    bytesPerSec: durationSec > 0 ? Math.round(bytes / durationSec) : 0,
    latencyMs: {
      p50: ms(latency.p50),
      p90: ms(latency.p90),
      p99: ms(latency.p99),
      p999: ms(latency.p999),
      max: ms(latency.max),
      mean: ms(latency.mean),
      min: ms(latency.min),
      stdev: ms(latency.stdev),
    },
    errors,
    status,
    reconnects,
    probeCpuSec: round(processCpuMs / 1000, 3),
    generatorCpuUtil: round(utilization, 3),
    cpuSaturated,
    connections: plan.connections,
    threads,
    pipeline: plan.pipeline,
    ...(plan.rate > 0 ? { rate: plan.rate } : {}),
    interrupted: reports.some((r) => r.interrupted),
    warnings: allWarnings,
  };
}

const PROGRESS_MIN_INTERVAL_SEC = 0.2;

function progressAggregator(onProgress: (p: ProbeProgress) => void): (all: EngineProgress[]) => void {
  let lastElapsed = 0;
  let lastRequests = 0;
  let lastEmit = -Infinity;
  return (all) => {
    const elapsedSec = Math.max(...all.map((p) => p.measuredMs)) / 1000;
    const warmingUp = all.some((p) => p.warmingUp);
    if (!warmingUp && elapsedSec - lastEmit < PROGRESS_MIN_INTERVAL_SEC) return;
    const requests = all.reduce((sum, p) => sum + p.completed, 0);
    const errors = all.reduce((sum, p) => sum + p.errors, 0);
    const span = elapsedSec - lastElapsed;
    const currentRps = span > 0 ? (requests - lastRequests) / span : 0;
    lastElapsed = elapsedSec;
    lastRequests = requests;
    lastEmit = elapsedSec;
    onProgress({ elapsedSec, warmingUp, requests, errors, currentRps });
  };
}

/** Runs the probe. Rejects with ProbeOptionsError for bad options (no traffic is sent then). */
export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const planned = planProbe(options);
  if (!planned.ok) throw new ProbeOptionsError(planned.diagnostics);
  const plan = planned.plan;
  const target = await resolveTarget(plan);
  if (!target.ok) throw new ProbeOptionsError(target.diagnostics);
  const warnings: string[] = [];
  if (target.remote) {
    warnings.push(`probing ${plan.hostname} (${target.address}), which is not a loopback address`);
  }
  const request = serializeRequest({
    method: plan.method,
    path: plan.path,
    host: plan.hostHeader,
    headers: plan.headers,
    body: plan.body,
  });
  const configs = engineConfigs(plan, target.address, request);
  const useWorkers = plan.threads > 0 && workerAvailable();
  const reports = await runEngines(configs, useWorkers, {
    signal: options.signal,
    onProgress: options.onProgress ? progressAggregator(options.onProgress) : undefined,
  });
  return mergeReports(plan, reports, plan.threads === 0 ? 0 : configs.length, warnings);
}

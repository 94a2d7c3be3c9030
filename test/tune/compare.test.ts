import { describe, expect, it } from 'vitest';
import type { ProbeOptions, ProbeResult } from '../../src/probe/types.js';
import { compareArms, median, pairedRatio, spreadOf, verdictOf, type Arm, type ComparisonResult, type Sample } from '../../src/tune/compare.js';

function fakeResult(rps: number, errors = 0): ProbeResult {
  const latencyMs = { p50: 1000 / rps, p90: 2, p99: 3, p999: 4, max: 5, mean: 1, min: 0.5, stdev: 0.1 };
  return {
    url: '', requests: rps, durationSec: 1, rps, bytes: 0, bytesPerSec: 0, latencyMs, errors: errors ? { non2xx: errors } : {},
    status: errors ? { 200: rps, 502: errors } : { 200: rps }, reconnects: 0, probeCpuSec: 0, generatorCpuUtil: 0, cpuSaturated: false,
    connections: 1, threads: 1, pipeline: 1, interrupted: false, warnings: [],
  };
}

const arm = (id: string, port: number): Arm => ({ id, label: id, url: `http://127.0.0.1:${port}/`, host: 'localhost', nginxPid: -1, backendPid: -1 });
const sample = (round: number, rps: number, errors = 0): Sample => ({
  round, rps, requests: rps, errors, errorKinds: {}, nginxCpuSec: 0, backendCpuSec: 0,
  latencyMs: { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1, min: 0.5, stdev: 0.1 },
});

function comparison(ref: number[], cand: number[], errs: [number, number] = [0, 0], scenario: ComparisonResult['scenario'] = 'throughput'): ComparisonResult {
  const summarize = (id: string, xs: number[], e: number) => ({
    id, label: id, samples: xs.map((x, i) => sample(i + 1, x, i === 0 ? e : 0)), rps: median(xs), p50: 1, p99: 3,
    percentiles: [], errors: e, nginxCpuPerKReq: 0, backendCpuPerKReq: 0, spread: spreadOf(xs),
  });
  const a = summarize('ref', ref, errs[0]);
  const b = summarize('cand', cand, errs[1]);
  return { scenario, rounds: ref.length, runSec: 1, arms: [a, b], ratios: { ref: pairedRatio(a.samples, a.samples), cand: pairedRatio(a.samples, b.samples) }, interrupted: false };
}

describe('interleaved comparison', () => {
  it('visits the arms in order, then in reverse, and discards the warm-up round', async () => {
    const visits: string[] = [];
    const rps: Record<string, number> = { '1': 100, '2': 200 };
    const probe = async (o: ProbeOptions) => {
      const port = new URL(o.url).port;
      visits.push(port);
      return fakeResult(rps[port.slice(-1)]!);
    };
    const c = await compareArms([arm('a', 1), arm('b', 2)], { kind: 'throughput', connections: 1, runSec: 0.1, warmupSec: 0, method: 'GET' }, { rounds: 3, warmup: true, probe });
    expect(visits).toEqual(['1', '2', '2', '1', '1', '2', '2', '1']);
    expect(c.arms[0]!.samples).toHaveLength(3);
    expect(c.ratios.b!.median).toBe(2);
  });

  it('runs every idle gap for every arm in the idle-gap scenario', async () => {
    const gaps: Array<number | undefined> = [];
    const probe = async (o: ProbeOptions) => {
      gaps.push(o.idleGapMs);
      return fakeResult(10);
    };
    await compareArms([arm('a', 1), arm('b', 2)], { kind: 'idle-gap', connections: 1, runSec: 0.1, warmupSec: 0, method: 'POST', idleGapsMs: [990, 1000] }, { rounds: 1, warmup: false, probe });
    expect(gaps).toEqual([990, 990, 1000, 1000]);
  });

  it('stops at once when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const probe = async () => fakeResult(1);
    const c = await compareArms([arm('a', 1)], { kind: 'throughput', connections: 1, runSec: 0.1, warmupSec: 0, method: 'GET' }, { rounds: 3, warmup: false, probe, signal: controller.signal });
    expect(c.interrupted).toBe(true);
    expect(c.arms[0]!.samples).toHaveLength(0);
  });
});

describe('verdicts', () => {
  it('calls a gain above the run-to-run spread better', () => {
    expect(verdictOf(comparison([100, 105, 95], [200, 210, 190]), 'cand')).toBe('better');
  });

  it('calls a gain inside the spread the same', () => {
    expect(verdictOf(comparison([100, 140, 70], [110, 150, 80]), 'cand')).toBe('same');
  });

  it('calls a gain with one round the other way the same', () => {
    // Medians say +20%, but round 3 went the other way: not a consistent gain.
    expect(verdictOf(comparison([100, 100, 100], [120, 125, 95]), 'cand')).toBe('same');
  });

  it('calls a loss with one round the other way the same', () => {
    expect(verdictOf(comparison([100, 100, 100], [80, 75, 105]), 'cand')).toBe('same');
  });

  it('rejects a candidate that adds errors whatever its speed', () => {
    expect(verdictOf(comparison([100, 100, 100], [300, 300, 300], [0, 2]), 'cand')).toBe('more-errors');
  });

  it('credits an idle-gap fix only when the reference showed errors', () => {
    expect(verdictOf(comparison([10, 10, 10], [10, 10, 10], [3, 0], 'idle-gap'), 'cand')).toBe('fixes-errors');
    expect(verdictOf(comparison([10, 10, 10], [10, 10, 10], [0, 0], 'idle-gap'), 'cand')).toBe('not-reproduced');
  });

  it('calls a candidate that served in every round better than a reference that served nothing', () => {
    // Slow clients holding every sync worker: the baseline completes no request at all.
    expect(verdictOf(comparison([0, 0, 0], [9000, 8800, 9100], [0, 0], 'slow-client'), 'cand')).toBe('better');
    expect(verdictOf(comparison([0, 0, 0], [9000, 0, 9100], [0, 0], 'slow-client'), 'cand')).toBe('same');
  });

  it('pairs runs by round for the ratio', () => {
    expect(pairedRatio([sample(1, 100), sample(2, 50)], [sample(1, 200), sample(2, 150)])).toEqual({ median: 2.5, min: 2, max: 3 });
  });
});

import { describe, expect, it } from 'vitest';
import { BUCKET_COUNT, LatencyHistogram, bucketIndexOf, bucketRange } from '../../src/probe/histogram.js';

/** Deterministic pseudo-random numbers (xorshift), so failures reproduce. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Nearest-rank percentile of a sorted array. */
function referencePercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function latencySample(n: number, seed: number): number[] {
  const next = random(seed);
  // Log-normal-ish spread from tens of µs to seconds, like real latencies.
  return Array.from({ length: n }, () => Math.round(Math.exp(3 + next() * 11)));
}

describe('LatencyHistogram', () => {
  it('places every value inside the bucket whose range holds it', () => {
    for (const v of [0, 1, 255, 256, 257, 511, 512, 1000, 65_535, 1_000_000, 2 ** 31, 2 ** 32 - 1]) {
      const [low, high] = bucketRange(bucketIndexOf(v));
      expect(v).toBeGreaterThanOrEqual(low);
      expect(v).toBeLessThanOrEqual(high);
    }
    expect(bucketIndexOf(2 ** 32 - 1)).toBe(BUCKET_COUNT - 1);
  });

  it('matches a sorted-array reference within 1% at the reported percentiles', () => {
    const values = latencySample(50_000, 42);
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9, 100]) {
      const expected = referencePercentile(sorted, p);
      expect(Math.abs(h.percentile(p) - expected) / expected).toBeLessThanOrEqual(0.01);
    }
  });

  it('reports small values exactly (µs resolution)', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 200; v++) h.record(v);
    expect(h.percentile(50)).toBe(100);
    expect(h.percentile(99)).toBe(198);
    expect(h.summary().min).toBe(1);
    expect(h.summary().max).toBe(200);
  });

  it('computes mean and standard deviation exactly', () => {
    const h = new LatencyHistogram();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) h.record(v);
    expect(h.mean()).toBe(5);
    expect(h.stdev()).toBe(2);
  });

  it('gives the same percentiles when per-thread histograms are merged', () => {
    const values = latencySample(20_000, 7);
    const whole = new LatencyHistogram();
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    values.forEach((v, i) => {
      whole.record(v);
      parts[i % 3].record(v);
    });
    const merged = new LatencyHistogram();
    for (const part of parts) merged.merge(part.toData());
    expect(merged.summary()).toEqual(whole.summary());
  });

  it('returns zeros when nothing was recorded', () => {
    expect(new LatencyHistogram().summary()).toEqual({
      p50: 0, p90: 0, p99: 0, p999: 0, min: 0, max: 0, mean: 0, stdev: 0,
    });
  });

  it('clamps values beyond the trackable range instead of failing', () => {
    const h = new LatencyHistogram();
    h.record(1e12);
    h.record(-5);
    expect(h.total).toBe(2);
    expect(h.percentile(100)).toBe(2 ** 32 - 1);
    expect(h.percentile(1)).toBe(0);
  });
});

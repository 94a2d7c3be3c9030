import { describe, expect, it } from 'vitest';
import { formatTuneTable, latencySvg, renderHtmlReport } from '../../src/tune/report.js';
import type { ArmSummary } from '../../src/tune/compare.js';
import type { TuneResult } from '../../src/tune/types.js';

function arm(id: string, rps: number): ArmSummary {
  const latencyMs = { p50: 2, p90: 4, p99: 9, p999: 12, max: 15, mean: 2, min: 1, stdev: 1 };
  return {
    id, label: id, rps, p50: 2, p99: 9, errors: 0, nginxCpuPerKReq: 0.1, backendCpuPerKReq: 0.3, spread: 0.04,
    samples: [rps * 0.95, rps, rps * 1.05].map((r, i) => ({ round: i + 1, rps: r, requests: r, errors: 0, errorKinds: {}, latencyMs, nginxCpuSec: 0, backendCpuSec: 0 })),
    percentiles: [{ p: 50, ms: 2 }, { p: 90, ms: 4 }, { p: 99, ms: 9 }, { p: 99.9, ms: 12 }, { p: 100, ms: 15 }],
  };
}

const result = (tuned: boolean): TuneResult => ({
  baseline: arm('baseline', 2000), tuned: tuned ? arm('fix:all', 4000) : null, ratio: tuned ? { median: 2, min: 1.9, max: 2.1 } : null,
  chosen: tuned ? { label: 'all probe-verifiable fixes', rules: ['r'], changes: ['enable upstream keepalive'] } : { label: 'original configuration', rules: [], changes: [] },
  candidates: [{ id: 'fix:all', label: 'all probe-verifiable fixes', rules: ['r'], changes: [], verdicts: { throughput: 'better' }, ratios: { throughput: { median: 2, min: 1.9, max: 2.1 } }, accepted: true, phase: 'screen', patch: '' }],
  comparisons: [], files: {}, patch: '', advice: [], notes: ['n1'], backend: { kind: 'hello', description: 'gunicorn' }, nginxMain: '/n.conf',
  processes: [], seenPids: [], host: { cpus: 2, nginx: '1.22.1' }, budgetSec: 60, elapsedSec: 12, interrupted: false,
});

describe('tune report', () => {
  it('prints baseline and tuned side by side with the ratio and its range', () => {
    const text = formatTuneTable(result(true));
    expect(text).toMatch(/req\/s \(median\)\s+2000\s+4000/);
    expect(text).toContain('ratio: 2.00× req/s (paired rounds 1.90–2.10)');
    expect(text).toMatch(/screen\s+all probe-verifiable fixes\s+2\.00×\s+1\.90–2\.10\s+better ✓/);
  });

  it('says so when nothing beat the baseline', () => {
    expect(formatTuneTable(result(false))).toContain('chosen: the original configuration');
  });

  it('draws one latency curve per arm', () => {
    const svg = latencySvg([arm('a', 1), arm('b', 2)], 't');
    expect(svg.match(/<path /g)).toHaveLength(2);
  });

  it('builds a page with no script and no external resource', () => {
    const html = renderHtmlReport(result(true));
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('2.00×');
  });
});

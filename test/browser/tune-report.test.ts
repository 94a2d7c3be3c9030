// The tune HTML report in headless Chromium (Debian's `chromium`; scripts/setup.sh installs it in
// CI): it loads without a console message and its screenshot is the page with the charts drawn.
// Runs in the main suite and in `npm run test:browser` (vitest.browser.config.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderHtmlReport } from '../../src/tune/report.js';
import type { ArmSummary, ComparisonResult } from '../../src/tune/compare.js';
import type { TuneResult } from '../../src/tune/types.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-browser-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function chromium(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

function arm(id: string, label: string, runs: number[], p50: number): ArmSummary {
  const latencyMs = { p50, p90: p50 * 2, p99: p50 * 5, p999: p50 * 8, max: p50 * 10, mean: p50, min: p50 / 4, stdev: 1 };
  const samples = runs.map((rps, i) => ({ round: i + 1, rps, requests: rps, errors: 0, errorKinds: {}, latencyMs, nginxCpuSec: 0.1, backendCpuSec: 0.3 }));
  const sorted = [...runs].sort((a, b) => a - b);
  return {
    id, label, samples, rps: sorted[1]!, p50, p99: p50 * 5, errors: 0, nginxCpuPerKReq: 0.12, backendCpuPerKReq: 0.4, spread: 0.05,
    percentiles: [50, 90, 99, 99.9, 100].map((p, i) => ({ p, ms: p50 * [1, 2, 5, 8, 10][i]! })),
  };
}

function sampleResult(): TuneResult {
  const base = arm('baseline', 'baseline', [2000, 2100, 2050], 12);
  const tuned = arm('fix:all', 'all probe-verifiable fixes', [4300, 4500, 4400], 2);
  const ratios = { baseline: { median: 1, min: 1, max: 1 }, 'fix:all': { median: 2.15, min: 2.1, max: 2.2 } };
  const confirm: ComparisonResult & { phase: string } = { phase: 'confirm', scenario: 'throughput', rounds: 3, runSec: 1, arms: [base, tuned], ratios, interrupted: false };
  const screen = { ...confirm, phase: 'screen', arms: [base, tuned, arm('fix:nginx/worker-processes', 'nginx/worker-processes <auto>', [2100, 2200, 2000], 11)] };
  return {
    baseline: base, tuned, ratio: ratios['fix:all'], chosen: { label: 'all probe-verifiable fixes', rules: ['nginx/upstream-keepalive-missing'], changes: ['enable upstream keepalive'] },
    candidates: [], comparisons: [screen, confirm], files: {},
    patch: '--- a/nginx.conf\n+++ b/nginx.conf\n@@ -20,3 +20,4 @@\n     upstream app_server {\n         server 127.0.0.1:8000 fail_timeout=0;\n+        keepalive 16;\n     }\n',
    advice: [], notes: ['a note with <markup> & "quotes"'], backend: { kind: 'hello', description: 'gunicorn -w 8 -k gevent' }, nginxMain: '/x/nginx.conf',
    processes: [], seenPids: [], host: { cpus: 2, nginx: '1.22.1' }, budgetSec: 60, elapsedSec: 58.2, interrupted: false,
  };
}

describe('the tune HTML report in headless Chromium', () => {
  it('renders without console messages and its screenshot shows the charts', () => {
    const browser = chromium();
    if (!browser) return void expect(process.env.CI, 'chromium must be installed in CI (scripts/setup.sh)').toBeFalsy();
    const page = path.join(work, 'report.html');
    const png = path.join(work, 'report.png');
    fs.writeFileSync(page, renderHtmlReport(sampleResult()));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
    const dom = spawnSync(browser, [...flags, `--user-data-dir=${path.join(work, 'profile-dom')}`, '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60_000 });
    expect(dom.status, dom.stderr).toBe(0);
    expect(dom.stderr).not.toMatch(/CONSOLE|Failed to load resource|Uncaught/);
    expect((dom.stdout.match(/<svg/g) ?? []).length).toBe(3);
    expect(dom.stdout).toContain('a note with &lt;markup&gt;');
    const shot = spawnSync(browser, [...flags, `--user-data-dir=${path.join(work, 'profile-shot')}`, `--screenshot=${png}`, '--window-size=1200,1600', `file://${page}`], { encoding: 'utf8', timeout: 60_000 });
    expect(shot.status, shot.stderr).toBe(0);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A blank 1200×1600 page compresses to a few KB; bars, curves and text take far more.
    expect(bytes.length).toBeGreaterThan(30_000);
    if (process.env.CONFTUNE_KEEP_SCREENSHOT) fs.copyFileSync(png, process.env.CONFTUNE_KEEP_SCREENSHOT);
  }, 120_000);
});

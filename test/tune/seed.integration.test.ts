// A short `conftune tune` on the seed setup (its nginx.conf; gunicorn -w8 -k gevent with the
// hello-world app), through the CLI. Asserts the structure of what comes back, never its speed.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTuneCommand } from '../../src/cli/tune.js';
import type { TuneResult } from '../../src/tune/types.js';
import { alive, seedToolsInstalled } from './helpers.js';

const SEED = path.resolve(__dirname, '../../fixtures/seed');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-tune-test-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('conftune tune on the seed setup', () => {
  let result: TuneResult | undefined;
  let exitCode = -1;
  let stderr = '';

  async function run(): Promise<TuneResult | undefined> {
    if (result || !seedToolsInstalled()) return result;
    let stdout = '';
    exitCode = await runTuneCommand(['nginx.conf', 'Procfile'], { budget: '15s', json: true, out: path.join(work, 'out'), report: path.join(work, 'report.html') }, {
      cwd: SEED,
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t), isTTY: false },
      onInterrupt: () => () => undefined,
    });
    result = JSON.parse(stdout) as TuneResult;
    return result;
  }

  it('measures the baseline and every candidate, interleaved after a warm-up round', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI, 'nginx, gunicorn and python3-gevent must be installed in CI').toBeFalsy();
    expect(exitCode, stderr).toBe(0);
    const screen = r.comparisons.find((c) => c.phase === 'screen')!;
    expect(screen.arms[0]!.label).toBe('baseline');
    expect(screen.arms.length).toBeGreaterThanOrEqual(2);
    for (const arm of screen.arms) expect(arm.samples).toHaveLength(screen.rounds);
    expect(screen.rounds).toBeGreaterThanOrEqual(3);
    expect(r.baseline).not.toBeNull();
    expect(r.candidates.every((c) => c.verdicts.throughput !== undefined)).toBe(true);
  });

  it('produces the keepalive patch as a unified diff', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI).toBeFalsy();
    const all = r.candidates.find((c) => c.id === 'fix:all')!;
    expect(all.patch).toContain('--- a/nginx.conf');
    expect(all.patch).toContain('+        keepalive 16;');
    expect(all.patch).toContain('+            proxy_set_header Connection "";');
    if (r.patch) {
      expect(r.tuned).not.toBeNull();
      expect(fs.readFileSync(path.join(work, 'out', 'nginx.conf'), 'utf8')).toBe(r.files[path.join(SEED, 'nginx.conf')]);
    } else {
      expect(r.notes.length).toBeGreaterThan(0);
    }
  });

  it('leaves no process behind: every pid it started or saw is gone when it returns', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI).toBeFalsy();
    expect(r.processes.map((p) => p.role.split(' ')[0])).toEqual(expect.arrayContaining(['backend', 'nginx']));
    expect(r.seenPids.length).toBeGreaterThan(r.processes.length); // the workers were seen too
    expect(r.seenPids.filter(alive)).toEqual([]);
  });

  it('writes a self-contained HTML report with the charts', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI).toBeFalsy();
    const html = fs.readFileSync(path.join(work, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it('never touches the seed files', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI).toBeFalsy();
    expect(fs.readFileSync(path.join(SEED, 'nginx.conf'), 'utf8')).toContain('worker_processes 4;');
    expect(fs.readdirSync(SEED).sort()).toEqual(['Procfile', 'application.py', 'nginx.conf']);
  });
});

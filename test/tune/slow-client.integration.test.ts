// A short `conftune tune --scenario slow-client` on the buffering-off-with-sync fixture: nginx with
// `proxy_buffering off` in /export/ in front of 5 sync gunicorn workers (the bundled hello app).
// Slow readers of /export/ hold every worker while buffering is off; the test asserts that the
// scenario is aimed there, that the fix is measured under it (screen and confirm), and what is
// proposed — the size of the gain is printed by the tuner, not asserted.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { runTuneCommand } from '../../src/cli/tune.js';
import type { TuneResult } from '../../src/tune/types.js';
import { alive, have } from './helpers.js';

const FIXTURE = path.resolve(__dirname, '../../fixtures/cross/buffering-off-with-sync/bad');

describe('conftune tune under slow clients', () => {
  let result: TuneResult | undefined;
  let exitCode = -1;
  let stderr = '';

  async function run(): Promise<TuneResult | undefined> {
    if (result || !have('nginx', ['-v']) || !have('gunicorn')) return result;
    let stdout = '';
    exitCode = await runTuneCommand(['nginx.conf', 'Dockerfile'], { budget: '25s', json: true, backend: 'hello', scenario: ['slow-client'] }, {
      cwd: FIXTURE,
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t), isTTY: false },
      onInterrupt: () => () => undefined,
    });
    result = JSON.parse(stdout) as TuneResult;
    return result;
  }

  it('aims the slow readers at the location whose buffering the fix changes', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI, 'nginx and gunicorn must be installed in CI').toBeFalsy();
    expect(exitCode, stderr).toBe(0);
    const slow = r.comparisons.find((c) => c.phase === 'slow-client')!;
    expect(slow.slowClients?.path).toMatch(/^\/export\/bytes\/\d+$/);
    // Two more readers than the 5 sync workers of the Dockerfile's GUNICORN_CMD_ARGS.
    expect(slow.slowClients?.connections).toBe(7);
    expect(slow.arms.map((a) => a.id)).toEqual(expect.arrayContaining(['baseline', 'fix:cross/buffering-off-with-sync']));
  });

  it('confirms the buffering fix under slow clients, not under plain throughput', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI).toBeFalsy();
    const single = r.candidates.find((c) => c.id === 'fix:cross/buffering-off-with-sync')!;
    expect(single.verdicts['slow-client']).toBe('better');
    expect(r.comparisons.find((c) => c.phase === 'confirm')?.scenario).toBe('slow-client');
    expect(r.chosen.rules).toContain('cross/buffering-off-with-sync');
    expect(r.patch).toContain('+            proxy_buffering on;');
  });

  it('proposes no fix whose scenario did not run (the access-log buffer is a throughput fix)', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI).toBeFalsy();
    expect(r.chosen.rules).not.toContain('nginx/access-log-unbuffered');
    expect(r.patch).not.toContain('access_log');
  });

  it('leaves no process behind', async () => {
    const r = await run();
    if (!r) return void expect(process.env.CI).toBeFalsy();
    expect(r.seenPids.filter(alive)).toEqual([]);
  });
});

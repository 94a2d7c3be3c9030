import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { flagsToTuneOptions, outPath, parseBudget, runTuneCommand } from '../../src/cli/tune.js';
import { formatProgress } from '../../src/tune/report.js';

describe('conftune tune flags', () => {
  it('reads the budget as a duration', () => {
    expect(parseBudget('90')).toEqual({ ok: true, value: 90 });
    expect(parseBudget('2m')).toEqual({ ok: true, value: 120 });
    expect(parseBudget('soon').ok).toBe(false);
  });

  it('refuses a budget too short to measure anything', () => {
    expect(parseBudget('1s')).toMatchObject({ ok: false });
  });

  it('rejects an unknown backend with the list of known ones', () => {
    const r = flagsToTuneOptions([], { backend: 'uwsgi' }, '/tmp');
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('auto, user, hello, builtin') });
  });

  it('rejects an unknown scenario', () => {
    expect(flagsToTuneOptions([], { scenario: ['soak'] }, '/tmp').ok).toBe(false);
  });

  it('resolves --app-dir against the working directory', () => {
    const r = flagsToTuneOptions([], { appDir: 'app', search: true }, '/srv');
    expect(r).toMatchObject({ ok: true, value: { appDir: '/srv/app', search: true } });
  });

  it('places --out files at their path relative to the working directory', () => {
    expect(outPath('/o', '/srv/etc/nginx.conf', '/srv')).toBe(path.join('/o', 'etc/nginx.conf'));
    expect(outPath('/o', '/etc/nginx/nginx.conf', '/srv')).toBe(path.join('/o', 'nginx.conf'));
  });

  it('exits 2 with one line for a usage error, before starting anything', async () => {
    let err = '';
    const code = await runTuneCommand([], { budget: 'x' }, { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) }, onInterrupt: () => () => undefined });
    expect(code).toBe(2);
    expect(err).toMatch(/^conftune tune: --budget: .*\n$/);
  });

  it('shows phase, candidate i/n, round and elapsed time in the progress line', () => {
    expect(formatProgress({ phase: 'screen', index: 2, total: 5, label: 'keepalive', round: 1, rounds: 4, elapsedSec: 7.25, budgetSec: 60 }))
      .toBe('tune: screen 2/5 keepalive (round 1/4)  7.3s / 60s');
  });
});

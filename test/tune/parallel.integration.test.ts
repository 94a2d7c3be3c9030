// Two tunes at once (a CI matrix, two terminals): each gets its own sandbox, ports and processes,
// both finish, and neither leaves anything behind. The built-in Node backend keeps it light.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tune } from '../../src/tune/index.js';
import type { TuneResult } from '../../src/tune/types.js';
import { alive, have } from './helpers.js';

const SEED = path.resolve(__dirname, '../../fixtures/seed');

describe('two tunes at the same time', () => {
  let results: TuneResult[] | undefined;

  async function run(): Promise<TuneResult[] | undefined> {
    if (results || !have('nginx', ['-v'])) return results;
    const sandboxesBefore = new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('conftune-tune-')));
    results = await Promise.all([1, 2].map(() => tune({ paths: ['nginx.conf'], cwd: SEED, backend: 'builtin', budgetSec: 10, scenarios: ['throughput'] })));
    const left = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('conftune-tune-') && !sandboxesBefore.has(n));
    expect(left, 'sandbox directories left behind').toEqual([]);
    return results;
  }

  it('both measure the baseline and the fixes', async () => {
    const rs = await run();
    if (!rs) return void expect(process.env.CI, 'nginx must be installed in CI').toBeFalsy();
    for (const r of rs) {
      expect(r.baseline).not.toBeNull();
      expect(r.interrupted).toBe(false);
      expect(r.comparisons.find((c) => c.phase === 'screen')?.arms.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('run disjoint processes and stop all of them', async () => {
    const rs = await run();
    if (!rs) return void expect(process.env.CI).toBeFalsy();
    const [a, b] = rs as [TuneResult, TuneResult];
    expect(a.seenPids.filter((p) => b.seenPids.includes(p))).toEqual([]);
    expect([...a.seenPids, ...b.seenPids].filter(alive)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { check } from '../../src/check.js';
import { fixCandidates, tuneRuleSelection, gunicornEdits, knobVariants, workerProcessValues, type CandidateContext } from '../../src/tune/candidates.js';

const SEED = path.resolve(__dirname, '../../fixtures/seed');

function seedContext(): CandidateContext {
  const checkOptions = { paths: ['nginx.conf', 'Procfile'], cwd: SEED, cpus: 2, nginxVersion: '1.22.1', gunicornVersion: '20.1.0', select: tuneRuleSelection() };
  return { initial: check(checkOptions), checkOptions, httpLogPath: '/var/log/nginx/access.log', cpus: 2 };
}

describe('fix candidates', () => {
  it('offers each probe-verifiable fix alone, rules with identical edits as one', () => {
    const { singles } = fixCandidates(seedContext());
    const labels = singles.map((s) => s.rules.slice().sort().join(' + '));
    expect(labels).toContain('cross/async-backend-no-keepalive + nginx/upstream-keepalive-missing');
    expect(labels).toContain('nginx/worker-processes');
    expect(labels).toContain('nginx/access-log-unbuffered');
  });

  it('applies all of them together, following fixes the first pass enables', () => {
    const { combined } = fixCandidates(seedContext());
    const text = [...combined!.files.values()][0]!;
    expect(text).toContain('keepalive 16;');
    expect(text).toContain('proxy_http_version 1.1;');
    expect(text).toContain('proxy_set_header Connection "";');
    expect(text).toContain('keepalive_timeout 59s;');
    expect(text).toContain('access_log /var/log/nginx/access.log combined buffer=64k flush=5s;');
    expect(combined!.rules).toContain('cross/keepalive-timeout-race');
  });

  it('leaves every line of the original it does not change byte-identical', () => {
    const ctx = seedContext();
    const { combined } = fixCandidates(ctx);
    const [file, text] = [...combined!.files][0]!;
    const before = ctx.initial.files.get(file)!.text.split('\n');
    const after = text.split('\n');
    for (const line of before.filter((l) => !/worker_processes/.test(l))) expect(after).toContain(line);
  });
});

describe('search grid', () => {
  it('tries one worker, half the cores and all cores, not the current value', () => {
    expect(workerProcessValues('4', 2)).toEqual(['1', '2']);
    expect(workerProcessValues('auto', 4)).toEqual(['1', '2']);
  });

  it('varies the upstream keepalive pool around its current size', () => {
    const ctx = seedContext();
    const { combined } = fixCandidates(ctx);
    const variants = knobVariants('upstream_keepalive', { files: combined!.files, knobs: {}, backend: { workers: 8, worker_class: 'gevent' } }, ctx);
    expect(variants.map((v) => v.changes[0])).toEqual(['upstream keepalive 4', 'upstream keepalive 64']);
    expect([...variants[1]!.files.values()][0]).toContain('keepalive 64;');
  });

  it('varies gunicorn workers on the backend without touching nginx files', () => {
    const ctx = seedContext();
    const variants = knobVariants('gunicorn_workers', { files: new Map(), knobs: {}, backend: { workers: 8, worker_class: 'gevent' } }, ctx);
    expect(variants.map((v) => v.knobs?.workers)).toEqual([1, 2, 5]);
    expect(variants.every((v) => v.files.size === 0)).toBe(true);
  });

  it('writes a gunicorn knob back into the flag that set it', () => {
    const ctx = seedContext();
    const app = ctx.initial.models[0]!.gunicorn[0]!;
    const { edits, advice } = gunicornEdits(app, { workers: 2 });
    expect(advice).toEqual([]);
    const procfile = app.sources[0]!;
    const e = edits[0]!;
    expect(procfile.text.slice(0, e.start) + e.text + procfile.text.slice(e.end)).toContain('-w2');
  });
});

// Issue 3: on the seed (fixtures/seed: nginx.conf + `gunicorn -w8 -k gevent --keep-alive 60`),
// conftune names the cross problem next to the nginx one, and after the keepalive fix, the race.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planFixes } from '../../src/fix/apply.js';
import { at, checkDir, lineOf, of, SEED } from './helpers.js';

const NGINX = path.join(SEED, 'nginx.conf');
const UPSTREAM_LINE = lineOf(SEED, 'nginx.conf', 'upstream app_server');

/** The seed with only cross/async-backend-no-keepalive's fix applied, in memory (nothing written). */
function fixedSeed(): Map<string, string> {
  const select = ['cross/async-backend-no-keepalive'];
  const first = checkDir(SEED, { select });
  const plan = planFixes(first, (ov) => checkDir(SEED, { overrides: ov, select }), { unsafe: false });
  return plan.files;
}

describe('the seed deployment', () => {
  it('reports cross/async-backend-no-keepalive on the upstream, with nginx/upstream-keepalive-missing folded into it', () => {
    const r = checkDir(SEED);
    expect(at(r, 'cross/async-backend-no-keepalive')).toEqual([`nginx.conf:${UPSTREAM_LINE}`]);
    expect(at(r, 'nginx/upstream-keepalive-missing')).toEqual([]);
    const [f] = of(r, 'cross/async-backend-no-keepalive');
    expect(f!.related?.map((x) => `${x.ruleId}:${x.line}`)).toEqual([`nginx/upstream-keepalive-missing:${UPSTREAM_LINE}`]);
  });

  it('names the gevent workers and the Procfile flag that chose them', () => {
    const [f] = of(checkDir(SEED), 'cross/async-backend-no-keepalive');
    expect(f!.message).toContain('gevent workers');
    expect(f!.message).toContain('Procfile:1');
    expect(f!.severity).toBe('error');
  });

  it('offers a safe fix that makes all three keepalive edits', () => {
    const [f] = of(checkDir(SEED), 'cross/async-backend-no-keepalive');
    expect(f!.fix?.kind).toBe('safe');
    const texts = f!.fix!.edits.map((e) => e.text.trim());
    expect(texts).toEqual(expect.arrayContaining(['keepalive 16;', 'proxy_http_version 1.1;', 'proxy_set_header Connection "";']));
  });

  it('reports no keepalive race while nginx does not pool connections', () => {
    expect(at(checkDir(SEED), 'cross/keepalive-timeout-race')).toEqual([]);
  });

  it('reports cross/keepalive-timeout-race once keepalive is configured: default keepalive_timeout 60s is not below --keep-alive 60', () => {
    const files = fixedSeed();
    const fixed = files.get(NGINX)!;
    expect(fixed).toContain('keepalive 16;');
    const r = checkDir(SEED, { overrides: files });
    expect(at(r, 'cross/async-backend-no-keepalive')).toEqual([]);
    const race = of(r, 'cross/keepalive-timeout-race');
    expect(race).toHaveLength(1);
    expect(race[0]!.line).toBe(fixed.split('\n').findIndex((l) => l.includes('keepalive 16;')) + 1);
    expect(race[0]!.message).toContain("60s (nginx's default keepalive_timeout)");
    expect(race[0]!.message).toContain('keepalive 60s');
  });

  it('stops reporting the race when the upstream keepalive_timeout is below gunicorn keep-alive', () => {
    const files = fixedSeed();
    const text = files.get(NGINX)!.replace('keepalive 16;', 'keepalive 16;\n        keepalive_timeout 59s;');
    const r = checkDir(SEED, { overrides: new Map([[NGINX, text]]) });
    expect(at(r, 'cross/keepalive-timeout-race')).toEqual([]);
  });

  it('still reports the race at keepalive_timeout 60s exactly (equal is a race)', () => {
    const files = fixedSeed();
    const text = files.get(NGINX)!.replace('keepalive 16;', 'keepalive 16;\n        keepalive_timeout 60s;');
    const r = checkDir(SEED, { overrides: new Map([[NGINX, text]]) });
    expect(of(r, 'cross/keepalive-timeout-race')[0]?.message).toContain('keeps idle connections 60s but');
  });

  it('--fix with every rule fixes both: keepalive on, keepalive_timeout 59s, and neither finding remains', () => {
    const plan = planFixes(checkDir(SEED), (ov) => checkDir(SEED, { overrides: ov }), { unsafe: false });
    expect(plan.files.get(NGINX)).toContain('keepalive_timeout 59s;');
    const r = checkDir(SEED, { overrides: plan.files });
    expect(at(r, 'cross/async-backend-no-keepalive')).toEqual([]);
    expect(at(r, 'cross/keepalive-timeout-race')).toEqual([]);
  });

  it('leaves the seed files on disk untouched', () => {
    const before = fs.readFileSync(NGINX, 'latin1');
    fixedSeed();
    expect(fs.readFileSync(NGINX, 'latin1')).toBe(before);
  });
});

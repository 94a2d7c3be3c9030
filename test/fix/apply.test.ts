// The applier: passes, conflicts, invalid and non-converging fixes, syntax checks, files spanned.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/check.js';
import { planFixes } from '../../src/fix/apply.js';
import { insertIntoBlock, moveBefore, removeConfAssignment, removeDirective, replaceArg, replaceConfValue } from '../../src/edit/edits.js';
import type { Rule } from '../../src/lint/rule.js';
import { firstChild } from '../../src/nginx/tree.js';
import { rule as keepaliveMissing } from '../../rules/nginx/upstream-keepalive-missing.js';
import { checkOptions, fixWith, read, ruleOn, scratch } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function plan(dir: string, file: string, rules: Parameters<typeof checkOptions>[2], opts: { unsafe?: boolean; maxPasses?: number } = {}) {
  const o = checkOptions(dir, [file], rules);
  return planFixes(check(o), (overrides) => check({ ...o, overrides }), { unsafe: opts.unsafe ?? false, maxPasses: opts.maxPasses });
}

const UPSTREAM = 'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8000;\n        least_conn;\n    }\n}\n';

/** Adds `keepalive 16;` as the first line of an upstream without one. */
const addKeepaliveFirst = ruleOn('test/keepalive-first', 'upstream', (d) => [insertIntoBlock(d, 'keepalive 16;')!], { when: (d) => !firstChild(d.block, 'keepalive') });
/** Moves a balancing method written after keepalive above it (needs a second pass after the one above). */
const lbAboveKeepalive = ruleOn('test/lb-above', 'least_conn', (d) => {
  const ka = firstChild(d.parent!.block, 'keepalive')!;
  return moveBefore(d, ka);
}, { when: (d) => { const kids = d.parent!.block!; const ka = kids.findIndex((k) => k.name === 'keepalive'); return ka !== -1 && ka < kids.indexOf(d); } });

describe('passes', () => {
  it('re-checks after each pass and applies the fixes that appear, until nothing is fixable', () => {
    const dir = scratch({ 'nginx.conf': UPSTREAM }, dirs);
    const p = plan(dir, 'nginx.conf', [addKeepaliveFirst, lbAboveKeepalive]);
    expect(p.passes).toBe(2);
    expect(p.steps.map((s) => [s.finding.ruleId, s.pass])).toEqual([['test/keepalive-first', 1], ['test/lb-above', 2]]);
    expect(p.files.get(path.join(dir, 'nginx.conf'))).toBe('events {}\nhttp {\n    upstream app {\n        least_conn;\n        keepalive 16;\n        server 127.0.0.1:8000;\n    }\n}\n');
    expect(p.result.findings).toEqual([]);
  });

  it('stops at the pass limit', () => {
    const dir = scratch({ 'nginx.conf': UPSTREAM }, dirs);
    const p = plan(dir, 'nginx.conf', [addKeepaliveFirst, lbAboveKeepalive], { maxPasses: 1 });
    expect(p.passes).toBe(1);
    expect(p.result.findings.map((f) => f.ruleId)).toEqual(['test/lb-above']);
  });

  it('applies a fix that keeps being reported only once, and says why it stopped', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    gzip on;\n}\n' }, dirs);
    const stubborn = ruleOn('test/stubborn', 'http', (d) => [insertIntoBlock(d, 'gzip_vary on;')!]);
    const p = plan(dir, 'nginx.conf', [stubborn]);
    expect(p.applied).toHaveLength(1);
    expect(p.skipped.map((s) => s.reason)).toEqual(['applying it did not remove the finding']);
    expect(p.files.get(path.join(dir, 'nginx.conf'))!.match(/gzip_vary/g)).toHaveLength(1);
  });

  it('applies suggested fixes only when unsafe fixes are asked for', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    gzip on;\n}\n' }, dirs);
    const suggest = ruleOn('test/suggest', 'gzip', (d) => [replaceArg(d.file, d.args[0]!, 'off')], { kind: 'suggest', when: (d) => d.args[0]?.value === 'on' });
    expect(plan(dir, 'nginx.conf', [suggest]).applied).toEqual([]);
    expect(plan(dir, 'nginx.conf', [suggest], { unsafe: true }).files.get(path.join(dir, 'nginx.conf'))).toContain('gzip off;');
  });
});

describe('conflicts', () => {
  const two = (text: string) => [
    ruleOn('test/a', 'gzip', (d) => [replaceArg(d.file, d.args[0]!, 'off')], { when: (d) => d.args[0]?.value === 'on' }),
    ruleOn('test/b', 'gzip', (d) => [removeDirective(d)], { when: () => text.length > 0 }),
  ];

  it('skips a fix overlapping one already taken in the same pass and reports which', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    gzip on;\n}\n' }, dirs);
    const p = plan(dir, 'nginx.conf', two('x'), { maxPasses: 1 });
    expect(p.applied.map((f) => f.ruleId)).toEqual(['test/a']);
    expect(p.conflicts.map((c) => [c.finding.ruleId, c.conflictsWith.ruleId])).toEqual([['test/b', 'test/a']]);
  });

  it('lists a fix left unapplied by a conflict on stderr, with both locations', async () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    gzip on;\n}\n' }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], two('x')), 'write', { verify: false, maxPasses: 1 });
    expect(out.notes).toEqual([
      'applied 1 fix in 1 file; 1 not applied',
      'not applied: test/b at nginx.conf:3:5: conflicts with test/a at nginx.conf:3:5',
    ]);
  });

  it('gives a conflicting fix another chance on the next pass, against the new text', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    gzip on;\n}\n' }, dirs);
    const p = plan(dir, 'nginx.conf', two('x'));
    expect(p.applied.map((f) => f.ruleId)).toEqual(['test/a', 'test/b']);
    expect(p.conflicts).toEqual([]);
    expect(p.files.get(path.join(dir, 'nginx.conf'))).toBe('events {}\nhttp {\n}\n');
  });

  it('applies an edit two fixes both ask for once', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    gzip on;\n}\n' }, dirs);
    const same = (id: string) => ruleOn(id, 'gzip', (d) => [replaceArg(d.file, d.args[0]!, 'off')], { when: (d) => d.args[0]?.value === 'on' });
    const p = plan(dir, 'nginx.conf', [same('test/x'), same('test/y')]);
    expect(p.applied).toHaveLength(2);
    expect(p.conflicts).toEqual([]);
    expect(p.files.get(path.join(dir, 'nginx.conf'))).toBe('events {}\nhttp {\n    gzip off;\n}\n');
  });

  it('drops a fix whose edits fall outside its file, and applies the others', () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    gzip on;\n}\n' }, dirs);
    const broken = ruleOn('test/broken', 'http', (d) => [{ file: d.file.path, start: 10_000, end: 10_001, text: '' }]);
    const fine = ruleOn('test/fine', 'gzip', (d) => [replaceArg(d.file, d.args[0]!, 'off')], { when: (d) => d.args[0]?.value === 'on' });
    const p = plan(dir, 'nginx.conf', [broken, fine]);
    expect(p.applied.map((f) => f.ruleId)).toEqual(['test/fine']);
    expect(p.skipped[0]!.reason).toMatch(/outside/);
  });
});

describe('syntax after fixing', () => {
  it('refuses to write a fix that leaves a syntax error, and names the file', async () => {
    const text = 'events {}\nhttp {\n    gzip on;\n}\n';
    const dir = scratch({ 'nginx.conf': text }, dirs);
    const breaker = ruleOn('test/breaker', 'gzip', (d) => [{ file: d.file.path, start: d.end - 1, end: d.end, text: '' }]);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [breaker]), 'write');
    expect(out.errors[0]).toMatch(/syntax error in nginx\.conf .*nothing was written/);
    expect(read(dir, 'nginx.conf')).toBe(text);
  });
});

describe('fixes spanning files', () => {
  const LAYOUT = {
    'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n    include sites-enabled/*;\n}\n',
    'conf.d/upstreams.conf': 'upstream app_server {\n    server 127.0.0.1:8000;\n}\n',
    'sites-enabled/app': 'server {\n    listen 8080;\n    location / {\n        proxy_set_header Host $host;\n        proxy_pass http://app_server;\n    }\n}\n',
  };

  it('edits the upstream in one file and its proxy_pass location in another, as one fix', async () => {
    const dir = scratch(LAYOUT, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [keepaliveMissing]), 'write', { verify: false });
    expect(out.errors).toEqual([]);
    expect(read(dir, 'conf.d/upstreams.conf')).toBe('upstream app_server {\n    server 127.0.0.1:8000;\n    keepalive 16;\n}\n');
    expect(read(dir, 'sites-enabled/app')).toBe('server {\n    listen 8080;\n    location / {\n        proxy_set_header Host $host;\n        proxy_http_version 1.1;\n        proxy_set_header Connection "";\n        proxy_pass http://app_server;\n    }\n}\n');
    expect(read(dir, 'nginx.conf')).toBe(LAYOUT['nginx.conf']);
    expect(out.notes[0]).toBe('applied 1 fix in 2 files');
    expect(out.result.findings).toEqual([]);
  });
});

describe('fixes in gunicorn sources', () => {
  /** Removes `reload = True` (dev only) from a conf.py, as gunicorn/reload-enabled would. */
  const noReload: Rule = {
    meta: { id: 'test/no-reload', category: 'reliability', severity: 'warning', fix: 'safe', summary: 'reload', needs: ['gunicorn'] },
    check(ctx) {
      for (const app of ctx.gunicorn) {
        const s = app.settings.get('reload');
        if (s && s.value === true && !s.isDefault) {
          const e = removeConfAssignment(s.origin);
          ctx.report({ origin: s.origin, message: 'reload is on', fix: e ? { description: 'remove reload', edits: [e] } : undefined });
        }
      }
    },
  };

  it('removes an assignment from a conf.py and re-checks the new text', () => {
    const dir = scratch({ 'gunicorn.conf.py': 'workers = 4\nreload = True  # dev\ntimeout = 30\n' }, dirs);
    const p = plan(dir, 'gunicorn.conf.py', [noReload]);
    expect(p.files.get(path.join(dir, 'gunicorn.conf.py'))).toBe('workers = 4\ntimeout = 30\n');
    expect(p.result.findings).toEqual([]);
    expect(p.syntaxErrors).toEqual([]);
  });

  it('refuses a conf.py edit that breaks its Python syntax', () => {
    const dir = scratch({ 'gunicorn.conf.py': 'workers = 4\nreload = True\n' }, dirs);
    const breaker: Rule = {
      ...noReload,
      check(ctx) {
        const s = ctx.gunicorn[0]!.settings.get('workers')!;
        ctx.report({ origin: s.origin, message: 'workers', fix: { description: 'break', edits: [replaceConfValue(s.origin, '(4')!] } });
      },
    };
    const p = plan(dir, 'gunicorn.conf.py', [breaker]);
    expect(p.syntaxErrors.map((e) => path.basename(e.file))).toEqual(['gunicorn.conf.py']);
  });
});

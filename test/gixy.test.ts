// gixy parity: the test cases of gixy-ng and yandex/gixy (../shared/corpus/gixy, MPL-2.0, kept as
// separate files) run against the rule that carries the gixy plugin's name as an alias, with only
// that rule enabled and the plugin options from the `# Options:` first line. A positive case must
// report the rule, an `_fp` case must report nothing. Known differences are listed in KNOWN_FAILURES
// with the reason; the list must stay exact (a case that starts passing has to leave it).
// Those cases live outside the repository: without ../shared the parity suite is skipped (a failure
// in CI). A few cases of our own in the same layout (test/data/gixy/<plugin>/<case>[_fp].conf) run
// always.

import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check } from '../src/check.js';
import { allRules } from '../rules/index.js';
import type { Finding } from '../src/lint/rule.js';
import { describeShared, sharedPath } from './helpers/shared.js';

const CORPUS = sharedPath('corpus', 'gixy');
const NG = path.join(CORPUS, 'gixy-ng');
const YANDEX = path.join(CORPUS, 'yandex-gixy');

/** gixy severities as conftune's. */
const SEVERITY: Record<string, Finding['severity']> = { HIGH: 'error', MEDIUM: 'warning', LOW: 'info' };

/**
 * Cases where conftune deliberately differs from gixy-ng, by `<flavour>/<plugin>/<file>`.
 * Each entry says why; the test fails if an entry passes (so the list cannot go stale).
 */
const KNOWN_FAILURES: Record<string, string> = {};

interface Case {
  flavour: 'gixy-ng' | 'yandex-gixy' | 'own';
  plugin: string;
  file: string;
  abs: string;
  positive: boolean;
  /** yandex: severities the plugin's config.json expects (conftune names). */
  severities: Array<Finding['severity']> | null;
}

interface ManifestEntry {
  file: string;
  plugin: string;
  expect: 'exactly_one_finding' | 'no_findings';
}

function ngCases(): Case[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(NG, 'manifest.json'), 'utf8')) as ManifestEntry[];
  return manifest.map((e) => ({
    flavour: 'gixy-ng',
    plugin: e.plugin,
    file: e.file,
    abs: path.join(NG, 'simply', e.file),
    positive: e.expect === 'exactly_one_finding',
    severities: null,
  }));
}

function configSeverities(dir: string): Array<Finding['severity']> | null {
  const p = path.join(dir, 'config.json');
  if (!fs.existsSync(p)) return null;
  const sev = (JSON.parse(fs.readFileSync(p, 'utf8')) as { severity?: string | string[] }).severity;
  if (!sev) return null;
  return (Array.isArray(sev) ? sev : [sev]).map((s) => SEVERITY[s]!).filter(Boolean);
}

/** `<root>/<plugin>/<case>.conf`: a positive case unless its name ends in `_fp`. */
function pluginDirCases(flavour: 'yandex-gixy' | 'own', root: string): Case[] {
  const out: Case[] = [];
  for (const plugin of fs.readdirSync(root).sort()) {
    const dir = path.join(root, plugin);
    if (!fs.statSync(dir).isDirectory()) continue;
    const severities = configSeverities(dir);
    for (const f of fs.readdirSync(dir).sort()) {
      if (!f.endsWith('.conf')) continue;
      out.push({ flavour, plugin, file: `${plugin}/${f}`, abs: path.join(dir, f), positive: !f.replace(/\.conf$/, '').endsWith('_fp'), severities });
    }
  }
  return out;
}

const yandexCases = (): Case[] => pluginDirCases('yandex-gixy', path.join(YANDEX, 'simply'));

/** `# Options: {json}` on the first line (gixy's harness convention). */
function caseOptions(file: string): Record<string, unknown> | undefined {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^\s*(?:#|\/\/)\s*Options:\s*(\{.*\})\s*$/.exec(first);
  if (!m) return undefined;
  const opts = JSON.parse(m[1]!) as Record<string, unknown>;
  delete opts.__allow_includes;
  return opts;
}

function ruleIdFor(plugin: string): string {
  const rule = allRules.find((r) => r.meta.id === `nginx/${plugin.replace(/_/g, '-')}` || (r.meta.aliases ?? []).includes(plugin));
  return rule ? rule.meta.id : `nginx/${plugin.replace(/_/g, '-')}`;
}

interface Outcome {
  c: Case;
  ruleId: string;
  findings: Finding[];
  passed: boolean;
}

function run(c: Case): Outcome {
  const ruleId = ruleIdFor(c.plugin);
  const options = caseOptions(c.abs);
  const result = check({
    // gixy's cases are fragments (a bare `add_header …;`): say they are nginx rather than guess.
    paths: [],
    nginxPaths: [c.abs],
    cwd: path.dirname(c.abs),
    select: [ruleId],
    nginxVersion: '1.24.0',
    gunicornVersion: '23.0.0',
    cpus: 4,
    env: {},
    ruleOptions: options ? { [ruleId]: options } : undefined,
  });
  expect(result.internalErrors).toEqual([]);
  const own = result.findings.filter((f) => f.ruleId === ruleId);
  // yandex/gixy's expectations are severity-scoped (e.g. only MEDIUM security headers): a finding
  // at another severity is gixy-ng's extension, not a yandex finding.
  const relevant = c.severities ? own.filter((f) => c.severities!.includes(f.severity)) : own;
  const passed = c.positive ? relevant.length > 0 : relevant.length === 0;
  return { c, ruleId, findings: own, passed };
}

const outcomes: Outcome[] = [];

/** Small cases written for conftune (not copied from gixy), so a clone without ../shared still runs the harness. */
describe('gixy-style cases of our own (test/data/gixy)', () => {
  const own = pluginDirCases('own', path.join(__dirname, 'data', 'gixy'));

  it('has a positive and an _fp case for every plugin, each naming an existing rule', () => {
    const plugins = [...new Set(own.map((c) => c.plugin))];
    expect(plugins.length).toBeGreaterThanOrEqual(8);
    for (const p of plugins) {
      expect(own.filter((c) => c.plugin === p).map((c) => c.positive).sort(), p).toEqual([false, true]);
      expect(allRules.some((r) => r.meta.id === ruleIdFor(p)), `${p}: no rule ${ruleIdFor(p)}`).toBe(true);
    }
  });

  for (const c of own) {
    it(`${c.file} ${c.positive ? 'reports' : 'does not report'} ${c.plugin}`, () => {
      const o = run(c);
      const shown = o.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.message}`);
      expect(o.passed ? 'ok' : shown).toBe('ok');
    });
  }
});

describeShared('gixy parity', () => {
  const cases = [...ngCases(), ...yandexCases()];
  for (const c of cases) {
    const key = `${c.flavour}/${c.file}`;
    it(`${key} ${c.positive ? 'reports' : 'does not report'} ${c.plugin}`, () => {
      const o = run(c);
      outcomes.push(o);
      const known = KNOWN_FAILURES[key];
      if (known) {
        expect(o.passed, `listed as a known failure (${known}) but passes: remove it from KNOWN_FAILURES`).toBe(false);
        return;
      }
      const shown = o.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.message}`);
      expect(o.passed ? 'ok' : shown).toBe('ok');
    });
  }

  it('passes at least 98% of the gixy-ng cases and every yandex case not listed', () => {
    const ng = cases.filter((c) => c.flavour === 'gixy-ng');
    const knownNg = Object.keys(KNOWN_FAILURES).filter((k) => k.startsWith('gixy-ng/')).length;
    expect(ng.length).toBe(232);
    expect((ng.length - knownNg) / ng.length).toBeGreaterThanOrEqual(0.98);
  });

  it('reports nothing at warning or above on the wordpress integration config with every security rule', () => {
    const file = path.join(NG, 'integration', 'wordpress_production.conf');
    const security = allRules.filter((r) => r.meta.category === 'security' && r.meta.id.startsWith('nginx/')).map((r) => r.meta.id);
    const result = check({ paths: [], nginxPaths: [file], cwd: path.dirname(file), select: security, nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 4, env: {} });
    expect(result.internalErrors).toEqual([]);
    const serious = result.findings
      .filter((f) => security.includes(f.ruleId) && (f.severity === 'error' || f.severity === 'warning'))
      .map((f) => `${f.line} ${f.ruleId}`)
      .filter((k) => !INTEGRATION_EXCEPTIONS[k]);
    expect(serious).toEqual([]);
  });

  afterAll(() => {
    const rows = new Map<string, { rule: string; ng: string; yandex: string }>();
    const tally = new Map<string, { ok: number; all: number }>();
    for (const o of outcomes) {
      const k = `${o.c.flavour}\0${o.c.plugin}`;
      const t = tally.get(k) ?? { ok: 0, all: 0 };
      t.all++;
      if (o.passed) t.ok++;
      tally.set(k, t);
    }
    for (const [k, t] of tally) {
      const [flavour, plugin] = k.split('\0') as [string, string];
      const row = rows.get(plugin) ?? { rule: ruleIdFor(plugin), ng: '', yandex: '' };
      if (flavour === 'gixy-ng') row.ng = `${t.ok}/${t.all}`;
      else row.yandex = `${t.ok}/${t.all}`;
      rows.set(plugin, row);
    }
    const sum = (flavour: string): string => {
      const os = outcomes.filter((o) => o.c.flavour === flavour);
      return `${os.filter((o) => o.passed).length}/${os.length}`;
    };
    const table: Record<string, { rule: string; 'gixy-ng': string; yandex: string }> = {};
    for (const [plugin, r] of [...rows].sort()) table[plugin] = { rule: r.rule, 'gixy-ng': r.ng, yandex: r.yandex };
    table.TOTAL = { rule: '', 'gixy-ng': sum('gixy-ng'), yandex: sum('yandex-gixy') };
    console.log('gixy parity (cases passing per plugin)');
    console.table(table);
  });
});

/**
 * Findings on the wordpress config from rules gixy-ng 0.2.14 did not have when the integration
 * expectation was written (its later plugins report the same lines).
 */
const INTEGRATION_EXCEPTIONS: Record<string, string> = {
  '345 nginx/hsts-header':
    'the staging server (listen 443 ssl) sends no Strict-Transport-Security; gixy-ng added hsts_header in 0.2.24, after this expectation, and reports the same server',
  '345 nginx/ssl-stapling-without-resolver':
    'ssl_stapling on is inherited from http but the resolver sits in the other server only, so stapling fails for staging; gixy-ng 0.2.43 ssl_stapling_without_resolver reports it too',
};

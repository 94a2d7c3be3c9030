// Which rules run and how their findings are shown: off-by-default rules run only when named, and
// a specific finding absorbs a more general one at the same place (kept in `related`).
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { check, type CheckOptions } from '../../src/check.js';
import type { Rule } from '../../src/lint/rule.js';
import { REPO } from '../helpers/cli.js';

const SEED = path.join(REPO, 'fixtures', 'seed');

function ruleAtFirstDirective(id: string, meta: Partial<Rule['meta']> = {}, fix = false): Rule {
  return {
    meta: { id, category: 'performance', severity: 'warning', fix: fix ? 'safe' : 'none', summary: id, needs: ['nginx'], ...meta },
    check(ctx) {
      const d = ctx.nginx!.root[0]!;
      ctx.report({ node: d, message: `${id} here`, fix: fix ? { description: 'edit', edits: [{ file: d.file.path, start: d.start, end: d.start, text: '# x\n' }] } : undefined });
    },
  };
}

const general = ruleAtFirstDirective('nginx/general-thing', {}, true);
const specific = ruleAtFirstDirective('cross/specific-thing', { supersedes: ['nginx/general-thing'] });
const optIn = ruleAtFirstDirective('nginx/pedantic-thing', { optIn: true });

function run(extra: Partial<CheckOptions>) {
  return check({ paths: ['nginx.conf'], cwd: SEED, nginxVersion: '1.24.0', rules: [general, specific, optIn], ...extra });
}
const ids = (r: ReturnType<typeof run>): string[] => r.findings.map((f) => f.ruleId).sort();

describe('off-by-default rules', () => {
  it('do not run with the default selection, nor with a prefix', () => {
    expect(ids(run({}))).not.toContain('nginx/pedantic-thing');
    expect(ids(run({ select: ['nginx/'] }))).not.toContain('nginx/pedantic-thing');
  });

  it('run when named by id, by conftune.json, or with --select all', () => {
    expect(ids(run({ select: ['nginx/pedantic-thing'] }))).toEqual(['nginx/pedantic-thing']);
    expect(ids(run({ config: { rules: { 'nginx/pedantic-thing': 'info' } } }))).toContain('nginx/pedantic-thing');
    expect(ids(run({ select: ['all'] }))).toContain('nginx/pedantic-thing');
  });
});

describe('overlapping findings', () => {
  it('show the specific one, with the general one in related and its fix', () => {
    const r = run({});
    expect(ids(r)).toEqual(['cross/specific-thing']);
    const [f] = r.findings;
    expect(f!.related).toEqual([{ ruleId: 'nginx/general-thing', message: 'nginx/general-thing here', file: f!.file, line: f!.line, column: f!.column }]);
    expect(f!.fix?.description).toBe('edit');
  });

  it('still report the general rule when it is selected alone', () => {
    expect(ids(run({ select: ['nginx/general-thing'] }))).toEqual(['nginx/general-thing']);
  });
});

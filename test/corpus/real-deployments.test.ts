// Public projects' own deployments (../shared/corpus/real-deployments): the findings conftune keeps
// on each are pinned in test/golden/real-deployments/<project>.txt, so a change in any rule shows
// up as a diff in review (docs/real-world.md has the review behind them). Regenerate after an
// intended change with `UPDATE_GOLDEN=1 npx vitest run test/corpus/real-deployments.test.ts`.
// Discovery (no paths) must read the same files, and find the same, as naming every file.
import { expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, type CheckResult } from '../../src/check.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const ROOT = sharedPath('corpus', 'real-deployments');
const GOLDEN = path.resolve(__dirname, '..', 'golden', 'real-deployments');

function projects(): string[] {
  const out: string[] = [];
  for (const group of ['with-gunicorn', 'nginx-only']) {
    for (const name of fs.readdirSync(path.join(ROOT, group)).sort()) out.push(path.join(group, name));
  }
  return out;
}

function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'SOURCE') out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

function summary(dir: string, r: CheckResult): string {
  const lines = r.findings.map((f) => `${path.relative(dir, f.file)}:${f.line} ${f.severity} ${f.ruleId}${f.related?.length ? ` (covers ${f.related.map((x) => x.ruleId).join(', ')})` : ''}`);
  const errors = r.errors.map((e) => `${path.relative(dir, e.file)}:${e.line} error ${e.message}`);
  return [...lines, ...errors].join('\n') + '\n';
}

const readFiles = (dir: string, r: CheckResult): string[] => [...r.files.values()].filter((f) => !f.stock).map((f) => path.relative(dir, f.path)).sort();

describeShared('real deployments', () => {
  for (const project of projects()) {
    const dir = path.join(ROOT, project);
    const name = path.basename(project);
    it(`${project}: the reviewed findings, and nothing else`, () => {
      const r = check({ paths: filesOf(dir), cwd: dir });
      expect(r.internalErrors).toEqual([]);
      const got = summary(dir, r);
      const file = path.join(GOLDEN, `${name}.txt`);
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, got);
      expect(got).toBe(fs.readFileSync(file, 'utf8'));
    });

    it(`${project}: discovery reads the same files and finds the same as the explicit list`, () => {
      const explicit = check({ paths: filesOf(dir), cwd: dir });
      const discovered = check({ paths: [], cwd: dir });
      expect(readFiles(dir, discovered)).toEqual(readFiles(dir, explicit));
      expect(summary(dir, discovered)).toBe(summary(dir, explicit));
      expect(discovered.errors).toEqual([]);
    });
  }
}, 'corpus', 'real-deployments');

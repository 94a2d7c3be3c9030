// The issue's acceptance test, on public projects' own deployments (../shared/corpus/real-deployments):
// a baseline written over a copy of the whole corpus; then a comment line inserted at the top of
// every nginx file and every gunicorn .py, which moves every finding in them down a line:
// `check --baseline` reports nothing and calls no entry fixed. One new problem added: exactly that
// one is reported.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, type CheckResult } from '../../src/check.js';
import { applyBaseline, openBaseline } from '../../src/baseline/index.js';
import { conftune, tempDir } from '../helpers/cli.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const CORPUS = sharedPath('corpus', 'real-deployments');
const BASELINE = 'conftune-baseline.json';
/** The added problem: `server_tokens on;` in netbox's HTTPS server, after this line. */
const NEW_PROBLEM = { file: 'with-gunicorn/netbox/nginx.conf', after: '    client_max_body_size 25m;\n', text: '    server_tokens on;\n', rule: 'nginx/version-disclosure' };

/** A project's files, as a hook lists them (the corpus's SOURCE notes left out). */
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

describeShared('a baseline on the real deployments', () => {
  let dir = '';
  let before: CheckResult;
  let edited: string[] = [];
  const summary = (r: CheckResult, shifted: Set<string>) =>
    r.findings.map((f) => `${path.relative(dir, f.file)}:${f.line - (shifted.has(f.file) ? 1 : 0)} ${f.ruleId}`).sort();

  beforeAll(() => {
    dir = tempDir('conftune-baseline-corpus-');
    fs.cpSync(CORPUS, dir, { recursive: true });
    before = check({ paths: [], cwd: dir });
  });
  afterAll(() => {
    if (dir && !process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the baseline over the whole corpus', () => {
    const r = conftune(['check', '--update-baseline', '--baseline', BASELINE], { cwd: dir });
    expect(r.code).toBe(0);
    const entries = JSON.parse(fs.readFileSync(path.join(dir, BASELINE), 'utf8')).entries as Array<{ count: number; file: string }>;
    const files = new Set(before.findings.map((f) => f.file));
    expect(r.stderr).toContain(`wrote ${BASELINE}: ${before.findings.length} findings in ${files.size} files`);
    expect(before.findings.length).toBeGreaterThan(20);
    // Every entry is a relative path inside the corpus copy.
    expect(entries.every((e) => !e.file.startsWith('..') && !path.isAbsolute(e.file))).toBe(true);
    console.log(`real deployments: ${before.files.size} files read, ${before.findings.length} findings in ${files.size} files baselined as ${entries.length} entries (${entries.reduce((n, e) => n + e.count, 0)} counted)`);
  });

  it('a comment line at the top of every nginx file and gunicorn .py moves the findings, and the baseline still knows them all', () => {
    const nginxFiles = [...new Set(before.models.flatMap((m) => (m.nginx ? [...m.nginx.files.values()] : [])).filter((f) => !f.stock).map((f) => f.path))];
    const pyFiles = [...new Set(before.models.flatMap((m) => m.gunicorn.flatMap((a) => a.sources)).map((f) => f.path).filter((p) => p.endsWith('.py')))];
    edited = [...nginxFiles, ...pyFiles].sort();
    expect(nginxFiles.length).toBeGreaterThan(20);
    expect(pyFiles.length).toBeGreaterThan(0);
    for (const file of edited) fs.writeFileSync(file, `# reviewed ${path.basename(file)}: an unrelated edit above everything\n${fs.readFileSync(file, 'latin1')}`, 'latin1');

    // The edit is unrelated: the same findings, each in an edited file one line further down.
    const after = check({ paths: [], cwd: dir });
    const shifted = new Set(edited);
    expect(summary(after, shifted)).toEqual(summary(before, new Set()));
    const moved = after.findings.filter((f) => shifted.has(f.file)).length;
    expect(moved).toBeGreaterThan(before.findings.length / 2);

    const r = conftune(['check', '--baseline', BASELINE, '--strict-baseline'], { cwd: dir });
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('no longer match');
    expect(r.code).toBe(0);
    console.log(`real deployments: ${edited.length} files edited (${nginxFiles.length} nginx, ${pyFiles.length} gunicorn .py), ${moved} findings moved, 0 reported`);
  });

  it('a run over one project (as a pre-commit hook passes its files) calls no entry of another project fixed', () => {
    const baseline = openBaseline(path.join(dir, BASELINE), dir, { update: false });
    if ('error' in baseline) throw new Error(baseline.error);
    let partialStale = 0;
    for (const group of ['with-gunicorn', 'nginx-only']) {
      for (const name of fs.readdirSync(path.join(dir, group)).sort()) {
        const projectDir = path.join(dir, group, name);
        const r = check({ paths: filesOf(projectDir), cwd: projectDir });
        const outcome = applyBaseline(baseline, r);
        const outside = outcome.stale.filter((s) => !path.resolve(dir, s.entry.file).startsWith(projectDir + path.sep));
        expect(outside.map((s) => s.entry.file), `${group}/${name}`).toEqual([]);
        partialStale += outcome.stale.length;
      }
    }
    // The whole-corpus baseline holds entries of every project: each partial run left the others alone.
    console.log(`real deployments: per-project runs: ${partialStale} stale entries, all inside the project checked`);
  });

  it('one new problem: exactly that one is reported, in every format', () => {
    const file = path.join(dir, NEW_PROBLEM.file);
    const text = fs.readFileSync(file, 'latin1');
    expect(text).toContain(NEW_PROBLEM.after);
    fs.writeFileSync(file, text.replace(NEW_PROBLEM.after, NEW_PROBLEM.after + NEW_PROBLEM.text), 'latin1');
    const line = text.slice(0, text.indexOf(NEW_PROBLEM.after)).split('\n').length + 1;

    const r = conftune(['check', '--baseline', BASELINE, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: { ruleId: string; file: string; line: number }) => `${path.relative(dir, f.file)}:${f.line} ${f.ruleId}`)).toEqual([`${NEW_PROBLEM.file}:${line} ${NEW_PROBLEM.rule}`]);
    expect(r.stderr).not.toContain('no longer match');

    const stylish = conftune(['check', '--baseline', BASELINE], { cwd: dir });
    expect(stylish.code).toBe(1);
    expect(stylish.stdout.split('\n').filter((l) => /^\S+:\d+:\d+: /.test(l))).toEqual([expect.stringContaining(`${NEW_PROBLEM.file}:${line}:5: warning ${NEW_PROBLEM.rule}`)]);
    expect(stylish.stdout).toContain(`1 finding (0 errors, 1 warning, 0 info); 1 fixable with --fix; ${before.findings.length} in the baseline`);

    const github = conftune(['check', '--baseline', BASELINE, '--format', 'github'], { cwd: dir });
    expect([github.code, github.stdout.trim().split('\n').length]).toEqual([1, 1]);
    expect(github.stdout).toContain(`file=${NEW_PROBLEM.file},line=${line},`);
    const checkstyle = conftune(['check', '--baseline', BASELINE, '--format', 'checkstyle'], { cwd: dir });
    expect([checkstyle.code, checkstyle.stdout.match(/<error /g)?.length]).toEqual([1, 1]);
    const sarif = conftune(['check', '--baseline', BASELINE, '--format', 'sarif'], { cwd: dir });
    const results = JSON.parse(sarif.stdout).runs[0].results as Array<{ ruleId: string; baselineState: string }>;
    expect(results.filter((x) => x.baselineState === 'new').map((x) => x.ruleId)).toEqual([NEW_PROBLEM.rule]);
    expect(results.filter((x) => x.baselineState === 'unchanged')).toHaveLength(before.findings.length);
  });
}, 'corpus', 'real-deployments');

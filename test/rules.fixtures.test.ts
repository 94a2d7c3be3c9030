// The data-driven rule test: every folder under fixtures/<target>/<rule>/ is a specification
// of that rule (see fixtures/README.md). Adding a rule means adding a folder.

import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { check, type CheckOptions, type CheckResult } from '../src/check.js';
import { allRules } from '../rules/index.js';
import { planFixes } from '../src/fix/apply.js';
import { loadConfigFromText } from '../src/nginx/load.js';

const ROOT = path.resolve(__dirname, '..', 'fixtures');
const NGINX = spawnSync('nginx', ['-v']).status === 0;

interface FixtureOptions {
  nginxVersion?: string;
  gunicornVersion?: string;
  cpus?: number;
  unsafe?: boolean;
  ruleOptions?: Record<string, unknown>;
  nginxT?: boolean;
  nginxTReason?: string;
}

interface Case {
  rule: string;
  dir: string;
  name: string;
  kind: 'bad' | 'good';
  /** A file (single-file case) or a directory (deployment case). */
  input: string;
  fixed?: string;
}

function listCases(): Case[] {
  const out: Case[] = [];
  for (const target of ['nginx', 'gunicorn', 'cross']) {
    const tdir = path.join(ROOT, target);
    if (!fs.existsSync(tdir)) continue;
    for (const name of fs.readdirSync(tdir).sort()) {
      const dir = path.join(tdir, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      for (const entry of fs.readdirSync(dir).sort()) {
        const m = /^(bad|good)(-[\w.-]+?)?(\.conf)?$/.exec(entry);
        if (!m || entry.includes('.fixed')) continue;
        const input = path.join(dir, entry);
        const isDir = fs.statSync(input).isDirectory();
        if (isDir === Boolean(m[3])) continue;
        const base = entry.replace(/\.conf$/, '');
        const fixed = path.join(dir, isDir ? `${base}.fixed` : `${base}.fixed.conf`);
        out.push({ rule: `${target}/${name}`, dir, name: entry, kind: m[1] as 'bad' | 'good', input, fixed: fs.existsSync(fixed) ? fixed : undefined });
      }
    }
  }
  return out;
}

function fixtureOptions(dir: string): FixtureOptions {
  const p = path.join(dir, 'fixture.json');
  return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) : {};
}

function runCase(c: Case, opts: FixtureOptions, overrides?: Map<string, string>): CheckResult {
  const isDir = fs.statSync(c.input).isDirectory();
  const options: CheckOptions = {
    paths: isDir ? [] : [c.input],
    cwd: isDir ? c.input : c.dir,
    select: [c.rule],
    nginxVersion: opts.nginxVersion ?? '1.24.0',
    gunicornVersion: opts.gunicornVersion ?? '23.0.0',
    cpus: opts.cpus ?? 4,
    env: {},
    ruleOptions: opts.ruleOptions ? { [c.rule]: opts.ruleOptions } : undefined,
    overrides,
  };
  return check(options);
}

/** `# expect: id[, id]` markers: file → sorted list of `line id`. */
function expectedMarks(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'latin1').split('\n');
    lines.forEach((line, i) => {
      const m = /#\s*expect:\s*([\w/.,\s-]+?)\s*$/.exec(line);
      if (!m) return;
      const ownLine = /^\s*#/.test(line);
      let target = i + 1;
      if (ownLine) {
        // A marker on its own line points at the next line that is not itself a marker.
        let j = i + 1;
        while (j < lines.length && /^\s*#\s*expect:/.test(lines[j]!)) j++;
        target = j + 1;
      }
      for (const id of m[1]!.split(/[\s,]+/).filter(Boolean)) out.push(`${path.basename(file)}:${target} ${id}`);
    });
  }
  return out.sort();
}

function filesOf(input: string): string[] {
  if (!fs.statSync(input).isDirectory()) return [input];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d)) {
      const p = path.join(d, e);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(input);
  return out;
}

function reportedMarks(result: CheckResult, rule: string): string[] {
  return result.findings.filter((f) => f.ruleId === rule).map((f) => `${path.basename(f.file)}:${f.line} ${f.ruleId}`).sort();
}

function nginxAccepts(file: string): { ok: boolean; output: string } {
  const text = fs.readFileSync(file, 'latin1');
  const ctx = loadConfigFromText(file, text, { singleFile: true }).rootContext;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-fixture-'));
  try {
    let main = file;
    if (ctx !== 'main') {
      const wrap = ctx === 'http' ? `http { include ${file}; }` : ctx === 'server' ? `http { server { include ${file}; } }` : ctx === 'location' ? `http { server { location / { include ${file}; } } }` : `include ${file};`;
      main = path.join(tmp, 'nginx.conf');
      fs.writeFileSync(main, `events {}\n${wrap}\n`);
    }
    const r = spawnSync('nginx', ['-t', '-q', '-p', tmp, '-c', main, '-g', `pid ${tmp}/nginx.pid; error_log stderr;`], { encoding: 'utf8', timeout: 20_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const cases = listCases();
const rulesWithFolders = new Set(cases.map((c) => c.rule));

describe('rule fixtures', () => {
  it('every registered rule has a fixture folder with a bad and a good case', () => {
    const missing = allRules.map((r) => r.meta.id).filter((id) => !rulesWithFolders.has(id) && id !== 'nginx/syntax' && id !== 'nginx/include-missing');
    expect(missing).toEqual([]);
  });

  it('every fixture folder belongs to a registered rule', () => {
    const ids = new Set(allRules.map((r) => r.meta.id));
    expect([...rulesWithFolders].filter((id) => !ids.has(id))).toEqual([]);
  });

  for (const c of cases) {
    const opts = fixtureOptions(c.dir);
    describe(`${c.rule} ${c.name}`, () => {
      it(c.kind === 'bad' ? 'reports exactly the lines marked # expect' : 'reports nothing', () => {
        const result = runCase(c, opts);
        expect(result.internalErrors).toEqual([]);
        const reported = reportedMarks(result, c.rule);
        const expected = c.kind === 'bad' ? expectedMarks(filesOf(c.input)).filter((m) => m.endsWith(' ' + c.rule)) : [];
        expect(reported).toEqual(expected);
        if (c.kind === 'bad') expect(expected.length).toBeGreaterThan(0);
      });

      if (c.kind === 'bad' && c.fixed) {
        const fixedPath = c.fixed;
        it('--fix produces the .fixed file byte for byte, and fixing again changes nothing', () => {
          const first = runCase(c, opts);
          const plan = planFixes(first, (ov) => runCase(c, opts, ov), { unsafe: opts.unsafe ?? false });
          const isDir = fs.statSync(c.input).isDirectory();
          if (!isDir) {
            const got = plan.files.get(c.input) ?? fs.readFileSync(c.input, 'latin1');
            expect(got).toBe(fs.readFileSync(fixedPath, 'latin1'));
          } else {
            for (const f of filesOf(fixedPath)) {
              const rel = path.relative(fixedPath, f);
              const got = plan.files.get(path.join(c.input, rel)) ?? fs.readFileSync(path.join(c.input, rel), 'latin1');
              expect(got, rel).toBe(fs.readFileSync(f, 'latin1'));
            }
          }
          const again = planFixes(plan.result, (ov) => runCase(c, opts, new Map([...plan.files, ...ov])), { unsafe: opts.unsafe ?? false });
          expect(again.applied.map((f) => f.ruleId)).toEqual([]);
          expect(plan.result.errors).toEqual([]);
        });

        if (!fs.statSync(c.input).isDirectory() && opts.nginxT !== false) {
          it('nginx -t accepts the fixed config', () => {
            if (!NGINX) {
              expect(process.env.CI, 'nginx must be installed in CI').toBeFalsy();
              return;
            }
            const r = nginxAccepts(fixedPath);
            expect(r.output).toBe(r.ok ? r.output : '(accepted)');
          });
        }
      }
    });
  }
});

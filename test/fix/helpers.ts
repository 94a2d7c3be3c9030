// Shared by the fixer's tests: scratch directories, checks with chosen rules, and rule builders.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { check, type CheckOptions, type CheckResult } from '../../src/check.js';
import type { Edit, Fix, Rule, RuleContext } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { walk } from '../../src/nginx/tree.js';
import { runFixMode, type FixModeOptions, type FixOutcome } from '../../src/fix/index.js';

export const HAS_NGINX = spawnSync('nginx', ['-v']).status === 0;
export const HAS_GIT = spawnSync('git', ['--version']).status === 0;

/** Fails under CI when a tool a test needs is missing; elsewhere the test returns early. */
export function requireTool(present: boolean, name: string): boolean {
  if (!present) expect(process.env.CI, `${name} must be installed in CI`).toBeFalsy();
  return present;
}

export function scratch(files: Record<string, string>, dirs: string[]): string {
  const d = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'conftune-fix-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), text);
  }
  return d;
}

export function checkOptions(cwd: string, paths: string[], rules?: readonly Rule[], extra: Partial<CheckOptions> = {}): CheckOptions {
  return { paths, cwd, rules, nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 4, env: {}, ...extra };
}

export function checkWith(opts: CheckOptions): CheckResult {
  return check(opts);
}

export async function fixWith(opts: CheckOptions, mode: FixModeOptions['mode'], extra: Partial<FixModeOptions> = {}): Promise<FixOutcome> {
  const initial = check(opts);
  return runFixMode(initial, {
    mode, unsafe: false, verify: true, cwd: opts.cwd!, format: 'json',
    recheck: (overrides) => check({ ...opts, overrides }), ...extra,
  });
}

/** A rule reporting every directive named `name` that `when` accepts, with the fix `fix` builds. */
export function ruleOn(id: string, name: string, fix: (d: Directive, ctx: RuleContext) => Edit[] | null, opts: { when?: (d: Directive) => boolean; kind?: Fix['kind'] } = {}): Rule {
  return {
    meta: { id, category: 'correctness', severity: 'warning', fix: opts.kind ?? 'safe', summary: id, needs: ['nginx'] },
    check(ctx) {
      walk(ctx.nginx!.root, (d) => {
        if (d.name !== name || (opts.when && !opts.when(d))) return;
        const edits = fix(d, ctx);
        ctx.report({ node: d, message: `${id} on ${d.name}`, fix: edits ? { description: `fix ${d.name}`, edits, kind: opts.kind } : undefined });
      });
    },
  };
}

export function read(dir: string, name: string): string {
  return fs.readFileSync(path.join(dir, name), 'latin1');
}

/** Files in `dir` (recursively) whose names look like our temp files. */
export function leftoverTemps(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.conftune-.*\.tmp$/.test(e.name)) out.push(p);
    }
  };
  visit(dir);
  return out;
}

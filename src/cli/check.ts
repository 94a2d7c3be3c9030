// `conftune check [paths…|-]`: findings with file:line:col; exit 0 clean, 1 findings, 2 errors.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import type { Severity } from '../nginx/tree.js';
import { toolVersion } from './version.js';
import { reportInternalError, setCurrentFile } from './errors.js';

export interface CheckCliOptions {
  format: string;
  failLevel?: Severity;
  select?: string[];
  ignore?: string[];
  category?: string[];
  config?: string | false;
  nginx?: string[];
  gunicorn?: string[];
  nginxVersion?: string;
  gunicornVersion?: string;
  cpus?: string;
  host?: boolean;
  prefix?: string;
  includePath?: string[];
  allowHostIncludes?: boolean;
  singleFile?: boolean;
  stdinFilename?: string;
  reportUnusedDisables?: boolean;
  baseline?: string;
  updateBaseline?: boolean;
  strictBaseline?: boolean;
  color?: boolean;
  fix?: boolean;
  unsafe?: boolean;
  diff?: boolean;
  fixDryRun?: boolean;
  verify?: boolean;
  output?: string;
  /** From the global --debug: show stack traces of internal errors. */
  debug?: boolean;
}

const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const repeat = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerCheckCommand(program: Command): void {
  program
    .command('check', { isDefault: false })
    .description('lint nginx and gunicorn configurations (any mix of files; none: discover in the current directory)')
    .argument('[paths...]', 'files to check; - reads stdin (an `nginx -T` dump is split into its files)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['stylish', 'json', 'sarif', 'github', 'checkstyle']).default('stylish'))
    .addOption(new Option('--fail-level <severity>', 'lowest severity that makes the exit code 1').choices(['error', 'warning', 'info']))
    .option('--select <ids>', 'only these rules (ids, aliases or prefixes like nginx/), comma-separated', list)
    .option('--ignore <ids>', 'skip these rules (ids, aliases or prefixes), comma-separated', list)
    .option('--category <names>', 'only rules of these categories (performance, security, correctness, reliability)', list)
    .option('-c, --config <file>', 'conftune.json to use (default: nearest conftune.json/.conftunerc.json upward)')
    .option('--no-config', 'ignore conftune.json files')
    .option('--nginx <file>', 'treat this file as an nginx configuration (repeatable)', repeat)
    .option('--gunicorn <file>', 'treat this file as a gunicorn source (repeatable)', repeat)
    .option('--nginx-version <version>', "target nginx version (default: conftune.json, the deployment's pin, else 1.24)")
    .option('--gunicorn-version <version>', "target gunicorn version (default: conftune.json, the deployment's pin, else 23)")
    .option('--cpus <n>', 'cores of the host the deployment runs on, for sizing rules (default: unknown)')
    .option('--host', "the deployment runs on this machine: take its cores, nginx -v, gunicorn --version and environment (implied for /etc/nginx)")
    .option('--prefix <dir>', 'nginx prefix in the checked tree (like nginx -p): /etc/nginx/… includes are read from it')
    .option('--include-path <from=to>', 'read absolute includes under FROM from the folder TO (repeatable)', repeat)
    .option('--allow-host-includes', "read absolute includes outside the checked tree from this machine's disk")
    .option('--single-file', 'do not follow include directives')
    .option('--stdin-filename <name>', 'file name to report for stdin input')
    .option('--report-unused-disables', 'report suppression comments that suppress nothing')
    .option('--baseline <file>', 'report only findings not listed in this baseline file (see docs/baseline.md)')
    .option('--update-baseline', 'write the findings of this run to the baseline (default conftune-baseline.json) and exit 0')
    .option('--strict-baseline', 'with --baseline: exit 1 when baseline entries no longer match')
    .option('--color', 'force colour output')
    .option('--no-color', 'never colour output')
    .option('--fix', 'apply safe fixes in place (atomic writes, verified with nginx -t when available)')
    .option('--unsafe', 'with --fix or --diff: also apply suggested fixes')
    .option('--diff', 'print fixes as a unified diff and write nothing')
    .option('--fix-dry-run', 'list the edits each fix would make, write nothing')
    .option('--no-verify', 'skip verifying fixed configs with nginx -t')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (paths: string[], opts: CheckCliOptions, cmd: Command) => {
      const debug = Boolean(cmd.parent?.opts().debug);
      try {
        process.exitCode = await runCheckCli(paths, { ...opts, debug });
        if (process.env.CONFTUNE_TIMING) (await import('../lint/engine.js')).printRuleTimings();
      } catch (e) {
        reportInternalError(e, debug);
        process.exitCode = 2;
      }
    });
}

function fail(message: string): number {
  process.stderr.write(`conftune: ${message}\n`);
  return 2;
}

export async function runCheckCli(paths: string[], opts: CheckCliOptions): Promise<number> {
  const { check } = await import('../check.js');
  const { loadConfigFile, findConfigFile, ConfigError } = await import('../lint/config.js');
  const { atOrAbove } = await import('../lint/engine.js');
  const { loadReporter } = await import('../report/index.js');

  const cwd = process.cwd();
  let config = {};
  let configDir: string | undefined;
  if (opts.config !== false) {
    const file = typeof opts.config === 'string' ? opts.config : findConfigFile(cwd);
    if (file) configDir = path.dirname(path.resolve(cwd, file));
    if (typeof opts.config === 'string' && !fs.existsSync(opts.config)) return fail(`${opts.config}: config file not found`);
    if (file) {
      try {
        config = loadConfigFile(file);
      } catch (e) {
        if (e instanceof ConfigError) return fail(e.message);
        throw e;
      }
    }
  }
  let cpus: number | undefined;
  if (opts.cpus !== undefined) {
    cpus = Number(opts.cpus);
    if (!Number.isInteger(cpus) || cpus < 1) return fail(`--cpus must be a positive integer, got "${opts.cpus}"`);
  }
  for (const [flag, v] of [['--nginx-version', opts.nginxVersion], ['--gunicorn-version', opts.gunicornVersion]] as const) {
    if (v !== undefined && !/^\d+(\.\d+){0,2}$/.test(v)) return fail(`${flag} must look like 1.24 or 1.24.0, got "${v}"`);
  }
  let includePaths: Record<string, string> | undefined;
  for (const spec of opts.includePath ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1 || !spec.startsWith('/')) return fail(`--include-path must look like /etc/nginx=deploy/nginx, got "${spec}"`);
    (includePaths ??= {})[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  // --baseline / --update-baseline (src/baseline/): read before checking, so a missing file fails fast.
  const baselineApi = opts.baseline !== undefined || opts.updateBaseline || opts.strictBaseline ? await import('../baseline/index.js') : undefined;
  let baseline: import('../baseline/index.js').OpenBaseline | undefined;
  if (baselineApi) {
    if (opts.strictBaseline && opts.baseline === undefined) return fail('--strict-baseline needs --baseline <file>');
    if (opts.updateBaseline && (opts.fix || opts.diff || opts.fixDryRun)) return fail('--update-baseline records the findings as they are: run --fix first, then --update-baseline');
    const opened = baselineApi.openBaseline(opts.baseline ?? baselineApi.DEFAULT_BASELINE, cwd, { update: Boolean(opts.updateBaseline) });
    if ('error' in opened) return fail(opened.error);
    baseline = opened;
  }
  const stdin = paths.includes('-') ? fs.readFileSync(0).toString('latin1') : undefined;
  const checkOptions = {
    paths,
    nginxPaths: opts.nginx,
    gunicornPaths: opts.gunicorn,
    cwd,
    stdin,
    stdinFilename: opts.stdinFilename,
    config,
    select: opts.select,
    ignore: opts.ignore,
    category: opts.category,
    nginxVersion: opts.nginxVersion,
    gunicornVersion: opts.gunicornVersion,
    cpus,
    host: opts.host,
    env: opts.host ? (process.env as Record<string, string>) : undefined,
    prefix: opts.prefix,
    includePaths,
    allowHostIncludes: opts.allowHostIncludes,
    configDir,
    singleFile: opts.singleFile,
    reportUnusedDisables: opts.reportUnusedDisables,
  };
  let result = check(checkOptions);
  if (result.findings.length === 0 && result.errors.length === 0 && result.files.size === 0) {
    if (paths.length === 0 && !opts.nginx && !opts.gunicorn) return fail('no nginx or gunicorn configuration found here (give paths, or run in the directory holding nginx.conf)');
  }
  const baselineScope = { extraRules: opts.reportUnusedDisables ?? (config as { reportUnusedDisables?: boolean }).reportUnusedDisables ? ['conftune/unused-disable'] : [] };
  if (baselineApi && baseline && opts.updateBaseline) {
    // A run that could not read or parse a file cannot say what is known there: nothing is written.
    for (const e of result.errors) process.stderr.write(`conftune: ${e.line > 0 ? `${relativeName(cwd, e.file)}:${e.line}:${e.column}: ` : ''}${e.message}\n`);
    if (result.errors.length > 0 || result.internalErrors.length > 0) return fail(`${baseline.name} not written: the check failed (see above)`);
    const updated = baselineApi.updateBaseline(baseline, result, baselineScope);
    if ('error' in updated) return fail(updated.error);
    process.stderr.write(`conftune: ${updated.message}\n`);
    return 0;
  }
  // Known findings leave `findings` (the fixer's re-checks too: --fix applies only what is reported).
  const baselineOutcomes = new Map<object, import('../baseline/index.js').BaselineOutcome>();
  const withoutBaseline = (r: typeof result): typeof result => {
    if (!baselineApi || !baseline) return r;
    const o = baselineApi.applyBaseline(baseline, r, baselineScope, Boolean(opts.strictBaseline));
    const filtered = { ...o.result, notes: [...o.result.notes, ...o.notes] };
    baselineOutcomes.set(filtered, o);
    return filtered;
  };
  result = withoutBaseline(result);

  const color = opts.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR && !opts.output);
  const failLevel: Severity = opts.failLevel ?? (config as { failLevel?: Severity }).failLevel ?? 'warning';

  if (opts.fix || opts.diff || opts.fixDryRun) {
    const { runFixMode } = await import('../fix/index.js');
    const outcome = await runFixMode(result, {
      mode: opts.diff ? 'diff' : opts.fixDryRun ? 'dry-run' : 'write',
      unsafe: Boolean(opts.unsafe),
      verify: opts.verify !== false,
      cwd,
      recheck: (overrides) => withoutBaseline(check({ ...checkOptions, overrides } as Parameters<typeof check>[0])),
      format: opts.format,
      fromStdin: stdin !== undefined,
    });
    if (outcome.output) process.stdout.write(outcome.output);
    for (const n of outcome.notes) process.stderr.write(`conftune: ${n}\n`);
    for (const e of outcome.errors) process.stderr.write(`conftune: ${e}\n`);
    if (outcome.errors.length > 0) return 2;
    result = outcome.result;
    // --diff and --fix-dry-run print only the patch / the edit list.
    if (opts.diff || (opts.fixDryRun && opts.format === 'json')) return exitCodeFor(result, failLevel, atOrAbove);
  }
  const baselineOutcome = baselineOutcomes.get(result);

  const reporter = await loadReporter(opts.format as 'stylish');
  const text = reporter({
    findings: result.findings,
    suppressed: result.suppressed,
    errors: result.errors,
    notes: result.notes,
    baseline: baseline && baselineOutcome ? { file: baseline.file, matched: baselineOutcome.matched, stale: baselineOutcome.notes.map((n) => n.message) } : undefined,
    targets: result.targets,
    files: result.files,
    rules: result.rules,
    cwd,
    color,
    toolVersion: toolVersion(),
  });
  if (opts.output) fs.writeFileSync(opts.output, text);
  else process.stdout.write(text);
  // Machine formats keep stdout clean; errors still reach a human on stderr. Errors without a
  // position (unreadable file…) always go to stderr, one line each.
  for (const e of result.errors) {
    if (e.line > 0 && opts.format === 'stylish' && !opts.output) continue;
    process.stderr.write(`conftune: ${e.line > 0 ? `${e.file}:${e.line}:${e.column}: ` : ''}${e.message}\n`);
  }
  for (const n of result.notes ?? []) {
    const where = n.line > 0 ? `${relativeName(cwd, n.file)}:${n.line}:${n.column}: ` : n.file ? `${relativeName(cwd, n.file)}: ` : '';
    process.stderr.write(`conftune: ${where}note: ${n.message}\n`);
  }
  for (const ie of result.internalErrors) {
    const err = new Error(`rule ${ie.ruleId}: ${(ie.error as Error)?.message ?? ie.error}`);
    if (ie.error instanceof Error && ie.error.stack) err.stack = ie.error.stack;
    setCurrentFile(ie.file ? path.relative(cwd, ie.file) || ie.file : undefined);
    reportInternalError(err, Boolean(opts.debug));
  }
  setCurrentFile(undefined);
  if (result.internalErrors.length > 0) return 2;
  const code = exitCodeFor(result, failLevel, atOrAbove);
  return code === 0 && opts.strictBaseline && baselineOutcome?.stale.length ? 1 : code;
}

function relativeName(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function exitCodeFor(
  result: { findings: Array<{ severity: string }>; errors: unknown[] },
  failLevel: Severity,
  atOrAbove: (s: string, l: string) => boolean,
): number {
  if (result.errors.length > 0) return 2;
  return result.findings.some((f) => atOrAbove(f.severity, failLevel)) ? 1 : 0;
}

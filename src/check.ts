// The `check` flow as a library call: read → parse → model → rules → findings (suppressed or not).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { NginxConfig, Severity, SourceFile } from './nginx/tree.js';
import { diskFileSystem, loadConfig, loadConfigFromText, memoryFileSystem, readRegularFileSync } from './nginx/load.js';
import type { GunicornApp } from './gunicorn/types.js';
import { detectGunicornVersion, readFileLatin1, readGunicornSources as readGunicornSourcesSync } from './gunicorn/index.js';
import type { Finding, Rule, RuleMeta } from './lint/rule.js';
import { diagnosticFindings, isFatalDiagnostic, runRules, sortFindings } from './lint/engine.js';
import { applySuppressions, idMatches, parseSuppressions, type Suppression } from './lint/suppress.js';
import type { ConftuneConfig, RuleSetting } from './lint/config.js';
import { buildDeployment } from './model/deployment.js';
import type { Deployment } from './model/types.js';
import { detectKind, discoverInputs, type Input } from './model/discover.js';
import { allRules } from '../rules/index.js';

export const DEFAULT_NGINX_VERSION = '1.24.0';
export const DEFAULT_GUNICORN_VERSION = '23.0.0';

export interface CheckOptions {
  /** Files to check; `-` reads `stdin`. Empty: discover in `cwd`. */
  paths: string[];
  /** Files forced to a kind (`--nginx`, `--gunicorn`). */
  nginxPaths?: string[];
  gunicornPaths?: string[];
  cwd?: string;
  stdin?: string;
  /** Name shown for stdin input. */
  stdinFilename?: string;
  config?: ConftuneConfig;
  select?: string[];
  ignore?: string[];
  category?: string[];
  nginxVersion?: string;
  gunicornVersion?: string;
  cpus?: number;
  env?: Record<string, string>;
  singleFile?: boolean;
  reportUnusedDisables?: boolean;
  /** Rules to run instead of the registry (tests, library users). */
  rules?: readonly Rule[];
  /** Per-rule options (gixy-style `# Options:`), by rule id. */
  ruleOptions?: Record<string, Record<string, unknown>>;
  /** File contents to use instead of the disk (latin1, by absolute path): the fixer's re-check. */
  overrides?: Map<string, string>;
}

/** A problem that stops a file from being checked (I/O, parse): exit code 2. */
export interface CheckError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface CheckResult {
  /** Findings not suppressed, sorted by file, line, column. */
  findings: Finding[];
  /** Findings silenced by inline comments (SARIF shows them as suppressed). */
  suppressed: Finding[];
  errors: CheckError[];
  /** Things conftune could not read or decide (an unreadable EnvironmentFile…): shown, not failing. */
  notes: CheckError[];
  /** Every file read, by path (latin1 text), for excerpts and fixes. */
  files: Map<string, SourceFile>;
  models: Deployment[];
  rules: RuleMeta[];
  versions: { nginx: string; gunicorn: string };
  /** Rules that threw, with the main file of the configuration they were checking. */
  internalErrors: Array<{ ruleId: string; error: unknown; file?: string }>;
}

export function check(opts: CheckOptions): CheckResult {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const config = opts.config ?? {};
  const errors: CheckError[] = [];
  const notes: CheckError[] = [];
  const files = new Map<string, SourceFile>();
  const inputs = collectInputs(opts, cwd, errors);

  const nginxVersion = normaliseVersion(opts.nginxVersion ?? config.nginxVersion ?? detectNginxVersion() ?? DEFAULT_NGINX_VERSION);
  const cpus = opts.cpus ?? config.cpus ?? os.availableParallelism();

  // nginx: one configuration per main file; a file another config already included is not re-read.
  const nginxConfigs: NginxConfig[] = [];
  for (const input of inputs.filter((i) => i.kind === 'nginx')) {
    const abs = path.resolve(cwd, input.path);
    if (nginxConfigs.some((c) => c.files.has(abs))) continue;
    const fsys = opts.overrides ? memoryFileSystem(opts.overrides, diskFileSystem) : undefined;
    const text = opts.overrides?.get(abs) ?? input.text;
    const cfg = text !== undefined
      ? loadConfigFromText(abs, text, { singleFile: opts.singleFile, fs: fsys })
      : loadConfig(abs, { singleFile: opts.singleFile, fs: fsys });
    nginxConfigs.push(cfg);
    for (const [p, f] of cfg.files) files.set(p, f);
  }

  // gunicorn sources: the version is detected (a python start-up) only when some are given.
  const gunicornInputs = inputs.filter((i) => i.kind === 'gunicorn');
  let gunicornVersion = normaliseVersion(opts.gunicornVersion ?? config.gunicornVersion ?? DEFAULT_GUNICORN_VERSION);
  let apps: GunicornApp[] = [];
  if (gunicornInputs.length > 0) {
    if (!opts.gunicornVersion && !config.gunicornVersion) gunicornVersion = normaliseVersion(detectGunicornVersion('gunicorn', 5000) ?? DEFAULT_GUNICORN_VERSION);
    apps = readGunicorn(gunicornInputs, cwd, { version: gunicornVersion, cpus, env: opts.env ?? {} }, errors, opts.overrides);
    for (const app of apps) {
      for (const f of app.sources) files.set(f.path, f);
      for (const d of app.diagnostics) if (d.kind === 'io') notes.push({ file: d.file, line: d.line, column: d.column, message: d.message });
    }
  }

  const rules = withTestFailure(selectRules(opts.rules ?? allRules, opts, config), opts.env?.CONFTUNE_TEST_THROW_RULE ?? process.env.CONFTUNE_TEST_THROW_RULE);
  const ruleOptions = mergeRuleOptions(config, opts.ruleOptions);
  const internalErrors: CheckResult['internalErrors'] = [];
  const models: Deployment[] = [];
  let findings: Finding[] = [];
  const seen = new Set<string>();
  const push = (f: Finding): void => {
    const key = `${f.ruleId}\0${f.file}\0${f.start}\0${f.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
  };

  const syntaxSelected = rules.some((r) => r.meta.id === 'nginx/syntax');
  const includeSelected = rules.some((r) => r.meta.id === 'nginx/include-missing');
  const deployments = nginxConfigs.length > 0 ? nginxConfigs.map((c) => buildDeployment(c, apps)) : apps.length > 0 ? [buildDeployment(null, apps)] : [];
  for (const model of deployments) {
    models.push(model);
    if (model.nginx) {
      for (const d of model.nginx.diagnostics) {
        if (isFatalDiagnostic(d)) errors.push({ file: d.file, line: d.line, column: d.column, message: d.message });
      }
      for (const f of diagnosticFindings(model.nginx)) {
        if (f.ruleId === 'nginx/syntax' ? syntaxSelected : includeSelected) push(f);
      }
    }
    const found = runRules(model, rules, {
      versions: { nginx: nginxVersion, gunicorn: gunicornVersion },
      cpus,
      ruleOptions,
      onInternalError: (meta, error) => internalErrors.push({ ruleId: meta.id, error, file: model.nginx?.main.path ?? model.gunicorn[0]?.sources[0]?.path }),
    });
    for (const f of found) push(f);
  }

  findings = applySeverityOverrides(findings, config);
  const suppressions = new Map<string, Suppression[]>();
  for (const [p, f] of files) {
    const s = parseSuppressions(f);
    if (s.length > 0) suppressions.set(p, s);
  }
  const aliases = new Map<string, readonly string[]>();
  for (const r of rules) aliases.set(r.meta.id, r.meta.aliases ?? []);
  applySuppressions(findings, suppressions, (id) => aliases.get(id) ?? []);
  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  if (opts.reportUnusedDisables ?? config.reportUnusedDisables) {
    for (const list of suppressions.values()) {
      for (const s of list) {
        if (s.used) continue;
        const file = files.get(s.file)!;
        const start = file.lineStarts[s.line - 1]! + s.column - 1;
        active.push({
          ruleId: 'conftune/unused-disable', severity: 'warning', category: 'correctness',
          message: `unused suppression "${s.comment}": no finding${s.ids.length ? ` of ${s.ids.join(', ')}` : ''} here`,
          file: s.file, line: s.line, column: s.column, endLine: s.line, endColumn: s.column + s.comment.length,
          start, end: start + s.comment.length, fixable: false,
        });
      }
    }
  }
  return {
    findings: sortFindings(active),
    suppressed,
    errors,
    notes,
    files,
    models,
    rules: rules.map((r) => r.meta),
    versions: { nginx: nginxVersion, gunicorn: gunicornVersion },
    internalErrors,
  };
}

function collectInputs(opts: CheckOptions, cwd: string, errors: CheckError[]): Input[] {
  const inputs: Input[] = [];
  const forced = (list: string[] | undefined, kind: Input['kind']): void => {
    for (const p of list ?? []) inputs.push(readInput(p, cwd, kind, opts, errors));
  };
  forced(opts.nginxPaths, 'nginx');
  forced(opts.gunicornPaths, 'gunicorn');
  let paths = opts.paths;
  if (paths.length === 0 && inputs.length === 0) {
    if (opts.config?.files?.length) paths = opts.config.files;
    else return discoverInputs(cwd);
  }
  for (const p of paths) {
    const input = readInput(p, cwd, null, opts, errors);
    if (input.kind) inputs.push(input);
  }
  return inputs.filter((i) => !(i.text === undefined && i.path === ''));
}

function readInput(p: string, cwd: string, kind: Input['kind'] | null, opts: CheckOptions, errors: CheckError[]): Input {
  if (p === '-') {
    const name = path.resolve(cwd, opts.stdinFilename ?? '<stdin>');
    const text = opts.stdin ?? '';
    return { path: name, text, kind: kind ?? detectKind(name, text) ?? 'nginx' };
  }
  const abs = path.resolve(cwd, p);
  let text: string;
  let pipe = false;
  try {
    const st = fs.statSync(abs);
    if (st.isDirectory()) {
      errors.push({ file: p, line: 0, column: 0, message: `${p}: is a directory (give the files, or run conftune in it with no paths)` });
      return { path: '', kind: 'nginx' };
    }
    // A pipe named on the command line (`<(cmd)`, a FIFO) is read once, with a bounded wait.
    pipe = st.isFIFO();
    text = (pipe ? readPipeSync(abs) : readRegularFileSync(abs)).toString('latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'No such file or directory'
      : code === 'EACCES' ? 'Permission denied'
      : code === 'ENOTREG' ? 'not a regular file (use - to read stdin)'
      : code === 'ETIMEDOUT' ? `nothing written to the pipe for ${PIPE_IDLE_MS / 1000} s`
      : (e as Error).message;
    errors.push({ file: p, line: 0, column: 0, message: `${p}: cannot read: ${why}` });
    return { path: '', kind: 'nginx' };
  }
  const k = kind ?? detectKind(abs, text);
  if (!k) {
    errors.push({ file: p, line: 0, column: 0, message: `${p}: not an nginx or gunicorn configuration (use --nginx or --gunicorn to say which)` });
    return { path: '', kind: 'nginx' };
  }
  return { path: abs, text: k === 'nginx' && !pipe ? undefined : text, kind: k };
}

/** How long a pipe given as a path may stay silent before conftune gives up on it. */
const PIPE_IDLE_MS = 10_000;

/**
 * Reads a FIFO to its end without blocking forever: opened non-blocking (no writer: empty), then
 * polled; a writer that stays silent for PIPE_IDLE_MS is an error (ETIMEDOUT).
 */
function readPipeSync(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let idleSince = Date.now();
  try {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        if (Date.now() - idleSince > PIPE_IDLE_MS) throw Object.assign(new Error('pipe stayed silent'), { code: 'ETIMEDOUT' });
        Atomics.wait(nap, 0, 0, 10);
        continue;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      idleSince = Date.now();
    }
  } finally {
    fs.closeSync(fd);
  }
  return Buffer.concat(chunks);
}

function readGunicorn(inputs: Input[], cwd: string, o: { version: string; cpus: number; env: Record<string, string> }, errors: CheckError[], overrides?: Map<string, string>): GunicornApp[] {
  try {
    const readFile = (p: string): string | undefined => overrides?.get(p) ?? readFileLatin1(p);
    return readGunicornSourcesSync(
      inputs.map((i) => ({ path: path.resolve(cwd, i.path), text: overrides?.get(path.resolve(cwd, i.path)) ?? i.text })),
      { ...o, readFile },
    );
  } catch (e) {
    errors.push({ file: inputs[0]?.path ?? '', line: 0, column: 0, message: `internal error while reading gunicorn sources: ${(e as Error).message}` });
    return [];
  }
}

/**
 * Test hook (reliability tests): the rule named by CONFTUNE_TEST_THROW_RULE throws, so the
 * internal-error path (one line, exit 2, stack only with --debug) can be exercised end to end.
 */
function withTestFailure(rules: Rule[], id: string | undefined): Rule[] {
  if (!id) return rules;
  return rules.map((r) => (r.meta.id !== id ? r : {
    ...r,
    check: () => {
      throw new Error(`injected failure (CONFTUNE_TEST_THROW_RULE=${id})`);
    },
  }));
}

export function selectRules(rules: readonly Rule[], opts: Pick<CheckOptions, 'select' | 'ignore' | 'category'>, config: ConftuneConfig): Rule[] {
  const select = [...(opts.select ?? []), ...(opts.select?.length ? [] : config.select ?? [])];
  const ignore = [...(opts.ignore ?? []), ...(config.ignore ?? [])];
  const category = opts.category?.length ? opts.category : config.category ?? [];
  const matches = (list: string[], r: Rule): boolean => list.some((w) => idMatches(w, r.meta.id, r.meta.aliases ?? []));
  return rules.filter((r) => {
    if (select.length > 0 && !matches(select, r)) return false;
    if (matches(ignore, r)) return false;
    if (category.length > 0 && !category.includes(r.meta.category)) return false;
    const setting = ruleSetting(config, r.meta);
    if (setting?.severity === 'off') return false;
    return true;
  });
}

function ruleSetting(config: ConftuneConfig, meta: RuleMeta): RuleSetting | undefined {
  if (!config.rules) return undefined;
  let best: RuleSetting | undefined;
  let bestLen = -1;
  for (const [key, v] of Object.entries(config.rules)) {
    if (!idMatches(key, meta.id, meta.aliases ?? [])) continue;
    // The most specific key wins (`nginx/x` over `nginx/`).
    if (key.length > bestLen) {
      best = typeof v === 'string' ? { severity: v } : v;
      bestLen = key.length;
    }
  }
  return best;
}

function applySeverityOverrides(findings: Finding[], config: ConftuneConfig): Finding[] {
  if (!config.rules) return findings;
  return findings.map((f) => {
    const s = ruleSetting(config, { id: f.ruleId } as RuleMeta);
    if (s?.severity && s.severity !== 'off') return { ...f, severity: s.severity as Severity };
    return f;
  });
}

function mergeRuleOptions(config: ConftuneConfig, extra?: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.rules ?? {})) if (typeof v === 'object' && v.options) out[k] = v.options;
  for (const [k, v] of Object.entries(extra ?? {})) out[k] = v;
  return out;
}

export function normaliseVersion(v: string): string {
  const parts = v.split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

function detectNginxVersion(): string | undefined {
  // `nginx -v` prints its version on stderr.
  const r = spawnSync('nginx', ['-v'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'pipe'] });
  return /nginx\/(\d+\.\d+\.\d+)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1];
}

// The `check` flow as a library call: read → parse → model → rules → findings (suppressed or not).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NginxConfig, Severity, SourceFile } from './nginx/tree.js';
import { diskFileSystem, loadConfig, loadConfigFromText, memoryFileSystem, readRegularFileSync } from './nginx/load.js';
import type { GunicornApp } from './gunicorn/types.js';
import { type DeploymentPins, deploymentPins, listDirFiles, readFileLatin1, readGunicornSources as readGunicornSourcesSync } from './gunicorn/index.js';
import { includeResolver } from './nginx/include-paths.js';
import type { Finding, Rule, RuleMeta } from './lint/rule.js';
import { diagnosticFindings, isFatalDiagnostic, runRules, sortFindings } from './lint/engine.js';
import { applySuppressions, idMatches, parseSuppressions, type Suppression } from './lint/suppress.js';
import type { ConftuneConfig, RuleSetting } from './lint/config.js';
import { buildDeployment } from './model/deployment.js';
import type { Deployment } from './model/types.js';
import { classifyFile, discover, type Input } from './model/discover.js';
import { detectHostGunicornVersion, detectHostNginxVersion, hostCpus } from './util/host.js';
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
  /** Folder of the conftune.json `config` came from: its `includePaths` are relative to it. */
  configDir?: string;
  select?: string[];
  ignore?: string[];
  category?: string[];
  nginxVersion?: string;
  gunicornVersion?: string;
  cpus?: number;
  /**
   * Take the facts of the machine conftune runs on — its cores, the nginx/gunicorn on its PATH,
   * the process environment — as the deployment's. Off by default (a repository gives the same
   * findings everywhere); implied when the checked nginx config is this host's live /etc/nginx.
   */
  host?: boolean;
  /** The environment gunicorn would see (only used with `host`, or given by a library caller). */
  env?: Record<string, string>;
  /** nginx's prefix (`nginx -p`): where relative includes resolve, and what `/etc/nginx` maps to. */
  prefix?: string;
  /** Absolute include prefixes as nginx sees them → folders in the checked tree. */
  includePaths?: Record<string, string>;
  /** Read absolute include paths outside the checked tree (the host's files) as written. */
  allowHostIncludes?: boolean;
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
  /** The versions and cores the rules used, and where each came from. */
  targets: Targets;
  /** Rules that threw, with the main file of the configuration they were checking. */
  internalErrors: Array<{ ruleId: string; error: unknown; file?: string }>;
}

export interface Targets {
  nginx: { version: string; source: string };
  gunicorn: { version: string; source: string };
  cpus: { value: number | null; source: string };
}

/** Whether a path is this machine's live nginx configuration. */
function isLiveNginxPath(p: string): boolean {
  return p === '/etc/nginx' || p.startsWith('/etc/nginx/') || p.startsWith('/usr/local/nginx/conf/') || p.startsWith('/usr/local/etc/nginx/');
}

export function check(opts: CheckOptions): CheckResult {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const config = opts.config ?? {};
  const errors: CheckError[] = [];
  const notes: CheckError[] = [];
  const files = new Map<string, SourceFile>();
  const inputs = collectInputs(opts, cwd, errors, notes);

  // Host facts only when asked, or when the config checked is this machine's own.
  const nginxInputs = inputs.filter((i) => i.kind === 'nginx');
  const host = opts.host === true || nginxInputs.some((i) => isLiveNginxPath(path.resolve(cwd, i.path)));
  const cpus = opts.cpus ?? config.cpus ?? (host ? hostCpus() : null);
  const cpuSource = opts.cpus !== undefined ? '--cpus' : config.cpus !== undefined ? 'conftune.json' : host ? 'this host' : 'unknown';
  const env = host ? opts.env ?? (process.env as Record<string, string>) : opts.env ?? {};

  // nginx: one configuration per main file. Files that include one another form one config: a
  // file read as part of another config is not a main of its own, whatever order they come in.
  const roots = checkedTreeRoots(cwd, inputs);
  const includePaths: Record<string, string> = {};
  const prefix = opts.prefix ?? config.prefix;
  if (prefix) includePaths['/etc/nginx'] = path.resolve(cwd, prefix);
  for (const [from, to] of Object.entries(config.includePaths ?? {})) includePaths[from] = path.resolve(opts.configDir ?? cwd, to);
  for (const [from, to] of Object.entries(opts.includePaths ?? {})) includePaths[from] = path.resolve(cwd, to);
  const allowHost = opts.allowHostIncludes ?? config.allowHostIncludes ?? host;
  let nginxConfigs: NginxConfig[] = [];
  const fsys = opts.overrides ? memoryFileSystem(opts.overrides, diskFileSystem) : diskFileSystem;
  const includes = includeResolver({ fs: fsys, roots, includePaths, allowHost, prefixKnown: Boolean(prefix) || allowHost });
  const loadOpts = { singleFile: opts.singleFile, fs: fsys, includes, prefix: prefix ? path.resolve(cwd, prefix) : undefined };
  for (const input of nginxInputs) {
    const abs = path.resolve(cwd, input.path);
    if (nginxConfigs.some((c) => c.files.has(abs))) continue;
    const text = opts.overrides?.get(abs) ?? input.text;
    const cfg = text !== undefined ? loadConfigFromText(abs, text, loadOpts) : loadConfig(abs, loadOpts);
    nginxConfigs.push(cfg);
  }
  nginxConfigs = nginxConfigs.filter((c) => !nginxConfigs.some((o) => o !== c && o.files.has(c.main.path) && !c.files.has(o.main.path)));
  for (const cfg of nginxConfigs) for (const [p, f] of cfg.files) files.set(p, f);

  const gunicornInputs = inputs.filter((i) => i.kind === 'gunicorn');
  const pins = deploymentPins(pinSources(cwd, inputs, opts.overrides));
  const targets = resolveTargets(opts, config, host, gunicornInputs.length > 0, cpus, cpuSource, pins, cwd);
  for (const [name, pin] of [['nginx', pins.nginx], ['gunicorn', pins.gunicorn]] as const) {
    if (pin && targets[name].source.startsWith('pinned')) notes.push({ file: pin.origin.file, line: pin.origin.line, column: 1, message: `target ${name} ${targets[name].version}: pinned here` });
  }
  const nginxVersion = targets.nginx.version;
  const gunicornVersion = targets.gunicorn.version;
  let apps: GunicornApp[] = [];
  if (gunicornInputs.length > 0) {
    apps = readGunicorn(gunicornInputs, cwd, { version: gunicornVersion, cpus, env }, errors, opts.overrides);
    for (const app of apps) {
      for (const f of app.sources) files.set(f.path, f);
      for (const d of app.diagnostics) if (d.kind === 'io' || d.kind === 'note') notes.push({ file: d.file, line: d.line, column: d.column, message: d.message });
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
        if (d.kind === 'note') notes.push({ file: d.file, line: d.line, column: d.column, message: d.message });
        else if (isFatalDiagnostic(d)) errors.push({ file: d.file, line: d.line, column: d.column, message: d.message });
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

  findings = foldCoveredFindings(dropUnreportable(findings, files), rules);
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
    notes: uniqueNotes(notes),
    suppressed,
    errors,
    files,
    models,
    rules: rules.map((r) => r.meta),
    versions: { nginx: nginxVersion, gunicorn: gunicornVersion },
    targets,
    internalErrors,
  };
}

/** One note per message (a host path included from ten places is said once), in file order. */
function uniqueNotes(notes: CheckError[]): CheckError[] {
  const seen = new Set<string>();
  const out = notes.filter((n) => (seen.has(n.message) ? false : (seen.add(n.message), true)));
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column);
}

const PIN_FILE = /^(Dockerfile[\w.-]*|[\w.-]*\.dockerfile|(docker-)?compose[\w.-]*\.ya?ml|requirements[\w.-]*\.txt|pyproject\.toml|Pipfile)$/i;

/**
 * Files that may pin the deployment's versions: the inputs, and the Dockerfiles, compose files and
 * Python requirements beside them (a compose file's nginx image, a `gunicorn==22.0` pin).
 */
function pinSources(cwd: string, inputs: Input[], overrides?: Map<string, string>): Array<{ path: string; text: string }> {
  const dirs = new Set<string>([cwd]);
  for (const i of inputs) if (i.path) dirs.add(path.dirname(path.resolve(cwd, i.path)));
  const out: Array<{ path: string; text: string }> = [];
  const seen = new Set<string>();
  for (const dir of [...dirs].sort()) {
    for (const name of listDirFiles(dir).sort()) {
      if (!PIN_FILE.test(name)) continue;
      const p = path.join(dir, name);
      if (seen.has(p)) continue;
      seen.add(p);
      const text = overrides?.get(p) ?? readFileLatin1(p);
      if (text !== undefined && text.length < 1_000_000) out.push({ path: p, text });
    }
  }
  return out;
}

/** Folders whose files belong to the checked deployment: the repository, the cwd, the given files' folders. */
function checkedTreeRoots(cwd: string, inputs: Input[]): string[] {
  const roots = new Set<string>([cwd]);
  const repo = repositoryRoot(cwd);
  if (repo) roots.add(repo);
  for (const i of inputs) {
    if (!i.path) continue;
    const dir = path.dirname(path.resolve(cwd, i.path));
    roots.add(repositoryRoot(dir) ?? dir);
  }
  return [...roots];
}

function repositoryRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Target versions: an option, conftune.json, the deployment's own pin (an nginx image tag, a
 * gunicorn==x pin), this host's binaries when asked (`host`), else conftune's documented default.
 */
function resolveTargets(opts: CheckOptions, config: ConftuneConfig, host: boolean, hasGunicorn: boolean, cpus: number | null, cpuSource: string, pins: DeploymentPins, cwd: string): Targets {
  const pick = (flag: string | undefined, conf: string | undefined, detect: () => string | undefined, fallback: string, name: 'nginx' | 'gunicorn'): { version: string; source: string } => {
    if (flag) return { version: normaliseVersion(flag), source: `--${name}-version` };
    if (conf) return { version: normaliseVersion(conf), source: 'conftune.json' };
    const pin = pins[name];
    if (pin) return { version: normaliseVersion(pin.version), source: `pinned by ${path.relative(cwd, pin.origin.file) || pin.origin.file}:${pin.origin.line}` };
    if (host) {
      const v = detect();
      if (v) return { version: normaliseVersion(v), source: `this host's ${name}` };
    }
    return { version: fallback, source: 'default' };
  };
  return {
    nginx: pick(opts.nginxVersion, config.nginxVersion, detectHostNginxVersion, DEFAULT_NGINX_VERSION, 'nginx'),
    gunicorn: pick(opts.gunicornVersion, config.gunicornVersion, () => (hasGunicorn ? detectHostGunicornVersion() : undefined), DEFAULT_GUNICORN_VERSION, 'gunicorn'),
    cpus: { value: cpus, source: cpuSource },
  };
}

/** A `${VAR}` of an envsubst template: a value filled in at deploy time, never an nginx variable. */
const PLACEHOLDER = /\$\{[A-Z][A-Z0-9_]*\}/;

/**
 * Findings conftune must not show: inside nginx's stock files (their content is nginx's own), and
 * ones whose evidence is a template placeholder (its value is unknown until deploy time). Fixes
 * that would edit a stock file are dropped.
 */
function dropUnreportable(findings: Finding[], files: Map<string, SourceFile>): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const file = files.get(f.file);
    if (file?.stock) continue;
    if (file && PLACEHOLDER.test(file.text.slice(f.start, Math.max(f.end, lineEnd(file.text, f.start))))) continue;
    if (f.fix && f.fix.edits.some((e) => files.get(e.file)?.stock)) out.push({ ...f, fix: undefined, fixable: false });
    else out.push(f);
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}

/**
 * One finding per problem: a finding of a rule that `supersedes` a more general one absorbs that
 * rule's finding on the same line (kept in `related`; its fix taken when the specific one has none).
 */
function foldCoveredFindings(findings: Finding[], rules: readonly Rule[]): Finding[] {
  const covering = rules.filter((r) => r.meta.supersedes?.length);
  if (covering.length === 0) return findings;
  const covers = new Map(covering.map((r) => [r.meta.id, new Set(r.meta.supersedes)]));
  const byLine = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = `${f.file}\0${f.line}`;
    let list = byLine.get(k);
    if (!list) byLine.set(k, (list = []));
    list.push(f);
  }
  const folded = new Set<Finding>();
  for (const list of byLine.values()) {
    if (list.length < 2) continue;
    for (const f of list) {
      const general = covers.get(f.ruleId);
      if (!general) continue;
      for (const g of list) {
        if (g === f || folded.has(g) || !general.has(g.ruleId)) continue;
        folded.add(g);
        f.related = [...(f.related ?? []), { ruleId: g.ruleId, message: g.message, file: g.file, line: g.line, column: g.column }];
        if (!f.fix && g.fix) {
          f.fix = g.fix;
          f.fixable = g.fixable;
        }
      }
    }
  }
  return folded.size === 0 ? findings : findings.filter((f) => !folded.has(f));
}

function collectInputs(opts: CheckOptions, cwd: string, errors: CheckError[], notes: CheckError[]): Input[] {
  const inputs: Input[] = [];
  const forced = (list: string[] | undefined, kind: Input['kind']): void => {
    for (const p of list ?? []) {
      const input = readInput(p, cwd, kind, opts, errors, notes);
      if (input) inputs.push(input);
    }
  };
  forced(opts.nginxPaths, 'nginx');
  forced(opts.gunicornPaths, 'gunicorn');
  let paths = opts.paths;
  if (paths.length === 0 && !opts.nginxPaths?.length && !opts.gunicornPaths?.length) {
    if (opts.config?.files?.length) paths = opts.config.files;
    else return discoverIn(cwd, notes);
  }
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    // A folder named on the command line is discovered like the current one.
    if (p !== '-' && fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
      inputs.push(...discoverIn(abs, notes));
      continue;
    }
    const input = readInput(p, cwd, null, opts, errors, notes);
    if (input) inputs.push(input);
  }
  const seen = new Set<string>();
  return inputs.filter((i) => (seen.has(i.path) ? false : (seen.add(i.path), true)));
}

function discoverIn(dir: string, notes: CheckError[]): Input[] {
  const found = discover(dir);
  for (const s of found.skipped) notes.push({ file: s.path, line: 0, column: 0, message: `skipped: ${s.reason}` });
  return found.inputs;
}

function readInput(p: string, cwd: string, kind: Input['kind'] | null, opts: CheckOptions, errors: CheckError[], notes: CheckError[]): Input | null {
  if (p === '-') {
    const name = path.resolve(cwd, opts.stdinFilename ?? '<stdin>');
    const text = opts.stdin ?? '';
    const c = kind ? null : classifyFile(name, text, true);
    return { path: name, text, kind: kind ?? (c && 'kind' in c ? c.kind : 'nginx') };
  }
  const abs = path.resolve(cwd, p);
  let text: string;
  let pipe = false;
  try {
    const st = fs.statSync(abs);
    if (st.isDirectory()) {
      errors.push({ file: p, line: 0, column: 0, message: `${p}: is a directory (give the files, or run conftune in it with no paths)` });
      return null;
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
    return null;
  }
  let k = kind;
  if (!k) {
    const c = classifyFile(abs, text, true);
    if (!c || 'skip' in c) {
      notes.push({ file: abs, line: 0, column: 0, message: `skipped: ${c ? c.skip : 'not an nginx or gunicorn configuration (use --nginx or --gunicorn to say which)'}` });
      return null;
    }
    k = c.kind;
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

function readGunicorn(inputs: Input[], cwd: string, o: { version: string; cpus: number | null; env: Record<string, string> }, errors: CheckError[], overrides?: Map<string, string>): GunicornApp[] {
  try {
    const readFile = (p: string): string | undefined => overrides?.get(p) ?? readFileLatin1(p);
    return readGunicornSourcesSync(
      inputs.map((i) => ({ path: path.resolve(cwd, i.path), text: overrides?.get(path.resolve(cwd, i.path)) ?? i.text })),
      { ...o, readFile, listDir: listDirFiles },
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
  const all = select.some((w) => w.toLowerCase() === 'all');
  const named = (list: string[], r: Rule): boolean => list.some((w) => w === r.meta.id || (r.meta.aliases ?? []).includes(w));
  return rules.filter((r) => {
    if (select.length > 0 && !all && !matches(select, r)) return false;
    if (matches(ignore, r)) return false;
    // Off-by-default rules run when named: by id or alias, or with a severity in conftune.json.
    if (r.meta.optIn && !all && !named(select, r) && !explicitlyEnabled(config, r.meta)) return false;
    if (category.length > 0 && !category.includes(r.meta.category)) return false;
    const setting = ruleSetting(config, r.meta);
    if (setting?.severity === 'off') return false;
    return true;
  });
}

function explicitlyEnabled(config: ConftuneConfig, meta: RuleMeta): boolean {
  for (const [key, v] of Object.entries(config.rules ?? {})) {
    if (key !== meta.id && !(meta.aliases ?? []).includes(key)) continue;
    const severity = typeof v === 'string' ? v : v.severity;
    return severity !== 'off';
  }
  return false;
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

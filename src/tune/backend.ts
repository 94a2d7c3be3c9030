// The sandbox backend nginx's upstream is pointed at: the user's gunicorn (its command with the
// bind rewritten), gunicorn with the bundled hello-world app and the user's worker settings, or a
// built-in Node server when gunicorn is absent. Each runs in its own process group.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { GunicornApp } from '../gunicorn/types.js';
import { settingsFor } from '../gunicorn/settings.js';
import { findGunicorn, isGunicornProgram } from '../gunicorn/launch.js';
import { mapped, shlexSplit } from '../gunicorn/shell.js';
import { isDynamic, num, str } from '../model/gunicorn-query.js';
import { BUILTIN_SERVER, HELLO_WSGI_APP } from './assets/hello-app.js';
import type { Endpoint } from './net.js';
import { freePort, waitUntilReady } from './net.js';
import type { ManagedProcess, ProcessGroup } from './procs.js';

export type BackendKind = 'user' | 'hello' | 'builtin';

/** gunicorn settings the search may change (values as gunicorn's flags take them). */
export interface GunicornKnobs {
  workers?: number;
  threads?: number;
  worker_connections?: number;
  worker_class?: string;
  keepalive?: number;
}

export interface BackendSpec {
  kind: BackendKind;
  /** The gunicorn app nginx's upstream links to, when conftune found its sources. */
  app?: GunicornApp;
  /** `--gunicorn-cmd`: the command to run instead of the one from the sources. */
  command?: string;
  /** Directory the user's app runs in (`--app-dir`). */
  appDir?: string;
  /** Overrides on top of the app's settings (search candidates). */
  knobs?: GunicornKnobs;
  /** Use a unix socket (when nginx's upstream used one) instead of a TCP port. */
  unix?: boolean;
  gunicornBinary?: string;
}

export interface RunningBackend {
  name: string;
  endpoint: Endpoint;
  process: ManagedProcess;
  /** What runs, for the report (`gunicorn -w 8 -k gevent … application:application`). */
  description: string;
  /** The settings that define its behaviour, resolved. */
  settings: Required<Pick<GunicornKnobs, 'workers' | 'worker_class' | 'keepalive'>> & GunicornKnobs;
  notes: string[];
}

/** Settings that decide where gunicorn writes or listens, or that reach outside the sandbox. */
const NOT_CARRIED = new Set([
  'bind', 'daemon', 'pidfile', 'user', 'group', 'chdir', 'reload', 'reload_extra_files', 'reload_engine', 'statsd_host',
  'statsd_prefix', 'dogstatsd_tags', 'config', 'wsgi_app', 'errorlog', 'accesslog', 'syslog', 'syslog_addr', 'syslog_prefix',
  'syslog_facility', 'logconfig', 'logconfig_dict', 'logconfig_json', 'certfile', 'keyfile', 'ca_certs', 'ssl_version',
  'cert_reqs', 'ciphers', 'do_handshake_on_connect', 'suppress_ragged_eofs', 'initgroups', 'umask', 'proxy_protocol',
  'tmp_upload_dir', 'check_config', 'print_config', 'spew', 'enable_stdio_inheritance', 'capture_output', 'systemd',
]);

/** Whether gunicorn runs here (`gunicorn --version`). */
export function gunicornAvailable(binary = 'gunicorn'): boolean {
  const r = spawnSync(binary, ['--version'], { stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

/** The user's settings as gunicorn flags (static values only; where/how-to-listen settings left out). */
export function settingsAsFlags(app: GunicornApp, notes: string[]): string[] {
  const table = settingsFor(app.version);
  const flags: string[] = [];
  for (const s of app.settings.values()) {
    if (s.isDefault || s.origin.kind === 'default' || NOT_CARRIED.has(s.name)) continue;
    const spec = table.byName.get(s.name);
    const long = spec?.cli.filter((f) => f.startsWith('--')).pop();
    if (!spec || !long) continue;
    if (isDynamic(s.value)) {
      notes.push(`gunicorn ${s.name} is computed at run time (${s.value.reason}): the sandbox uses gunicorn's default`);
      continue;
    }
    if (spec.action === 'store_true') {
      if (s.value === true) flags.push(long);
      continue;
    }
    if (spec.action === 'store_const') continue;
    const values = Array.isArray(s.value) ? s.value : [s.value];
    for (const v of values) if (v !== null && v !== undefined) flags.push(`${long}=${String(v)}`);
  }
  return flags;
}

const KNOB_FLAGS: Record<keyof GunicornKnobs, string> = {
  workers: '--workers',
  threads: '--threads',
  worker_connections: '--worker-connections',
  worker_class: '--worker-class',
  keepalive: '--keep-alive',
};

function knobFlags(knobs: GunicornKnobs | undefined): string[] {
  return Object.entries(knobs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${KNOB_FLAGS[k as keyof GunicornKnobs]}=${String(v)}`);
}

/** Options that would daemonize, write a pid file or bind elsewhere: dropped from a given command. */
const DROPPED_WITH_VALUE = new Set(['-b', '--bind', '-p', '--pid', '-c', '--config', '--chdir', '-u', '--user', '-g', '--group', '--error-logfile', '--log-file', '--access-logfile', '--statsd-host']);
const DROPPED_FLAGS = new Set(['-D', '--daemon', '--reload']);

/** A `--gunicorn-cmd` string → [command, args] with its binds and daemon options removed. */
export function parseGunicornCommand(text: string): { command: string; prefix: string[]; args: string[] } | string {
  const words = shlexSplit(mapped(text, 0));
  const found = findGunicorn(words, {});
  if (!found) return `--gunicorn-cmd: no gunicorn command found in "${text}"`;
  const direct = isGunicornProgram(found.program.value) && found.program.value !== 'gunicorn' ? found.program.value : 'gunicorn';
  const viaModule = found.program.value === 'gunicorn' && words.some((w) => w.value === '-m');
  const args: string[] = [];
  const raw = found.args.map((w) => w.value);
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i]!;
    const name = a.includes('=') && a.startsWith('--') ? a.slice(0, a.indexOf('=')) : a;
    if (DROPPED_FLAGS.has(a)) continue;
    if (DROPPED_WITH_VALUE.has(name)) {
      if (name === a) i++;
      continue;
    }
    if (/^-[bpcug]./.test(a) && !a.startsWith('--')) continue; // -b127.0.0.1:8000
    args.push(a);
  }
  return viaModule ? { command: 'python3', prefix: ['-m', 'gunicorn'], args } : { command: direct, prefix: [], args };
}

function setting<T extends string | number>(app: GunicornApp | undefined, name: string, fallback: T): T {
  if (!app) return fallback;
  const v = typeof fallback === 'number' ? num(app, name) : str(app, name);
  return (v ?? fallback) as T;
}

/** The worker settings in force: the app's, then the knobs on top. */
export function resolvedKnobs(app: GunicornApp | undefined, knobs: GunicornKnobs = {}): RunningBackend['settings'] {
  return {
    workers: knobs.workers ?? setting(app, 'workers', 1),
    worker_class: knobs.worker_class ?? setting(app, 'worker_class', 'sync'),
    keepalive: knobs.keepalive ?? setting(app, 'keepalive', 2),
    threads: knobs.threads ?? (app ? num(app, 'threads') : undefined),
    worker_connections: knobs.worker_connections ?? (app ? num(app, 'worker_connections') : undefined),
  };
}

export interface StartBackendOptions {
  name: string;
  spec: BackendSpec;
  parentDir: string;
  group: ProcessGroup;
  signal?: AbortSignal;
  startTimeoutMs?: number;
}

/** Starts the backend and resolves once it answers HTTP on its sandbox address. */
export async function startBackend(o: StartBackendOptions): Promise<RunningBackend> {
  const dir = path.join(o.parentDir, o.name);
  fs.mkdirSync(dir, { recursive: true });
  const endpoint: Endpoint = o.spec.unix ? { kind: 'unix', path: path.join(dir, 'backend.sock') } : { kind: 'tcp', host: '127.0.0.1', port: await freePort() };
  const bind = endpoint.kind === 'unix' ? `unix:${endpoint.path}` : `${endpoint.host}:${endpoint.port}`;
  const settings = resolvedKnobs(o.spec.app, o.spec.knobs);
  const notes: string[] = [];
  let command: string;
  let args: string[];
  let cwd = dir;
  if (o.spec.kind === 'builtin') {
    command = process.execPath;
    args = ['-e', BUILTIN_SERVER, endpoint.kind === 'unix' ? endpoint.path : String(endpoint.port), String(settings.keepalive * 1000)];
  } else {
    // An empty config file: gunicorn would otherwise read ./gunicorn.conf.py from the app dir.
    const emptyConf = path.join(dir, 'gunicorn.conf.py');
    fs.writeFileSync(emptyConf, '# conftune sandbox: settings come from the command line\n');
    const common = ['--config', emptyConf, '--bind', bind, '--pid', path.join(dir, 'gunicorn.pid')];
    if (o.spec.kind === 'hello') {
      fs.writeFileSync(path.join(dir, 'conftune_hello.py'), HELLO_WSGI_APP);
      command = o.spec.gunicornBinary ?? 'gunicorn';
      const worker = [`--workers=${settings.workers}`, `--worker-class=${settings.worker_class}`, `--keep-alive=${settings.keepalive}`];
      if (settings.threads !== undefined) worker.push(`--threads=${settings.threads}`);
      if (settings.worker_connections !== undefined) worker.push(`--worker-connections=${settings.worker_connections}`);
      args = [...common, '--chdir', dir, ...worker, ...knobFlags(o.spec.knobs), 'conftune_hello:application'];
    } else if (o.spec.command) {
      const parsed = parseGunicornCommand(o.spec.command);
      if (typeof parsed === 'string') throw new Error(parsed);
      command = parsed.command;
      cwd = o.spec.appDir ?? process.cwd();
      args = [...parsed.prefix, ...parsed.args, ...common, '--chdir', cwd, ...knobFlags(o.spec.knobs)];
    } else {
      const app = o.spec.app;
      if (!app?.wsgiApp) throw new Error('the gunicorn sources name no WSGI app to run (use --gunicorn-cmd, or --backend hello)');
      command = o.spec.gunicornBinary ?? 'gunicorn';
      cwd = o.spec.appDir ?? process.cwd();
      args = [...settingsAsFlags(app, notes), ...knobFlags(o.spec.knobs), ...common, '--chdir', cwd, app.wsgiApp];
    }
  }
  // GUNICORN_CMD_ARGS from conftune's own environment must not leak into the sandbox.
  const proc = o.group.start({ role: `backend ${o.name}`, command, args, cwd, env: { GUNICORN_CMD_ARGS: '' }, stopSignal: o.spec.kind === 'builtin' ? 'SIGTERM' : 'SIGINT' });
  const why = await waitUntilReady(endpoint, { timeoutMs: o.startTimeoutMs ?? 20_000, exited: proc.hasExited, signal: o.signal });
  if (why) {
    const out = proc.output().trim().split('\n').slice(-8).join('\n');
    await o.group.stop(proc);
    throw new Error(`the sandbox backend (${describe(command, args)}) did not start: ${why}${out ? `\n${out}` : ''}`);
  }
  const description = o.spec.kind === 'builtin'
    ? `built-in Node HTTP server (keep-alive ${settings.keepalive}s)`
    : describe(command, args.filter((a, i) => !a.startsWith(dir) && !['--config', '--pid'].includes(a) && !['--config', '--pid'].includes(args[i - 1] ?? '')));
  return { name: o.name, endpoint, process: proc, description, settings, notes };
}

function describe(command: string, args: string[]): string {
  return [path.basename(command), ...args.map((a) => (a.length > 60 ? `${a.slice(0, 57)}…` : a))].join(' ');
}

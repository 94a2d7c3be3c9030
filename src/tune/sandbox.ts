// The tuner's sandbox: a private copy of the nginx configuration with only what isolation needs
// rewritten (listen → 127.0.0.1 on free ports, pid/logs/temp paths into the sandbox, `user`
// dropped when not root, `daemon off`, includes → the copies, upstream servers and literal
// proxy_pass targets → the sandbox backend), started as a child process. Rewrites are edits on
// the original text (src/fix/edits.ts helpers): nothing is re-printed, line numbers stay put.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Directive, NginxConfig } from '../nginx/tree.js';
import { firstChild, walk } from '../nginx/tree.js';
import { diskFileSystem, loadConfig, memoryFileSystem } from '../nginx/load.js';
import { parseProxyUrl, proxyPasses } from '../nginx/query.js';
import type { Edit } from '../lint/rule.js';
import { quoteIfNeeded, replaceArg } from '../fix/edits.js';
import { applyEditsToText } from '../fix/apply-text.js';
import { PLACEHOLDER_CERT, PLACEHOLDER_KEY } from '../fix/placeholder-cert.js';
import type { Endpoint } from './net.js';
import { freePort, waitUntilReady } from './net.js';
import type { ManagedProcess, ProcessGroup } from './procs.js';

export interface NginxBinaryInfo {
  binary: string;
  version: string;
  /** Compiled-in prefix, for relative load_module paths. */
  prefix: string;
  /** Compiled-in access log path (`--http-log-path`), where a config without access_log logs. */
  httpLogPath: string;
  /** Modules compiled out (`--without-http_uwsgi_module` → `http_uwsgi`). */
  without: Set<string>;
}

/** `nginx -V`, or null when the binary is missing. */
export function nginxBinaryInfo(binary = 'nginx'): NginxBinaryInfo | null {
  const r = spawnSync(binary, ['-V'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) return null;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const prefix = /--prefix=(\S+)/.exec(out)?.[1] ?? '/usr/local/nginx';
  return {
    binary,
    version: /nginx\/(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? '0.0.0',
    prefix,
    httpLogPath: /--http-log-path=(\S+)/.exec(out)?.[1] ?? path.join(prefix, 'logs/access.log'),
    without: new Set([...out.matchAll(/--without-(\w+)_module/g)].map((m) => m[1]!)),
  };
}

/** What the sandbox probes: the first server that proxies to the backend. */
export interface EntryPoint {
  port: number;
  /** Host header (the server's first literal server_name, else `localhost`). */
  host: string;
  /** A path the proxying location matches. */
  path: string;
}

export interface IsolationPlan {
  edits: Map<string, Edit[]>;
  entry: EntryPoint | null;
  /** Sandbox ports by original listen address, so `nginx -t`-style messages can be mapped back. */
  ports: Map<string, number>;
  notes: string[];
  /** The main context already sets these: `-g` must not repeat them. */
  hasPid: boolean;
  hasErrorLog: boolean;
  hasDaemon: boolean;
}

export interface IsolationContext {
  /** Sandbox directory of this instance (pid, logs, temp dirs). */
  dir: string;
  /** Where the copies of the config files live: <root>/<absolute original path>. */
  root: string;
  backend: Endpoint;
  info: NginxBinaryInfo;
  /** Returns a fresh free port for each distinct original listen address. */
  ports: number[];
  isRoot: boolean;
  userExists: (name: string) => boolean;
}

const TEMP_PATHS: Array<[directive: string, module: string]> = [
  ['client_body_temp_path', ''],
  ['proxy_temp_path', 'http_proxy'],
  ['fastcgi_temp_path', 'http_fastcgi'],
  ['uwsgi_temp_path', 'http_uwsgi'],
  ['scgi_temp_path', 'http_scgi'],
];

/** Files nginx opens relative to its conf dir: made absolute so the copy still finds them. */
const CONF_RELATIVE_FILES = new Set([
  'ssl_certificate', 'ssl_certificate_key', 'ssl_trusted_certificate', 'ssl_client_certificate', 'ssl_dhparam',
  'ssl_password_file', 'ssl_crl', 'ssl_session_ticket_key', 'auth_basic_user_file', 'proxy_ssl_certificate',
  'proxy_ssl_certificate_key', 'proxy_ssl_trusted_certificate',
]);
const CERTS = new Set(['ssl_certificate', 'proxy_ssl_certificate', 'ssl_trusted_certificate', 'ssl_client_certificate', 'proxy_ssl_trusted_certificate']);
const KEYS = new Set(['ssl_certificate_key', 'proxy_ssl_certificate_key']);
/** listen parameters that make no sense (or need what the probe cannot send) on the sandbox's plain loopback port. */
const DROPPED_LISTEN_PARAMS = /^(ssl|http2|http3|quic|proxy_protocol|ipv6only=.*|setfib=.*|accept_filter=.*|bind)$/;

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Replaces a directive with blanks (newlines kept): it disappears without moving any line. */
function blankOut(d: Directive): Edit {
  return { file: d.file.path, start: d.start, end: d.end, text: d.file.text.slice(d.start, d.end).replace(/[^\r\n]/g, ' ') };
}

function backendAddress(backend: Endpoint): string {
  return backend.kind === 'tcp' ? `${backend.host}:${backend.port}` : `unix:${backend.path}`;
}

/** `proxy_pass` URL with its host part pointed at the backend (scheme and URI kept). */
function retargetProxyUrl(url: string, backend: Endpoint): string | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(unix:[^:]*:?|\[[^\]]*\](?::\d+)?|[^/:?]*(?::\d+)?)(.*)$/i.exec(url);
  if (!m || m[2]!.includes('$')) return null;
  const scheme = m[1]!.toLowerCase() === 'https://' ? 'http://' : m[1]!;
  if (backend.kind === 'unix') return `${scheme}unix:${backend.path}:${m[3]!}`;
  return `${scheme}${backend.host}:${backend.port}${m[3]!}`;
}

/** The literal path a location matches (its prefix or exact URI), or `/` for regex locations. */
function locationPath(loc: Directive | null): string {
  if (!loc || loc.name !== 'location') return '/';
  const a = loc.args.map((x) => x.value);
  const uri = a.length === 1 ? a[0]! : a[0] === '=' || a[0] === '^~' ? a[1] ?? '/' : '/';
  return uri.startsWith('/') ? uri : '/';
}

function serverOf(d: Directive): Directive | null {
  for (let p = d.parent; p; p = p.parent) if (p.name === 'server') return p;
  return null;
}

function hostFor(server: Directive | null): string {
  for (const sn of server ? server.block?.filter((c) => c.name === 'server_name' && c.parent === server) ?? [] : []) {
    for (const a of sn.args) {
      const v = a.value;
      if (v && v !== '_' && !v.startsWith('~') && !v.includes('*') && !v.startsWith('.') && v !== '""') return v;
    }
  }
  return 'localhost';
}

/** Key of a listen address as nginx groups virtual servers: `addr:port` with defaults filled in. */
function listenKey(value: string): string {
  if (value.startsWith('unix:')) return value;
  if (/^\d+$/.test(value)) return `*:${value}`;
  if (/^\[[^\]]+\]$/.test(value) || /^[^:]+$/.test(value)) return `${value}:80`;
  return value;
}

/** Plans the isolation rewrites of `config` (pure: the file system is only asked about readability). */
export function planIsolation(config: NginxConfig, ctx: IsolationContext): IsolationPlan {
  const edits = new Map<string, Edit[]>();
  const notes: string[] = [];
  const seen = new Set<string>();
  const add = (e: Edit | null): void => {
    if (!e) return;
    const k = `${e.file}\0${e.start}\0${e.end}`;
    if (seen.has(k)) return;
    seen.add(k);
    const list = edits.get(e.file) ?? [];
    list.push(e);
    edits.set(e.file, list);
  };
  const prefix = path.dirname(config.main.path);
  const atMain = (d: Directive): boolean => d.parent === null;
  const replaceFirst = (d: Directive, value: string): void => {
    const a = d.args[0];
    if (a) add(replaceArg(d.file, a, value));
  };
  const ports = new Map<string, number>();
  const freePorts = [...ctx.ports];
  const portFor = (key: string): number => {
    let p = ports.get(key);
    if (p === undefined) {
      p = freePorts.shift();
      if (p === undefined) throw new Error('the sandbox ran out of reserved ports');
      ports.set(key, p);
    }
    return p;
  };
  let hasPid = false;
  let hasErrorLog = false;
  let hasDaemon = false;
  let logs = 0;
  let caches = 0;
  let placeholder = false;
  const backend = backendAddress(ctx.backend);
  walk(config.root, (d) => {
    const first = d.args[0]?.value ?? '';
    switch (d.name) {
      case 'include':
        if (d.args.length === 1) replaceFirst(d, path.join(ctx.root, path.resolve(prefix, first)));
        break;
      case 'pid':
        if (atMain(d)) hasPid = true;
        replaceFirst(d, path.join(ctx.dir, 'nginx.pid'));
        break;
      case 'lock_file':
        replaceFirst(d, path.join(ctx.dir, 'nginx.lock'));
        break;
      case 'daemon':
        if (atMain(d)) hasDaemon = true;
        replaceFirst(d, 'off');
        break;
      case 'error_log':
        if (atMain(d)) hasErrorLog = true;
        replaceFirst(d, path.join(ctx.dir, 'error.log'));
        break;
      case 'access_log':
        // The log is part of what is measured: it stays on, only its file moves into the sandbox.
        if (first !== 'off' && !first.startsWith('syslog:')) {
          replaceFirst(d, first.includes('$') ? path.join(ctx.dir, 'logs', `access-$pid.log`) : path.join(ctx.dir, 'logs', `access-${logs++}.log`));
        } else if (first.startsWith('syslog:')) {
          add(blankOut(d));
          notes.push(`access_log to ${first} is left out in the sandbox (no network logging)`);
        }
        break;
      case 'user':
        if (atMain(d) && (!ctx.isRoot || !ctx.userExists(first))) add(blankOut(d));
        break;
      case 'load_module':
        if (first && !path.isAbsolute(first)) replaceFirst(d, path.resolve(ctx.info.prefix, first));
        break;
      case 'listen': {
        if (d.parent?.name !== 'server') break;
        const params = d.args.slice(1).map((a) => a.value);
        if (params.includes('quic') || params.includes('http3')) {
          add(blankOut(d));
          notes.push(`listen ${first} ${params.join(' ')} (QUIC) is skipped in the sandbox`);
          break;
        }
        const port = portFor(listenKey(first));
        const kept = params.filter((p) => !DROPPED_LISTEN_PARAMS.test(p));
        if (params.includes('ssl')) notes.push(`TLS listener ${first} is measured as plain HTTP in the sandbox (the probe speaks plain HTTP)`);
        const text = ['listen', `127.0.0.1:${port}`, ...kept.map(quoteIfNeeded)].join(' ') + ';';
        add({ file: d.file.path, start: d.start, end: d.end, text });
        break;
      }
      case 'ssl':
        // The old `ssl on;` turns every listener into TLS.
        if (first === 'on') add(blankOut(d));
        break;
      case 'server':
        if (d.parent?.name === 'upstream' && first && !first.includes('$')) {
          const params = d.args.slice(1).filter((a) => !/^(resolve|service=.*|route=.*|slow_start=.*|drain)$/.test(a.value));
          add({ file: d.file.path, start: d.start, end: d.end, text: ['server', backend, ...params.map((a) => quoteIfNeeded(a.value))].join(' ') + ';' });
        }
        break;
      case 'proxy_pass': {
        const parsed = parseProxyUrl(first);
        const namesUpstream = parsed.host !== null && parsed.port === null && config.root.length > 0 && upstreamNamed(config, parsed.host);
        if (!namesUpstream) {
          const url = retargetProxyUrl(first, ctx.backend);
          if (url) replaceFirst(d, url);
          else if (first.includes('$')) notes.push(`proxy_pass ${first} uses a variable: left as is, requests it sends do not reach the sandbox backend`);
        } else if (parsed.scheme === 'https') {
          replaceFirst(d, first.replace(/^https:/i, 'http:'));
          notes.push(`proxy_pass ${first}: the sandbox backend speaks plain HTTP`);
        }
        break;
      }
      default:
        if (TEMP_PATHS.some(([n]) => n === d.name)) replaceFirst(d, path.join(ctx.dir, 'temp', d.name));
        else if (/_cache_path$/.test(d.name)) replaceFirst(d, path.join(ctx.dir, 'cache', String(caches++)));
        else if (CONF_RELATIVE_FILES.has(d.name) && first && !first.includes('$') && !first.startsWith('data:') && !first.startsWith('engine:')) {
          const abs = path.resolve(prefix, first);
          if ((CERTS.has(d.name) || KEYS.has(d.name)) && !readable(abs)) {
            placeholder = true;
            replaceFirst(d, path.join(ctx.dir, CERTS.has(d.name) ? 'placeholder.crt' : 'placeholder.key'));
          } else if (!path.isAbsolute(first)) replaceFirst(d, abs);
        }
    }
    return undefined;
  });
  if (placeholder) notes.push('certificate files not readable here were replaced by a generated placeholder');
  // Temp dirs and (where nginx would use its compiled-in default) the access log, per http block.
  for (const d of config.root) {
    if (d.name !== 'http' || !d.block || d.blockStart < 0) continue;
    const own = new Set(d.block.filter((c) => c.parent === d).map((c) => c.name));
    const lines = TEMP_PATHS.filter(([n, m]) => !own.has(n) && (m === '' || !ctx.info.without.has(m))).map(([n]) => ` ${n} ${path.join(ctx.dir, 'temp', n)};`);
    // nginx's default log is on (compiled-in path): the sandbox keeps logging, to its own file.
    if (!own.has('access_log')) lines.push(` access_log ${path.join(ctx.dir, 'logs', 'access-default.log')};`);
    add({ file: d.file.path, start: d.blockStart + 1, end: d.blockStart + 1, text: lines.join('') });
  }
  return { edits, entry: entryPoint(config, ports), ports, notes, hasPid, hasErrorLog, hasDaemon };
}

function upstreamNamed(config: NginxConfig, name: string): boolean {
  let found = false;
  walk(config.root, (d) => {
    if (found) return false;
    if (d.name === 'upstream' && d.block && d.args[0]?.value === name) found = true;
    return undefined;
  });
  return found;
}

/** The probe's target: the first proxy_pass's server and location. */
function entryPoint(config: NginxConfig, ports: Map<string, number>): EntryPoint | null {
  const passes = proxyPasses(config);
  for (const pp of passes) {
    const server = serverOf(pp.node);
    const listen = server ? firstChild(server.block, 'listen') : undefined;
    const key = listen ? listenKey(listen.args[0]?.value ?? '') : '*:80';
    const port = ports.get(key);
    if (port === undefined) continue;
    return { port, host: hostFor(server), path: locationPath(pp.location) };
  }
  const any = [...ports.values()][0];
  return any === undefined ? null : { port: any, host: 'localhost', path: '/' };
}

/** How many distinct listen addresses the config has (ports the sandbox must reserve). */
export function listenCount(config: NginxConfig): number {
  const keys = new Set<string>();
  walk(config.root, (d) => {
    if (d.name === 'listen' && d.parent?.name === 'server') keys.add(listenKey(d.args[0]?.value ?? ''));
    return undefined;
  });
  // A server without listen listens on *:80 (or 8000 when not root): give it a port too.
  return Math.max(1, keys.size);
}

// ---- a running instance ----------------------------------------------------------------------------

export interface NginxInstance {
  name: string;
  dir: string;
  /** Main file of the sandbox copy. */
  mainCopy: string;
  entry: EntryPoint;
  process: ManagedProcess;
  notes: string[];
}

export interface StartNginxOptions {
  name: string;
  /** Parent directory for this instance's sandbox dir. */
  parentDir: string;
  /** The configuration as read (original or a candidate's texts). */
  mainFile: string;
  texts: Map<string, string>;
  backend: Endpoint;
  info: NginxBinaryInfo;
  group: ProcessGroup;
  signal?: AbortSignal;
  startTimeoutMs?: number;
}

function userExists(name: string): boolean {
  if (!name) return false;
  const r = spawnSync('id', ['-u', name], { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/** Loads `texts` as a configuration rooted at `mainFile` (files not in `texts` are read from disk). */
export function loadTexts(mainFile: string, texts: Map<string, string>): NginxConfig {
  return loadConfig(mainFile, { fs: memoryFileSystem(texts, diskFileSystem) });
}

/** Writes the isolated copy of a configuration and starts nginx on it; resolves once it answers. */
export async function startNginx(o: StartNginxOptions): Promise<NginxInstance> {
  const dir = path.join(o.parentDir, o.name);
  const root = path.join(dir, 'root');
  for (const sub of ['logs', 'temp', 'cache', 'root']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'placeholder.crt'), PLACEHOLDER_CERT);
  fs.writeFileSync(path.join(dir, 'placeholder.key'), PLACEHOLDER_KEY, { mode: 0o600 });
  const config = loadTexts(o.mainFile, o.texts);
  const ports: number[] = [];
  for (let i = 0; i < listenCount(config); i++) ports.push(await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const plan = planIsolation(config, { dir, root, backend: o.backend, info: o.info, ports, isRoot, userExists });
  for (const [file, sf] of config.files) {
    const dest = path.join(root, path.resolve(file));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, Buffer.from(applyEditsToText(sf.text, plan.edits.get(file) ?? []), 'latin1'));
  }
  const mainCopy = path.join(root, path.resolve(config.main.path));
  if (!plan.entry) throw new Error(`${o.name}: the configuration has no server to send requests to`);
  const globals = [
    plan.hasPid ? '' : `pid ${path.join(dir, 'nginx.pid')};`,
    plan.hasErrorLog ? '' : `error_log ${path.join(dir, 'error.log')};`,
    plan.hasDaemon ? '' : 'daemon off;',
  ].filter(Boolean).join(' ');
  const args = ['-p', dir + path.sep, '-c', mainCopy];
  // -e (1.19.5+) keeps nginx from opening its compiled-in error log before reading the config.
  if (versionAtLeast(o.info.version, '1.19.5')) args.push('-e', path.join(dir, 'error.log'));
  if (globals) args.push('-g', globals);
  const proc = o.group.start({ role: `nginx ${o.name}`, command: o.info.binary, args, cwd: dir, stopSignal: 'SIGTERM' });
  const why = await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port: plan.entry.port }, {
    timeoutMs: o.startTimeoutMs ?? 10_000,
    exited: proc.hasExited,
    signal: o.signal,
  });
  if (why) {
    const log = tail(path.join(dir, 'error.log')) || proc.output();
    await o.group.stop(proc);
    throw new Error(`nginx (${o.name}) did not start: ${why}${log ? `\n${log}` : ''}`);
  }
  return { name: o.name, dir, mainCopy, entry: plan.entry, process: proc, notes: plan.notes };
}

function tail(file: string, lines = 6): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}


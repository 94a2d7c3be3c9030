// The tuner's sandbox: a private copy of the nginx configuration with only what isolation needs
// rewritten (listen → 127.0.0.1 on free ports, pid/logs/temp paths into the sandbox, `user`
// dropped when not root, `daemon off`, includes → the copies, upstream servers and literal
// proxy_pass targets → the sandbox backend), started as a child process. Rewrites are edits on
// the original text: nothing is re-printed, line numbers stay put. What verification needs too
// (paths into the sandbox, user, certificates) is src/sandbox/isolate.ts; listen, upstream
// servers, proxy_pass, ssl and daemon are the sandbox's own.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Directive, NginxConfig } from '../nginx/tree.js';
import { firstChild, walk } from '../nginx/tree.js';
import { diskFileSystem, loadConfig, memoryFileSystem } from '../nginx/load.js';
import { parseProxyUrl, proxyPasses } from '../nginx/query.js';
import { nginxBinaryInfo, type NginxBinaryInfo } from '../nginx/binary.js';
import { blankOut, copyPath, isolationEdits, prepareIsolationDir, writeCopies, type IsolationSink } from '../sandbox/isolate.js';
import type { Edit } from '../lint/rule.js';
import { quoteIfNeeded } from '../edit/edits.js';
import { atLeast } from '../util/version.js';
import type { Endpoint } from './net.js';
import { freePort, waitUntilReady } from './net.js';
import type { ManagedProcess, ProcessGroup } from './procs.js';

export type { NginxBinaryInfo };
export { nginxBinaryInfo };

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

/**
 * Files made absolute in the copy: a shorter list than verification's CONF_RELATIVE_FILES
 * (no ssl_stapling_file, proxy_ssl_crl, proxy_ssl_password_file), kept as the sandbox had it.
 */
const CONF_RELATIVE_FILES = new Set([
  'ssl_certificate', 'ssl_certificate_key', 'ssl_trusted_certificate', 'ssl_client_certificate', 'ssl_dhparam',
  'ssl_password_file', 'ssl_crl', 'ssl_session_ticket_key', 'auth_basic_user_file', 'proxy_ssl_certificate',
  'proxy_ssl_certificate_key', 'proxy_ssl_trusted_certificate',
]);
/** listen parameters that make no sense (or need what the probe cannot send) on the sandbox's plain loopback port. */
const DROPPED_LISTEN_PARAMS = /^(ssl|http2|http3|quic|proxy_protocol|ipv6only=.*|setfib=.*|accept_filter=.*|bind)$/;

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
/** The URI path a request needs to land in `loc` (`/` when it is no prefix or exact location). */
export function locationPath(loc: Directive | null): string {
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
  const atMain = (d: Directive): boolean => d.parent === null;
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
  let hasDaemon = false;
  const backend = backendAddress(ctx.backend);
  // The sandbox's own rewrites, on top of the isolation shared with verification.
  const rewrite = (d: Directive, out: IsolationSink): boolean => {
    const first = d.args[0]?.value ?? '';
    switch (d.name) {
      case 'daemon':
        if (atMain(d)) hasDaemon = true;
        out.replaceFirst(d, 'off');
        return true;
      case 'listen': {
        if (d.parent?.name !== 'server') return true;
        const params = d.args.slice(1).map((a) => a.value);
        if (params.includes('quic') || params.includes('http3')) {
          out.add(blankOut(d));
          out.note(`listen ${first} ${params.join(' ')} (QUIC) is skipped in the sandbox`);
          return true;
        }
        const port = portFor(listenKey(first));
        const kept = params.filter((p) => !DROPPED_LISTEN_PARAMS.test(p));
        if (params.includes('ssl')) out.note(`TLS listener ${first} is measured as plain HTTP in the sandbox (the probe speaks plain HTTP)`);
        const text = ['listen', `127.0.0.1:${port}`, ...kept.map(quoteIfNeeded)].join(' ') + ';';
        out.add({ file: d.file.path, start: d.start, end: d.end, text });
        return true;
      }
      case 'ssl':
        // The old `ssl on;` turns every listener into TLS.
        if (first === 'on') out.add(blankOut(d));
        return true;
      case 'server':
        if (d.parent?.name === 'upstream' && first && !first.includes('$')) {
          const params = d.args.slice(1).filter((a) => !/^(resolve|service=.*|route=.*|slow_start=.*|drain)$/.test(a.value));
          out.add({ file: d.file.path, start: d.start, end: d.end, text: ['server', backend, ...params.map((a) => quoteIfNeeded(a.value))].join(' ') + ';' });
        }
        return true;
      case 'proxy_pass': {
        const parsed = parseProxyUrl(first);
        const namesUpstream = parsed.host !== null && parsed.port === null && config.root.length > 0 && upstreamNamed(config, parsed.host);
        if (!namesUpstream) {
          const url = retargetProxyUrl(first, ctx.backend);
          if (url) out.replaceFirst(d, url);
          else if (first.includes('$')) out.note(`proxy_pass ${first} uses a variable: left as is, requests it sends do not reach the sandbox backend`);
        } else if (parsed.scheme === 'https') {
          out.replaceFirst(d, first.replace(/^https:/i, 'http:'));
          out.note(`proxy_pass ${first}: the sandbox backend speaks plain HTTP`);
        }
        return true;
      }
      default:
        return false;
    }
  };
  const isolation = isolationEdits(config, {
    dir: ctx.dir,
    root: ctx.root,
    info: ctx.info,
    errorLog: path.join(ctx.dir, 'error.log'),
    // The log is part of what is measured: it stays on, only its file moves into the sandbox.
    accessLog: 'keep-logging',
    keepUser: (name) => ctx.isRoot && ctx.userExists(name),
    certificates: 'each',
    confRelativeFiles: CONF_RELATIVE_FILES,
    topLevelIsMain: true,
    latin1Args: true,
    rewrite,
  });
  const { edits, notes, hasPid, hasErrorLog } = isolation;
  if (isolation.placeholders.length > 0) notes.push('certificate files not readable here were replaced by a generated placeholder');
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

/** Start attempts when a port the kernel handed out was taken before nginx bound it. */
const START_ATTEMPTS = 3;

/**
 * Writes the isolated copy of a configuration and starts nginx on it; resolves once it answers.
 * Ports are free when chosen but not reserved: another program (a second tune, say) may bind one
 * first, and then nginx exits with "Address already in use" — it is started again on new ports.
 */
export async function startNginx(o: StartNginxOptions): Promise<NginxInstance> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNginxOnce(o);
    } catch (e) {
      if (attempt >= START_ATTEMPTS || !(e instanceof PortTakenError) || o.signal?.aborted) throw e;
    }
  }
}

class PortTakenError extends Error {}

async function startNginxOnce(o: StartNginxOptions): Promise<NginxInstance> {
  const dir = path.join(o.parentDir, o.name);
  const root = path.join(dir, 'root');
  prepareIsolationDir(dir);
  fs.rmSync(path.join(dir, 'error.log'), { force: true }); // a retry reads only its own log
  const config = loadTexts(o.mainFile, o.texts);
  const ports: number[] = [];
  for (let i = 0; i < listenCount(config); i++) ports.push(await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const plan = planIsolation(config, { dir, root, backend: o.backend, info: o.info, ports, isRoot, userExists });
  writeCopies(config, root, plan.edits);
  const mainCopy = copyPath(root, config.main.path);
  if (!plan.entry) throw new Error(`${o.name}: the configuration has no server to send requests to`);
  const globals = [
    plan.hasPid ? '' : `pid ${path.join(dir, 'nginx.pid')};`,
    plan.hasErrorLog ? '' : `error_log ${path.join(dir, 'error.log')};`,
    plan.hasDaemon ? '' : 'daemon off;',
  ].filter(Boolean).join(' ');
  const args = ['-p', dir + path.sep, '-c', mainCopy];
  // -e (1.19.5+) keeps nginx from opening its compiled-in error log before reading the config.
  if (atLeast(o.info.version, '1.19.5')) args.push('-e', path.join(dir, 'error.log'));
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
    const message = `nginx (${o.name}) did not start: ${why}${log ? `\n${log}` : ''}`;
    throw /Address already in use/.test(log) ? new PortTakenError(message) : new Error(message);
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

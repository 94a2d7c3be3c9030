// Verifies fixed nginx configurations with the real `nginx -t` before anything is written.
//
// The configuration is copied into a private temp dir (files at <tmp>/root/<absolute path>) and
// only what isolation needs is rewritten, in place so line numbers stay the same: includes point
// at the copies, pid/error_log/access_log/lock_file/*_temp_path go into the temp dir (nginx -t
// opens logs and creates temp dirs: it must not touch system paths), `user` is blanked when not
// root, relative certificate and module paths are made absolute. A fragment (an http/server/…
// level file) is wrapped in a minimal main config. The original is checked the same way, so a
// failure nginx -t reports on both (a missing certificate, an unknown upstream host, an absent
// module) does not block a fix: only a failure the fix introduces does.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Directive, NginxConfig } from '../nginx/tree.js';
import { lineOf, walk } from '../nginx/tree.js';
import { diskFileSystem, loadConfig, memoryFileSystem } from '../nginx/load.js';
import type { Edit } from '../lint/rule.js';
import { applyEditsToText } from './apply-text.js';
import { quoteIfNeeded } from './edits.js';
import { PLACEHOLDER_CERT, PLACEHOLDER_KEY } from './placeholder-cert.js';

export interface NginxInfo {
  version: string;
  /** Compiled-in prefix (`--prefix=`), for relative `load_module` paths. */
  prefix: string;
  /** Modules compiled out (`--without-http_uwsgi_module` → `http_uwsgi`). */
  without: Set<string>;
}

/** `nginx -V`, or null when nginx is not on PATH. */
export function nginxInfo(binary = 'nginx'): NginxInfo | null {
  const r = spawnSync(binary, ['-V'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) return null;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? '0.0.0';
  const prefix = /--prefix=(\S+)/.exec(out)?.[1] ?? '/usr/local/nginx';
  const without = new Set([...out.matchAll(/--without-(\w+)_module/g)].map((m) => m[1]!));
  return { version, prefix, without };
}

function atLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export interface NginxTestResult {
  ok: boolean;
  /** nginx's error lines, temp paths mapped back to the original paths. */
  messages: string[];
  /** Where each message points (original absolute path and line), when it says. */
  places: Array<{ file: string; line: number } | null>;
  /** Certificate files that could not be read here and were replaced by the placeholder. */
  placeholders: string[];
}

/** A directive to blank in the copy (by file and line): steps past a failure already known. */
export interface Place {
  file: string;
  line: number;
}

const TEMP_PATHS: Array<[directive: string, module: string]> = [
  ['client_body_temp_path', ''],
  ['proxy_temp_path', 'http_proxy'],
  ['fastcgi_temp_path', 'http_fastcgi'],
  ['uwsgi_temp_path', 'http_uwsgi'],
  ['scgi_temp_path', 'http_scgi'],
];

/** Paths nginx opens at -t relative to the conf dir: made absolute so the copy still finds them. */
const CONF_RELATIVE_FILES = new Set([
  'ssl_certificate', 'ssl_certificate_key', 'ssl_trusted_certificate', 'ssl_client_certificate', 'ssl_dhparam',
  'ssl_password_file', 'ssl_crl', 'ssl_stapling_file', 'ssl_session_ticket_key', 'proxy_ssl_certificate',
  'proxy_ssl_certificate_key', 'proxy_ssl_trusted_certificate', 'proxy_ssl_crl', 'proxy_ssl_password_file',
  'auth_basic_user_file',
]);

const CERT_FILES = new Set(['ssl_certificate', 'proxy_ssl_certificate', 'ssl_trusted_certificate', 'ssl_client_certificate', 'proxy_ssl_trusted_certificate', 'grpc_ssl_certificate']);
const KEY_FILES = new Set(['ssl_certificate_key', 'proxy_ssl_certificate_key', 'grpc_ssl_certificate_key']);

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Replaces a node's text with blanks (newlines kept), so it disappears without moving lines. */
function blankOut(d: Directive): Edit {
  return { file: d.file.path, start: d.start, end: d.end, text: d.file.text.slice(d.start, d.end).replace(/[^\r\n]/g, ' ') };
}

interface CopyPlan {
  /** Edits on each file of the config. */
  edits: Map<string, Edit[]>;
  /** The main context sets these itself: -g must not repeat them (nginx: "directive is duplicate"). */
  hasPid: boolean;
  hasErrorLog: boolean;
  placeholders: string[];
}

function rewritesFor(config: NginxConfig, tmp: string, root: string, info: NginxInfo, skip: readonly Place[]): CopyPlan {
  const edits = new Map<string, Edit[]>();
  const seen = new Set<string>();
  const add = (e: Edit): void => {
    const k = `${e.file}\0${e.start}\0${e.end}`;
    if (seen.has(k)) return;
    seen.add(k);
    const list = edits.get(e.file) ?? [];
    list.push(e);
    edits.set(e.file, list);
  };
  const prefix = path.dirname(config.main.path);
  const atMain = (d: Directive): boolean => d.parent === null && config.rootContext === 'main';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const replaceFirst = (d: Directive, value: string): void => {
    const a = d.args[0];
    if (a) add({ file: d.file.path, start: a.start, end: a.end, text: quoteIfNeeded(value) });
  };
  let hasPid = false;
  let hasErrorLog = false;
  const placeholders: string[] = [];
  let logs = 0;
  let caches = 0;
  walk(config.root, (d) => {
    const first = d.args[0]?.value ?? '';
    if (!d.block && skip.some((p) => at(d, p))) {
      add(blankOut(d));
      return undefined;
    }
    switch (d.name) {
      case 'include':
        if (d.args.length === 1) replaceFirst(d, path.join(root, path.resolve(prefix, first)));
        break;
      case 'pid':
        if (atMain(d)) hasPid = true;
        replaceFirst(d, path.join(tmp, 'nginx.pid'));
        break;
      case 'lock_file':
        replaceFirst(d, path.join(tmp, 'nginx.lock'));
        break;
      case 'error_log':
        if (atMain(d)) hasErrorLog = true;
        replaceFirst(d, 'stderr');
        break;
      case 'access_log':
        if (first !== 'off' && !first.includes('$')) replaceFirst(d, path.join(tmp, 'logs', `access-${logs++}.log`));
        break;
      case 'user':
        if (atMain(d) && !isRoot) add(blankOut(d));
        break;
      case 'load_module':
        if (first && !path.isAbsolute(first)) replaceFirst(d, path.resolve(info.prefix, first));
        break;
      default:
        if (TEMP_PATHS.some(([n]) => n === d.name)) replaceFirst(d, path.join(tmp, 'temp', d.name));
        // nginx -t creates cache directories too.
        else if (/_cache_path$/.test(d.name)) replaceFirst(d, path.join(tmp, 'cache', String(caches++)));
        else if (CONF_RELATIVE_FILES.has(d.name) && first && !first.includes('$') && !first.startsWith('data:') && !first.startsWith('engine:')) {
          const abs = path.resolve(prefix, first);
          // A certificate or key this machine cannot read (another host's, root-only): the pair
          // in this block is swapped for the placeholder so nginx -t looks past it.
          if ((CERT_FILES.has(d.name) || KEY_FILES.has(d.name)) && pairUnreadable(d, prefix)) {
            if (!placeholders.includes(abs) && !readable(abs)) placeholders.push(abs);
            replaceFirst(d, path.join(tmp, CERT_FILES.has(d.name) ? 'placeholder.crt' : 'placeholder.key'));
          } else if (!path.isAbsolute(first)) replaceFirst(d, abs);
        }
    }
    return undefined;
  });
  // Temp dirs for every http block of the main file that does not set them.
  const tempLine = (present: Set<string>): string => TEMP_PATHS
    .filter(([n, m]) => !present.has(n) && (m === '' || !info.without.has(m)))
    .map(([n]) => ` ${n} ${path.join(tmp, 'temp', n)};`).join('');
  for (const d of config.root) {
    if (d.name !== 'http' || !d.block || d.blockStart < 0) continue;
    const present = new Set(d.block.filter((c) => c.parent === d).map((c) => c.name));
    add({ file: d.file.path, start: d.blockStart + 1, end: d.blockStart + 1, text: tempLine(present) });
  }
  return { edits, hasPid, hasErrorLog, placeholders };
}

/** Whether a certificate/key directive or its partners in the same block name a file not readable here. */
function pairUnreadable(d: Directive, prefix: string): boolean {
  const siblings = (d.parent?.block ?? [d]).filter((s) => s.parent === d.parent && (CERT_FILES.has(s.name) || KEY_FILES.has(s.name)));
  return [d, ...siblings].some((s) => {
    const v = s.args[0]?.value ?? '';
    return v !== '' && !v.includes('$') && !v.startsWith('data:') && !v.startsWith('engine:') && !readable(path.resolve(prefix, v));
  });
}

/** The wrapper making a fragment a full configuration, by the fragment's top-level context. */
function wrapperFor(config: NginxConfig, copy: string, tmp: string, info: NginxInfo): string | null {
  const inc = `include ${quoteIfNeeded(copy)};`;
  const temps = TEMP_PATHS.filter(([, m]) => m === '' || !info.without.has(m)).map(([n]) => `${n} ${path.join(tmp, 'temp', n)};`).join(' ');
  switch (config.rootContext) {
    case 'http': return `events {}\nhttp { ${temps} ${inc} }\n`;
    case 'server': return `events {}\nhttp { ${temps} server { ${inc} } }\n`;
    case 'location': return `events {}\nhttp { ${temps} server { location / { ${inc} } } }\n`;
    case 'upstream': return `events {}\nhttp { ${temps} upstream conftune_verify { ${inc} } }\n`;
    case 'events': return `events { ${inc} }\n`;
    case 'stream': return `events {}\nstream { ${inc} }\n`;
    default: return null;
  }
}

/** Runs nginx -t on a private copy of `config` (texts as given). */
export function nginxTest(config: NginxConfig, info: NginxInfo, cwd: string, binary = 'nginx', skip: readonly Place[] = []): NginxTestResult {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-verify-'));
  try {
    const root = path.join(tmp, 'root');
    fs.mkdirSync(path.join(tmp, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'temp'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'cache'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'placeholder.crt'), PLACEHOLDER_CERT);
    fs.writeFileSync(path.join(tmp, 'placeholder.key'), PLACEHOLDER_KEY, { mode: 0o600 });
    const plan = rewritesFor(config, tmp, root, info, skip);
    for (const [file, sf] of config.files) {
      const dest = path.join(root, path.resolve(file));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, Buffer.from(applyEditsToText(sf.text, plan.edits.get(file) ?? []), 'latin1'));
    }
    let main = path.join(root, path.resolve(config.main.path));
    if (config.rootContext !== 'main') {
      const wrapper = wrapperFor(config, main, tmp, info);
      if (wrapper === null) return { ok: true, messages: [], places: [], placeholders: [] };
      main = path.join(tmp, 'wrapper.conf');
      fs.writeFileSync(main, wrapper);
    }
    const globals = [plan.hasPid ? '' : `pid ${path.join(tmp, 'nginx.pid')};`, plan.hasErrorLog ? '' : 'error_log stderr;'].filter(Boolean).join(' ');
    const args = ['-t', '-q', '-p', tmp + path.sep];
    // -e (1.19.5+) keeps nginx from opening its compiled-in error log before reading the config.
    if (atLeast(info.version, '1.19.5')) args.push('-e', 'stderr');
    args.push('-c', main);
    if (globals) args.push('-g', globals);
    const r = spawnSync(binary, args, { encoding: 'latin1', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const placeholders = plan.placeholders;
    if (r.error) return { ok: false, messages: [`could not run nginx -t: ${r.error.message}`], places: [null], placeholders };
    if (r.status === 0) return { ok: true, messages: [], places: [], placeholders };
    const lines = out.split('\n').filter((l) => /\[(emerg|alert|crit|error)\]/.test(l));
    if (lines.length === 0) return { ok: false, messages: [out.trim() || `nginx -t exited with status ${r.status}`], places: [null], placeholders };
    const places = lines.map((l) => {
      const m = / in (\S+):(\d+)$/.exec(l.split(root).join(''));
      return m && !m[1]!.startsWith(tmp) ? { file: m[1]!, line: Number(m[2]) } : null;
    });
    const messages = lines.map((l) => mapPaths(l, root, tmp, cwd).replace(/^nginx: /, '').replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: /, '$1 '));
    return { ok: false, messages, places, placeholders };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Temp-copy paths in nginx's output → the original paths, relative to cwd. */
function mapPaths(line: string, root: string, tmp: string, cwd: string): string {
  const rel = (abs: string): string => {
    const r = path.relative(cwd, abs);
    return r && !r.startsWith('..') ? r : abs;
  };
  // Copies live at <root>/<absolute original path>: dropping the root leaves the original.
  const out = line.split(root).join('').split(path.join(tmp, 'wrapper.conf')).join('<wrapper>').split(tmp).join('<temp>');
  return out.replace(/(\/[^\s:"]+)(?=:\d+)/g, (p) => rel(p));
}

/** A message without where it happened (lines move when a fix inserts text). */
function normalise(message: string): string {
  return message.replace(/ in \S+:\d+$/, '').replace(/^\[\w+\] /, '').trim();
}

export interface VerifyOutcome {
  /** Why nothing may be written (nginx rejects what the fix produced). */
  errors: string[];
  /** Things the user should know (nginx absent, failures that were there before). */
  notes: string[];
}

/**
 * Verifies every nginx configuration touched by the fix: `originals` are the configs as read,
 * `fixed` the new text of each changed file. A config that fails only the way its original
 * already fails is let through, with a note.
 */
export function verifyNginx(originals: NginxConfig[], fixed: Map<string, string>, cwd: string, binary = 'nginx'): VerifyOutcome {
  const errors: string[] = [];
  const notes: string[] = [];
  const touched = originals.filter((c) => [...c.files.keys()].some((f) => fixed.has(f)));
  if (touched.length === 0) return { errors, notes };
  const info = nginxInfo(binary);
  if (!info) {
    notes.push('nginx is not on PATH: the fixed configuration was not verified with nginx -t');
    return { errors, notes };
  }
  for (const original of touched) {
    const texts = new Map<string, string>();
    for (const [p, f] of original.files) texts.set(p, f.text);
    const after = new Map([...texts, ...[...fixed].filter(([p]) => texts.has(p))]);
    // Re-read through memory so includes resolve exactly as before, also for stdin and dumps.
    const fixedConfig = loadConfig(original.main.path, { fs: memoryFileSystem(after, diskFileSystem) });
    const where = displayPath(original.main.path, cwd);
    const r = compareBeforeAfter(original, fixedConfig, info, cwd, binary);
    if (r.placeholders.length > 0) {
      notes.push(`nginx -t ran with a placeholder for certificate files not readable here: ${r.placeholders.map((p) => displayPath(p, cwd)).join(', ')}`);
    }
    if (r.newFailure) errors.push(`nginx -t rejects ${where} after fixing: ${r.newFailure}; nothing was written`);
    else if (r.known.length > 0) {
      notes.push(`nginx -t fails on ${where} before and after the fix (${r.known.join('; ')}); the fix adds no new failure${r.complete ? '' : ' (the rest of the file could not be checked past it)'}`);
    }
  }
  return { errors, notes };
}

function displayPath(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') ? r : file;
}

/** How many known failures verification steps past (each costs two nginx -t runs). */
const MAX_KNOWN_FAILURES = 6;

/**
 * nginx -t stops at its first error, so a failure the original already has (a missing
 * certificate) would hide one the fix adds further down. When both fail the same way on a simple
 * directive, that directive is blanked in both copies and both are tested again.
 */
function compareBeforeAfter(original: NginxConfig, fixed: NginxConfig, info: NginxInfo, cwd: string, binary: string): { newFailure?: string; known: string[]; complete: boolean; placeholders: string[] } {
  const skipAfter: Place[] = [];
  const skipBefore: Place[] = [];
  const known: string[] = [];
  let placeholders: string[] = [];
  for (let i = 0; i <= MAX_KNOWN_FAILURES; i++) {
    const test = nginxTest(fixed, info, cwd, binary, skipAfter);
    placeholders = test.placeholders;
    if (test.ok) return { known, complete: true, placeholders };
    const before = nginxTest(original, info, cwd, binary, skipBefore);
    const k = before.messages.findIndex((m) => normalise(m) === normalise(test.messages[0]!));
    if (before.ok || k === -1) return { newFailure: test.messages[0], known, complete: true, placeholders };
    known.push(test.messages[0]!);
    const a = test.places[0] ?? placeByPath(fixed, test.messages[0]!);
    const b = before.places[k] ?? placeByPath(original, before.messages[k]!);
    const blankable = (p: Place | null | undefined, c: NginxConfig): p is Place => !!p && hasSimpleDirectiveAt(c, p);
    if (!blankable(a, fixed) || !blankable(b, original)) return { known, complete: false, placeholders };
    skipAfter.push(a);
    skipBefore.push(b);
  }
  return { known, complete: false, placeholders };
}

/**
 * Some failures name no line (a certificate nginx cannot load is reported after parsing): find the
 * simple directive whose argument is the quoted path in the message.
 */
function placeByPath(config: NginxConfig, message: string): Place | null {
  const quoted = [...message.matchAll(/"(\/[^"]+)"/g)].map((m) => m[1]!);
  if (quoted.length === 0) return null;
  const prefix = path.dirname(config.main.path);
  let found: Place | null = null;
  walk(config.root, (d) => {
    if (found) return false;
    if (!d.block && d.args.some((a) => quoted.includes(path.resolve(prefix, a.value)))) found = { file: d.file.path, line: d.line };
    return undefined;
  });
  return found;
}

/** Whether nginx's `file:line` (the line of the `;`) falls on directive `d`. */
function at(d: Directive, p: Place): boolean {
  return d.file.path === p.file && d.line <= p.line && p.line <= lineOf(d.file, d.end);
}

function hasSimpleDirectiveAt(config: NginxConfig, p: Place): boolean {
  let found = false;
  walk(config.root, (d) => {
    if (!d.block && at(d, p)) found = true;
    return found ? false : undefined;
  });
  return found;
}

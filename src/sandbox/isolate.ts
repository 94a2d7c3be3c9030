// Isolation rewrites shared by the fix verifier (`nginx -t` on a temp copy, src/fix/verify.ts) and
// the tuner's sandbox (a running copy, src/tune/sandbox.ts): the copy must not touch system paths.
// Includes point at the copies, pid/lock_file/error_log/access_log/*_temp_path/*_cache_path go into
// the private dir, `user` is blanked when it cannot be used, relative module and certificate paths
// are made absolute, and certificates not readable here are swapped for a placeholder. Every
// rewrite is an edit on the original text, so line numbers stay put.
//
// The two callers differ on a few points; each keeps its own behaviour through an option (see
// IsolationOptions): what error_log becomes, how access_log is treated, when `user` stays, how an
// unreadable certificate/key pair is swapped, and which conf-relative files are made absolute.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Directive, NginxConfig } from '../nginx/tree.js';
import { encodeLatin1, walk } from '../nginx/tree.js';
import type { NginxBinaryInfo } from '../nginx/binary.js';
import type { Edit } from '../lint/rule.js';
import { quoteIfNeeded } from '../edit/edits.js';
import { applyEditsToText } from '../edit/apply-text.js';
import { PLACEHOLDER_CERT, PLACEHOLDER_KEY } from './placeholder-cert.js';

const TEMP_PATHS: Array<[directive: string, module: string]> = [
  ['client_body_temp_path', ''],
  ['proxy_temp_path', 'http_proxy'],
  ['fastcgi_temp_path', 'http_fastcgi'],
  ['uwsgi_temp_path', 'http_uwsgi'],
  ['scgi_temp_path', 'http_scgi'],
];

/** Paths nginx opens at start relative to the conf dir: made absolute so the copy still finds them. */
export const CONF_RELATIVE_FILES: ReadonlySet<string> = new Set([
  'ssl_certificate', 'ssl_certificate_key', 'ssl_trusted_certificate', 'ssl_client_certificate', 'ssl_dhparam',
  'ssl_password_file', 'ssl_crl', 'ssl_stapling_file', 'ssl_session_ticket_key', 'proxy_ssl_certificate',
  'proxy_ssl_certificate_key', 'proxy_ssl_trusted_certificate', 'proxy_ssl_crl', 'proxy_ssl_password_file',
  'auth_basic_user_file',
]);

const CERT_FILES = new Set(['ssl_certificate', 'proxy_ssl_certificate', 'ssl_trusted_certificate', 'ssl_client_certificate', 'proxy_ssl_trusted_certificate', 'grpc_ssl_certificate']);
const KEY_FILES = new Set(['ssl_certificate_key', 'proxy_ssl_certificate_key', 'grpc_ssl_certificate_key']);

/** The *_temp_path directives whose module this binary has (nginx rejects the others). */
export function tempPathDirectives(info: Pick<NginxBinaryInfo, 'without'>): string[] {
  return TEMP_PATHS.filter(([, m]) => m === '' || !info.without.has(m)).map(([n]) => n);
}

export function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Replaces a directive with blanks (newlines kept): it disappears without moving any line. */
export function blankOut(d: Directive): Edit {
  return { file: d.file.path, start: d.start, end: d.end, text: d.file.text.slice(d.start, d.end).replace(/[^\r\n]/g, ' ') };
}

/** What a caller's own rewrites (IsolationOptions.rewrite) may do. */
export interface IsolationSink {
  /** Adds an edit (the same span twice is kept once). */
  add(e: Edit): void;
  /** Replaces the first argument of `d` with `value`. */
  replaceFirst(d: Directive, value: string): void;
  note(text: string): void;
}

export interface IsolationOptions {
  /** Private directory: pid, lock file, logs/, temp/, cache/, placeholder.crt/.key. */
  dir: string;
  /** Where the copies of the config files live: <root>/<absolute original path>. */
  root: string;
  info: Pick<NginxBinaryInfo, 'prefix' | 'without'>;
  /** What every error_log points at (verify: `stderr`; sandbox: a file in its dir). */
  errorLog: string;
  /**
   * `literal` (verify): only access logs to a literal path move into dir/logs; variable paths are
   * left (nginx -t does not open them). `keep-logging` (sandbox: the log is part of what is
   * measured): variable paths go to access-$pid.log, syslog targets are blanked with a note, and an
   * http block without access_log gets one in dir/logs (nginx's compiled-in default log is on).
   */
  accessLog: 'literal' | 'keep-logging';
  /** Whether a main-context `user <name>` may stay (verify: when root; sandbox: when root and the user exists). */
  keepUser: (name: string) => boolean;
  /**
   * Certificates not readable here. `pair` (verify): when any certificate/key of a block cannot be
   * read, all of that block's certificate/key directives get the placeholder (a readable key with a
   * placeholder certificate would not match). `each` (sandbox): only the unreadable file is swapped.
   */
  certificates: 'pair' | 'each';
  /** Conf-relative file directives made absolute (default CONF_RELATIVE_FILES; the sandbox keeps its shorter list). */
  confRelativeFiles?: ReadonlySet<string>;
  /**
   * Top-level directives count as main context (pid, error_log, user) even in a fragment: the
   * sandbox's behaviour (it only ever gets full configurations); verify looks at the root context.
   */
  topLevelIsMain?: boolean;
  /** Replaced arguments are encoded to the latin1 file text (the sandbox, via replaceArg); verify writes them as they are. */
  latin1Args?: boolean;
  /** Simple directives to blank instead of rewriting (verify steps past failures already known). */
  blank?: (d: Directive) => boolean;
  /** The caller's own rewrites, asked first for each directive; true when it took care of `d`. */
  rewrite?: (d: Directive, sink: IsolationSink) => boolean;
}

export interface Isolation {
  /** Edits on each file of the config. */
  edits: Map<string, Edit[]>;
  /** The main context sets these itself: -g must not repeat them (nginx: "directive is duplicate"). */
  hasPid: boolean;
  hasErrorLog: boolean;
  /** Certificate/key files not readable here, now replaced by the placeholder (absolute, once each). */
  placeholders: string[];
  /** Things left out or changed that the user should know, in config order. */
  notes: string[];
}

/** Plans the isolation edits of `config` (the file system is only asked about readability). */
export function isolationEdits(config: NginxConfig, o: IsolationOptions): Isolation {
  const edits = new Map<string, Edit[]>();
  const notes: string[] = [];
  const placeholders: string[] = [];
  const seen = new Set<string>();
  const add = (e: Edit): void => {
    const k = `${e.file}\0${e.start}\0${e.end}`;
    if (seen.has(k)) return;
    seen.add(k);
    const list = edits.get(e.file) ?? [];
    list.push(e);
    edits.set(e.file, list);
  };
  const replaceFirst = (d: Directive, value: string): void => {
    const a = d.args[0];
    const text = quoteIfNeeded(value);
    if (a) add({ file: d.file.path, start: a.start, end: a.end, text: o.latin1Args ? encodeLatin1(text) : text });
  };
  const sink: IsolationSink = { add, replaceFirst, note: (text) => notes.push(text) };
  const prefix = path.dirname(config.main.path);
  const atMain = (d: Directive): boolean => d.parent === null && (o.topLevelIsMain === true || config.rootContext === 'main');
  const relativeFiles = o.confRelativeFiles ?? CONF_RELATIVE_FILES;
  let hasPid = false;
  let hasErrorLog = false;
  let logs = 0;
  let caches = 0;
  walk(config.root, (d) => {
    const first = d.args[0]?.value ?? '';
    if (o.blank?.(d)) {
      add(blankOut(d));
      return undefined;
    }
    if (o.rewrite?.(d, sink)) return undefined;
    switch (d.name) {
      case 'include':
        if (d.args.length === 1) replaceFirst(d, path.join(o.root, path.resolve(prefix, first)));
        break;
      case 'pid':
        if (atMain(d)) hasPid = true;
        replaceFirst(d, path.join(o.dir, 'nginx.pid'));
        break;
      case 'lock_file':
        replaceFirst(d, path.join(o.dir, 'nginx.lock'));
        break;
      case 'error_log':
        if (atMain(d)) hasErrorLog = true;
        replaceFirst(d, o.errorLog);
        break;
      case 'access_log':
        if (o.accessLog === 'literal') {
          if (first !== 'off' && !first.includes('$')) replaceFirst(d, path.join(o.dir, 'logs', `access-${logs++}.log`));
        } else if (first.startsWith('syslog:')) {
          add(blankOut(d));
          notes.push(`access_log to ${first} is left out in the sandbox (no network logging)`);
        } else if (first !== 'off') {
          replaceFirst(d, path.join(o.dir, 'logs', first.includes('$') ? 'access-$pid.log' : `access-${logs++}.log`));
        }
        break;
      case 'user':
        if (atMain(d) && !o.keepUser(first)) add(blankOut(d));
        break;
      case 'load_module':
        if (first && !path.isAbsolute(first)) replaceFirst(d, path.resolve(o.info.prefix, first));
        break;
      default:
        if (TEMP_PATHS.some(([n]) => n === d.name)) replaceFirst(d, path.join(o.dir, 'temp', d.name));
        // nginx creates cache directories at start (and at -t).
        else if (/_cache_path$/.test(d.name)) replaceFirst(d, path.join(o.dir, 'cache', String(caches++)));
        else if (relativeFiles.has(d.name) && fileArgument(first)) {
          const abs = path.resolve(prefix, first);
          const certOrKey = CERT_FILES.has(d.name) || KEY_FILES.has(d.name);
          // A certificate or key this machine cannot read (another host's, root-only).
          if (certOrKey && (o.certificates === 'pair' ? pairUnreadable(d, prefix) : !readable(abs))) {
            if (!placeholders.includes(abs) && !readable(abs)) placeholders.push(abs);
            replaceFirst(d, path.join(o.dir, CERT_FILES.has(d.name) ? 'placeholder.crt' : 'placeholder.key'));
          } else if (!path.isAbsolute(first)) replaceFirst(d, abs);
        }
    }
    return undefined;
  });
  // Temp dirs (and, when logging is kept, the default access log) for every http block of the main file.
  const temps = tempPathDirectives(o.info);
  for (const d of config.root) {
    if (d.name !== 'http' || !d.block || d.blockStart < 0) continue;
    const own = new Set(d.block.filter((c) => c.parent === d).map((c) => c.name));
    const lines = temps.filter((n) => !own.has(n)).map((n) => ` ${n} ${path.join(o.dir, 'temp', n)};`);
    if (o.accessLog === 'keep-logging' && !own.has('access_log')) lines.push(` access_log ${path.join(o.dir, 'logs', 'access-default.log')};`);
    add({ file: d.file.path, start: d.blockStart + 1, end: d.blockStart + 1, text: lines.join('') });
  }
  return { edits, hasPid, hasErrorLog, placeholders, notes };
}

/** A literal file path (not a variable, inline `data:` or an `engine:` key). */
function fileArgument(value: string): boolean {
  return value !== '' && !value.includes('$') && !value.startsWith('data:') && !value.startsWith('engine:');
}

/** Whether a certificate/key directive or its partners in the same block name a file not readable here. */
function pairUnreadable(d: Directive, prefix: string): boolean {
  const siblings = (d.parent?.block ?? [d]).filter((s) => s.parent === d.parent && (CERT_FILES.has(s.name) || KEY_FILES.has(s.name)));
  return [d, ...siblings].some((s) => {
    const v = s.args[0]?.value ?? '';
    return fileArgument(v) && !readable(path.resolve(prefix, v));
  });
}

/** Creates the private dir's subdirectories and the placeholder certificate and key. */
export function prepareIsolationDir(dir: string): void {
  for (const sub of ['logs', 'temp', 'cache', 'root']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'placeholder.crt'), PLACEHOLDER_CERT);
  fs.writeFileSync(path.join(dir, 'placeholder.key'), PLACEHOLDER_KEY, { mode: 0o600 });
}

/** Where the copy of `file` lives under `root`. */
export function copyPath(root: string, file: string): string {
  return path.join(root, path.resolve(file));
}

/** Writes every file of `config`, with its edits applied, under `root`. */
export function writeCopies(config: NginxConfig, root: string, edits: Map<string, Edit[]>): void {
  for (const [file, sf] of config.files) {
    const dest = copyPath(root, file);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, Buffer.from(applyEditsToText(sf.text, edits.get(file) ?? []), 'latin1'));
  }
}

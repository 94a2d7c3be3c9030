// Reads a configuration: the main file, its includes (globs resolved as nginx does) and `nginx -T`
// dumps split back into their files. All file access goes through a small FileSystem interface
// so tests and dumps use the same code path as the disk.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { newInternCache, parseFile } from './parser.js';
import type { Comment, Diagnostic, Directive, NginxConfig, RootContext, SourceFile } from './tree.js';
import { NodeTable, makeSourceFile } from './tree.js';

export interface FileSystem {
  /** File content as latin1 text, or an error message in nginx's words. */
  read(file: string): { text: string } | { error: string };
  /** Directory entries (names only), or null when it is not a readable directory. */
  list(dir: string): string[] | null;
  /** Canonical path (symlinks resolved), so include cycles through links are caught; default: the path. */
  realpath?(file: string): string;
  /** Whether a regular file exists there (for glob results); default: it lists as no directory and reads. */
  isFile?(file: string): boolean;
}

export interface LoadOptions {
  fs?: FileSystem;
  /** Directory relative includes are resolved against (nginx's prefix); default: the main file's. */
  prefix?: string;
  /** Do not follow includes (parse only the given file). */
  singleFile?: boolean;
  /** Override where the top level sits; default: guessed from the content. */
  rootContext?: RootContext;
  /** Where include targets are read from (path maps, the deployment's copies, stock files); default: as written. */
  includes?: IncludeResolver;
}

/** Where an include's target is read from. */
export type IncludeTarget =
  /** Read this path (the target itself, or the deployment's copy of it; `note` says which). */
  | { kind: 'read'; path: string; note?: string }
  /** One of nginx's stock files (mime.types, fastcgi_params…), supplied by conftune. */
  | { kind: 'stock'; path: string; text: string }
  /** Not read (a path of the host outside the checked tree): a note, not a finding. */
  | { kind: 'skip'; note: string }
  /** Not found anywhere conftune may look: nginx/include-missing, or a note when `note` is set. */
  | { kind: 'missing'; note?: string };

export interface IncludeResolver {
  /**
   * `target` is the include's path resolved against the prefix; for a glob the mapped pattern is
   * returned as `read` (then expanded) and only `read`/`skip` apply.
   */
  resolve(target: string, include: IncludeContext): IncludeTarget;
}

export interface IncludeContext {
  /** The path as written in the include directive. */
  pattern: string;
  glob: boolean;
  /** The file holding the include. */
  from: SourceFile;
  /** The main file is a fragment (no events/http at its top): its prefix, hence relative includes, are unknown. */
  mainIsFragment: boolean;
}

/** Bounds that keep hostile include trees linear (a file including itself twice per level…). */
const MAX_INCLUDE_DEPTH = 64;
const MAX_FILE_INSTANCES = 500_000;

/**
 * A file's bytes, refusing anything but a regular file: opening is non-blocking and the type is
 * checked on the open descriptor, so a FIFO (which would block forever without a writer) or a
 * device never stalls a run. Throws errno-style errors (`ENOTREG` for the refused kinds).
 */
export function readRegularFileSync(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    if (!st.isFile()) throw Object.assign(new Error(`${file}: not a regular file`), { code: 'ENOTREG' });
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export const diskFileSystem: FileSystem = {
  read(file) {
    try {
      return { text: readRegularFileSync(file).toString('latin1') };
    } catch (e) {
      return { error: openError(file, e) };
    }
  },
  list(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return null;
    }
  },
  realpath(file) {
    try {
      return fs.realpathSync.native(file);
    } catch {
      return file;
    }
  },
  isFile(file) {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  },
};

function openError(file: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const errno: Record<string, string> = {
    ENOENT: '2: No such file or directory',
    EACCES: '13: Permission denied',
    EISDIR: '21: Is a directory',
    ENOTDIR: '20: Not a directory',
    ELOOP: '40: Too many levels of symbolic links',
    ENOTREG: 'not a regular file: a FIFO, socket or device is never read',
  };
  const reason = (err && err.code && errno[err.code]) || (err && err.message) || String(e);
  return `open() "${file}" failed (${reason})`;
}

/** A file system over a set of in-memory files (stdin, `nginx -T` dumps, tests). */
export function memoryFileSystem(files: Map<string, string>, fallback?: FileSystem): FileSystem {
  return {
    read(file) {
      const text = files.get(file);
      if (text !== undefined) return { text };
      return fallback ? fallback.read(file) : { error: `open() "${file}" failed (2: No such file or directory)` };
    },
    isFile(file) {
      if (files.has(file)) return true;
      return fallback?.isFile ? fallback.isFile(file) : false;
    },
    list(dir) {
      const prefix = dir.endsWith('/') ? dir : dir + '/';
      const names = new Set<string>();
      for (const p of files.keys()) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        names.add(rest.split('/')[0]!);
      }
      // Overlay: in-memory names plus whatever the fallback (disk) has.
      const more = fallback ? fallback.list(dir) : null;
      if (more) for (const n of more) names.add(n);
      return names.size > 0 || more ? [...names] : null;
    },
  };
}

// ---- nginx -T dumps ---------------------------------------------------------------------------


/** Splits `nginx -T` output into its files; null when the text is not such a dump. */
export function splitNginxDump(text: string): Map<string, string> | null {
  // Cheap test first: a marker must appear within the first lines (only status lines precede it).
  const firstMark = text.slice(0, 4096 + 64).indexOf('# configuration file ');
  if (firstMark === -1) return null;
  const DUMP_MARKER = /^# configuration file (.+):\r?$/gm;
  const first = DUMP_MARKER.exec(text);
  if (!first) return null;
  // Only `nginx: …` status lines may come before the first marker.
  const before = text.slice(0, first.index).split('\n');
  if (!before.every((l) => l.trim() === '' || l.startsWith('nginx: '))) return null;
  const files = new Map<string, string>();
  const marks: Array<{ path: string; bodyStart: number; markStart: number }> = [];
  DUMP_MARKER.lastIndex = 0;
  for (let m = DUMP_MARKER.exec(text); m; m = DUMP_MARKER.exec(text)) {
    const nl = text.indexOf('\n', m.index);
    marks.push({ path: m[1]!, markStart: m.index, bodyStart: nl === -1 ? text.length : nl + 1 });
  }
  for (let i = 0; i < marks.length; i++) {
    const end = i + 1 < marks.length ? marks[i + 1]!.markStart : text.length;
    let body = text.slice(marks[i]!.bodyStart, end);
    // nginx writes one extra newline after each file's content (CRLF only if the whole dump was converted).
    const crlfDump = text.charCodeAt(marks[i]!.bodyStart - 2) === 13;
    if (crlfDump && body.endsWith('\r\n')) body = body.slice(0, -2);
    else if (body.endsWith('\n')) body = body.slice(0, -1);
    if (!files.has(marks[i]!.path)) files.set(marks[i]!.path, body);
  }
  return files;
}

// ---- loading -----------------------------------------------------------------------------------

/** Reads and parses `file` from disk (or `opts.fs`), following includes. */
export function loadConfig(file: string, opts: LoadOptions = {}): NginxConfig {
  const fsys = opts.fs ?? diskFileSystem;
  const abs = path.resolve(file);
  const r = fsys.read(abs);
  if ('error' in r) {
    const main = makeSourceFile(abs, '');
    return emptyConfig(main, [{ file: abs, line: 1, column: 1, start: 0, end: 0, message: r.error, kind: 'include' }]);
  }
  const dump = splitNginxDump(r.text);
  if (dump) return loadDump(dump, opts);
  return loadParsed(makeSourceFile(abs, r.text), { ...opts, fs: fsys });
}

/** Parses text given directly (stdin): a dump is split into its files; includes resolve from `path`'s dir. */
export function loadConfigFromText(file: string, text: string, opts: LoadOptions = {}): NginxConfig {
  const dump = splitNginxDump(text);
  if (dump) return loadDump(dump, opts);
  const abs = path.resolve(file);
  return loadParsed(makeSourceFile(abs, text), opts);
}

function loadDump(files: Map<string, string>, opts: LoadOptions): NginxConfig {
  const mainPath = files.keys().next().value as string;
  // Includes inside a dump resolve against the dump only: the disk may hold other versions.
  const fsys = memoryFileSystem(files);
  // A dump holds every file nginx read, under its real paths: no path mapping applies.
  return loadParsed(makeSourceFile(mainPath, files.get(mainPath)!), { ...opts, fs: fsys, includes: undefined, prefix: path.dirname(mainPath) });
}

function emptyConfig(main: SourceFile, diagnostics: Diagnostic[]): NginxConfig {
  return { main, files: new Map([[main.path, main]]), root: [], rootContext: 'main', diagnostics, comments: new Map() };
}

function loadParsed(main: SourceFile, opts: LoadOptions): NginxConfig {
  const fsys = opts.fs ?? diskFileSystem;
  const prefix = opts.prefix ?? path.dirname(main.path);
  const files = new Map<string, SourceFile>([[main.path, main]]);
  const comments = new Map<string, Comment[]>();
  const diagnostics: Diagnostic[] = [];
  const seenSyntax = new Set<string>();
  const intern = newInternCache();
  const table = new NodeTable(Math.ceil(main.text.length / 40) + 8, Math.ceil(main.text.length / 12) + 16);
  let instances = 0;

  const parseInstance = (file: SourceFile, parent: Directive | null, includedBy: Directive | null): { nodes: Directive[]; hasInclude: boolean } => {
    const res = parseFile(file, parent, includedBy, { intern, table });
    // The same file included twice yields the same syntax errors: report them once.
    for (const d of res.diagnostics) {
      const key = `${d.file}:${d.start}:${d.message}`;
      if (seenSyntax.has(key)) continue;
      seenSyntax.add(key);
      diagnostics.push(d);
    }
    if (!comments.has(file.path)) comments.set(file.path, res.comments);
    return { nodes: res.root, hasInclude: res.hasInclude };
  };

  // One canonical path per path: a snippet included from every location is resolved once.
  const realpaths = new Map<string, string>();
  const canonical = (p: string): string => {
    if (!fsys.realpath) return p;
    let r = realpaths.get(p);
    if (r === undefined) realpaths.set(p, (r = fsys.realpath(p)));
    return r;
  };

  const expand = ({ nodes, hasInclude }: { nodes: Directive[]; hasInclude: boolean }, chain: string[]): Directive[] => {
    if (opts.singleFile || !hasInclude) return nodes;
    return expandIncludes(nodes, (inc) => {
      const out: Directive[] = [];
      if (inc.args.length !== 1) return out; // arity is directive-arguments' business
      const pattern = inc.args[0]!.value;
      let resolved = path.resolve(prefix, pattern);
      const glob = hasGlob(pattern);
      let stock: { text: string } | undefined;
      let missingNote: string | undefined;
      if (opts.includes) {
        const where = opts.includes.resolve(resolved, { pattern, glob, from: inc.file, mainIsFragment });
        if (where.kind === 'skip') {
          diagnostics.push({ ...includeDiag(inc, where.note), kind: 'note' });
          return out;
        }
        if (where.kind === 'read' || where.kind === 'stock') {
          if (where.kind === 'read' && where.note) diagnostics.push({ ...includeDiag(inc, where.note), kind: 'note' });
          resolved = where.path;
          if (where.kind === 'stock') stock = { text: where.text };
        } else missingNote = where.note;
      }
      const targets = glob ? globFiles(fsys, resolved) : [resolved];
      inc.included = [];
      for (const target of targets) {
        const key = canonical(target);
        if (chain.includes(key)) {
          const cycle = [...chain.slice(chain.indexOf(key)), key].map((p) => path.relative(prefix, p) || p).join(' → ');
          diagnostics.push(includeDiag(inc, `include cycle: ${cycle}`));
          continue;
        }
        if (chain.length >= MAX_INCLUDE_DEPTH) {
          diagnostics.push(includeDiag(inc, `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels`));
          continue;
        }
        if (++instances > MAX_FILE_INSTANCES) {
          if (instances === MAX_FILE_INSTANCES + 1) diagnostics.push(includeDiag(inc, `more than ${MAX_FILE_INSTANCES} included files`));
          continue;
        }
        let sf = files.get(target);
        if (!sf) {
          const r = stock ?? fsys.read(target);
          if ('error' in r) {
            diagnostics.push(missingNote ? { ...includeDiag(inc, `${r.error}: ${missingNote}`), kind: 'note' } : includeDiag(inc, r.error));
            continue;
          }
          sf = makeSourceFile(target, r.text);
          if (stock) sf.stock = true;
          files.set(target, sf);
        }
        inc.included.push(sf);
        const nodes2 = parseInstance(sf, inc.parent, inc);
        for (const n of expand(nodes2, [...chain, key])) out.push(n);
      }
      return out;
    });
  };

  const mainParsed = parseInstance(main, null, null);
  const mainIsFragment = opts.includes !== undefined && detectRootContext(mainParsed.nodes) !== 'main';
  const root = expand(mainParsed, [canonical(main.path)]);
  return {
    main,
    files,
    root,
    rootContext: opts.rootContext ?? detectRootContext(root),
    diagnostics,
    comments,
  };
}

function includeDiag(inc: Directive, message: string): Diagnostic {
  const a = inc.args[0] ?? inc;
  return { file: inc.file.path, line: a.line, column: a.column, start: a.start, end: a.end, message, kind: 'include' };
}

/**
 * Returns `nodes` with every `include` followed by what it pulls in, at any depth. Iterative, so
 * 100,000 nested blocks don't overflow the stack.
 */
function expandIncludes(nodes: Directive[], pull: (inc: Directive) => Directive[]): Directive[] {
  if (nodes.length === 0) return nodes;
  const ownFile = nodes[0]!.file;
  const rewrite = (list: Directive[]): Directive[] => {
    if (!list.some((d) => d.name === 'include')) return list;
    const out: Directive[] = [];
    for (const d of list) {
      out.push(d);
      if (d.name === 'include') for (const n of pull(d)) out.push(n);
    }
    return out;
  };
  const top = rewrite(nodes);
  // Pulled-in nodes were expanded by their own call; only walk this file's blocks.
  const stack: Directive[] = [];
  for (const d of top) if (d.block && d.file === ownFile) stack.push(d);
  while (stack.length > 0) {
    const d = stack.pop()!;
    d.block = rewrite(d.block!);
    for (const c of d.block) if (c.block && c.file === ownFile) stack.push(c);
  }
  return top;
}

// ---- globs ------------------------------------------------------------------------------------

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** Files matching a glob, as glob(3) does for nginx: sorted, `*` and `?` don't match a leading dot. */
export function globFiles(fsys: FileSystem, pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]!];
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i]!;
    if (seg === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasGlob(seg)) {
        next.push(path.join(base, seg));
        continue;
      }
      const entries = fsys.list(base);
      if (!entries) continue;
      const re = globSegmentRegex(seg);
      for (const e of entries) {
        if (e.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(e)) next.push(path.join(base, e));
      }
    }
    bases = next;
  }
  // A literal last segment might not exist; only keep readable files (glob(3) checks existence).
  const exists = fsys.isFile ? (p: string) => fsys.isFile!(p) : (p: string) => fsys.list(p) === null && !('error' in fsys.read(p));
  const out = bases.filter(exists);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function globSegmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close === -1) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp('^' + re + '$');
  } catch {
    return /^\0never$/;
  }
}

// ---- fragments ---------------------------------------------------------------------------------

const MAIN_ONLY = new Set(['events', 'http', 'stream', 'mail', 'worker_processes', 'user', 'pid', 'worker_rlimit_nofile', 'load_module', 'daemon', 'master_process', 'env', 'worker_cpu_affinity', 'thread_pool', 'pcre_jit', 'lock_file', 'worker_priority', 'working_directory']);
const HTTP_LEVEL = new Set(['server', 'upstream', 'map', 'geo', 'split_clients', 'log_format', 'limit_req_zone', 'limit_conn_zone', 'proxy_cache_path', 'fastcgi_cache_path', 'types', 'variables_hash_max_size', 'server_names_hash_bucket_size']);
const SERVER_LEVEL = new Set(['location', 'listen', 'server_name', 'ssl_certificate', 'ssl_certificate_key']);
const LOCATION_LEVEL = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'grpc_pass', 'alias', 'limit_except', 'proxy_redirect']);

/** Where a file's top level sits: a full nginx.conf, or a fragment meant to be included in http/server/location. */
export function detectRootContext(root: Directive[]): RootContext {
  let http = false;
  let server = false;
  let location = false;
  for (const d of root) {
    if (MAIN_ONLY.has(d.name)) return 'main';
    if (HTTP_LEVEL.has(d.name)) http = true;
    else if (SERVER_LEVEL.has(d.name)) server = true;
    else if (LOCATION_LEVEL.has(d.name)) location = true;
  }
  if (http) return 'http';
  if (server) return 'server';
  if (location) return 'location';
  return root.length === 0 ? 'main' : 'http';
}

// ---- crossplane interop ------------------------------------------------------------------------

export interface CrossplaneDirective {
  directive: string;
  line: number;
  args: string[];
  includes?: number[];
  block?: CrossplaneDirective[];
  comment?: string;
}

export interface CrossplanePayload {
  status: 'ok' | 'failed';
  errors: Array<{ file: string; error: string; line: number }>;
  config: Array<{ file: string; status: 'ok' | 'failed'; errors: Array<{ error: string; line: number }>; parsed: CrossplaneDirective[] }>;
}

/**
 * The configuration in crossplane's JSON shape (`crossplane parse`): one entry per file read, each
 * with its own directives (not expanded) and `includes` pointing at entries by index. Values are
 * nginx's (unescaped), which is where this differs from crossplane (see docs/parser.md).
 */
export function crossplanePayload(config: NginxConfig, relativeTo?: string): CrossplanePayload {
  const order: string[] = [];
  const index = new Map<string, number>();
  const fileIndex = (p: string): number => {
    let i = index.get(p);
    if (i === undefined) {
      i = order.length;
      index.set(p, i);
      order.push(p);
    }
    return i;
  };
  const parsedByFile = new Map<string, CrossplaneDirective[]>();
  // Breadth-first over files, as crossplane does: a file's includes are listed after it.
  const queue: Array<{ file: string; nodes: Directive[]; via: Directive | null }> = [{ file: config.main.path, nodes: config.root, via: null }];
  fileIndex(config.main.path);
  while (queue.length > 0) {
    const { file, nodes, via } = queue.shift()!;
    if (parsedByFile.has(file)) continue;
    const convert = (list: Directive[]): CrossplaneDirective[] => {
      const out: CrossplaneDirective[] = [];
      for (const d of list) {
        if (d.file.path !== file || d.includedBy !== via) continue;
        const x: CrossplaneDirective = { directive: d.name, line: d.line, args: d.args.map((a) => a.value) };
        if (d.name === 'include' && d.included) {
          x.includes = [];
          for (const sf of d.included) {
            x.includes.push(fileIndex(sf.path));
            queue.push({ file: sf.path, nodes: d.parent?.block ?? config.root, via: d });
          }
        }
        if (d.block) x.block = convert(d.block);
        out.push(x);
      }
      return out;
    };
    parsedByFile.set(file, convert(nodes));
  }
  const name = (p: string): string => (relativeTo ? path.relative(relativeTo, p) || p : p);
  const errors: CrossplanePayload['errors'] = [];
  const byFile = new Map<string, Array<{ error: string; line: number }>>();
  for (const d of config.diagnostics) {
    const e = { error: `${d.message} in ${name(d.file)}:${d.line}`, line: d.line };
    errors.push({ file: name(d.file), ...e });
    if (!byFile.has(d.file)) byFile.set(d.file, []);
    byFile.get(d.file)!.push(e);
  }
  return {
    status: errors.length ? 'failed' : 'ok',
    errors,
    config: order.map((p) => {
      const errs = byFile.get(p) ?? [];
      return { file: name(p), status: errs.length ? 'failed' : 'ok', errors: errs, parsed: parsedByFile.get(p) ?? [] };
    }),
  };
}

// Readers for the places gunicorn is launched from: systemd units (+ socket units), Procfiles,
// Dockerfiles, docker-compose files, supervisord programs and shell scripts. Each reader returns
// the gunicorn command lines it finds, with the environment and working directory around them.

import { createRequire } from 'node:module';
import type { Node as YamlNode, Scalar } from 'yaml';

// The yaml package is only needed for compose files: load it on first use so `conftune check`
// on nginx files starts fast (it is a pre-commit hook).
type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;
function yaml(): YamlModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return yamlModule;
}
const isMap = (n: unknown): n is import('yaml').YAMLMap => yaml().isMap(n);
const isScalar = (n: unknown): n is Scalar => yaml().isScalar(n);
const isSeq = (n: unknown): n is import('yaml').YAMLSeq => yaml().isSeq(n);
import { decodeLatin1, makeSourceFile, positionOf, type SourceFile } from '../nginx/tree.js';
import type { GunicornDiagnostic, Launcher } from './types.js';
import {
  expandWord, lexShell, mapped, referencedVariables, splitCommands, wordDyn, type DynInfo, type ExpandContext, type MappedText, type Word,
} from './shell.js';
import { findGunicorn as findGunicornCommand, findWrapper, stripShellKeywords, type FoundCommand } from './launch.js';
import { listenStreamToBind } from './binds.js';

export type SourceKind = 'conf.py' | 'systemd' | 'socket' | 'procfile' | 'dockerfile' | 'compose' | 'supervisord' | 'shell' | 'text';

export type ReadFile = (path: string) => string | undefined;

/** What every reader may use besides the file: the host's cores and the deployment's other files. */
export interface ReaderContext {
  /** Host cores for `$(nproc)`; null when unknown. */
  cpus: number | null;
  /** Paths of the deployment's files (the inputs), to find a referenced file by name in its folder. */
  folderFiles: string[];
  /** Every file of the deployment already read (path → latin1 text). */
  texts?: Map<string, string>;
  /** Lists a folder's file names (for an EnvironmentFile glob matched in the deployment folder). */
  listDir?: (dir: string) => string[];
}

const NO_CONTEXT: ReaderContext = { cpus: null, folderFiles: [] };

/** gunicorn itself, or an application command known to start gunicorn (`lemur start`). */
function findGunicorn(words: Word[], env: Record<string, string>): FoundCommand | null {
  return findGunicornCommand(words, env) ?? findWrapper(words);
}

/** One environment variable set by a launcher, with where it was set. */
export interface EnvEntry {
  name: string;
  value: string;
  file?: SourceFile;
  start: number;
  end: number;
  /** Source offset of each character of `value`, when known (for GUNICORN_CMD_ARGS words). */
  valueOffsets?: number[];
  /** e.g. `Environment=` or `ENV`. */
  detail: string;
}

export interface Launch {
  file: SourceFile;
  /** Set when an application command starts gunicorn (`lemur start`): its settings are not visible. */
  wrapped?: string;
  /** Variables set to values not known statically, name → why. */
  unknownEnv?: Map<string, DynInfo>;
  /** Set when the environment may hold variables the deployment does not show. */
  openEnv?: { reason: string; file: SourceFile; start: number; end: number };
  launcher: Launcher;
  /** Where in the file: `ExecStart`, `web` (Procfile), `service app` (compose), `program:app`… */
  label: string;
  /** gunicorn's arguments (after the program name). */
  args: Word[];
  /** The whole command (for reports). */
  commandStart: number;
  commandEnd: number;
  env: EnvEntry[];
  /** Working directory (systemd WorkingDirectory, Dockerfile WORKDIR, supervisord directory, `cd`). */
  cwd?: string;
  /** Files read besides `file` (EnvironmentFile…). */
  extraFiles: SourceFile[];
  diagnostics: GunicornDiagnostic[];
  /** systemd: socket units named by `Sockets=` (else `<unit>.socket` is assumed). */
  sockets?: string[];
  /** Container paths (Docker/compose): a config path may only exist inside the image. */
  inContainer?: boolean;
}

export interface SocketUnit {
  file: SourceFile;
  /** `Service=` (else the unit's own basename). */
  service?: string;
  listens: Array<{ bind: string; start: number; end: number }>;
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}

function ioDiagnostic(file: SourceFile, start: number, end: number, message: string): GunicornDiagnostic {
  return { file: file.path, ...positionOf(file, start), start, end, message, kind: 'io' };
}

function noteDiagnostic(file: SourceFile, start: number, end: number, message: string): GunicornDiagnostic {
  return { file: file.path, ...positionOf(file, start), start, end, message, kind: 'note' };
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function globRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
}

/** A file of KEY=VALUE lines (an EnvironmentFile, a .env file). */
export function looksLikeEnvFile(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !/^\s*[#;]/.test(l));
  return lines.length > 0 && lines.every((l) => /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=/.test(l));
}

/**
 * A file a launcher names (EnvironmentFile, env_file, Dockerfile): the path itself, else (the
 * path is where it lives on the server, not in the checked-out folder) the file of the same name
 * in the folder of `from`, a glob matched against the deployment's files there.
 */
export function findReferencedFile(path: string, from: SourceFile, readFile: ReadFile, rc: ReaderContext, accept: (text: string) => boolean = () => true): Array<{ path: string; text: string; byName: boolean }> {
  const glob = /[*?[]/.test(path);
  if (!glob) {
    const t = readFile(path);
    if (t !== undefined) return [{ path, text: t, byName: false }];
  }
  const dir = dirOf(from.path);
  const wanted = baseName(path);
  const out: Array<{ path: string; text: string; byName: boolean }> = [];
  const seen = new Set<string>();
  const consider = (p: string) => {
    if (seen.has(p) || p === from.path) return;
    seen.add(p);
    const t = rc.texts?.get(p) ?? readFile(p);
    if (t !== undefined && accept(t)) out.push({ path: p, text: t, byName: true });
  };
  if (glob) {
    const re = globRegExp(wanted);
    const names = new Set([...rc.folderFiles.filter((f) => dirOf(f) === dir).map(baseName), ...(rc.listDir?.(dir) ?? [])]);
    for (const n of [...names].sort()) if (re.test(n)) consider(`${dir}/${n}`);
  } else if (`${dir}/${wanted}` !== path) consider(`${dir}/${wanted}`);
  return out;
}

/** Words of a command after expansion. */
function expandAll(text: MappedText, mode: 'sh' | 'systemd' | 'shlex', env: Record<string, string>, ctx: ExpandContext = {}): Word[][] {
  const tokens = lexShell(text, mode);
  const cmds = mode === 'sh' ? splitCommands(tokens) : [tokens.flatMap((t) => (t.kind === 'word' ? [t.word] : []))];
  return cmds.map((c) => c.flatMap((w) => expandWord(w, env, mode, ctx)));
}

function envMap(base: Record<string, string>, entries: EnvEntry[]): Record<string, string> {
  const out = { ...base };
  for (const e of entries) out[e.name] = e.value;
  return out;
}

// ---- ini-style files (systemd, supervisord) ---------------------------------------------------

interface IniEntry {
  section: string;
  key: string;
  value: string;
  /** Value with its source offsets (continuation lines joined). */
  mappedValue: MappedText;
  start: number;
  end: number;
}

/**
 * Reads `key=value` lines by section. systemd continues a line ending in `\`; supervisord
 * (ConfigParser) continues with indented lines.
 */
function readIni(file: SourceFile, style: 'systemd' | 'supervisord'): IniEntry[] {
  const out: IniEntry[] = [];
  const text = file.text;
  let section = '';
  const lines = file.lineStarts.map((s, i) => {
    const next = file.lineStarts[i + 1];
    let e = next === undefined ? text.length : next - 1;
    if (e > s && text[e - 1] === '\r') e--;
    return { start: s, end: Math.max(s, e) };
  });
  for (let li = 0; li < lines.length; li++) {
    const { start, end } = lines[li]!;
    const line = text.slice(start, end);
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const sec = /^\s*\[([^\]]*)\]/.exec(line);
    if (sec) {
      section = sec[1]!.trim();
      continue;
    }
    const m = /^(\s*)([^=\s][^=]*?)\s*[=:]\s*/.exec(line);
    if (!m || (style === 'systemd' && !line.slice(m[1]!.length).includes('='))) continue;
    const key = m[2]!.trim();
    const valueStart = start + m[0].length;
    let value = text.slice(valueStart, end);
    const offsets: number[] = [];
    for (let k = 0; k < value.length; k++) offsets.push(valueStart + k);
    let lastEnd = end;
    if (style === 'systemd') {
      while (value.endsWith('\\') && li + 1 < lines.length) {
        value = value.slice(0, -1) + ' ';
        offsets[offsets.length - 1] = lastEnd - 1;
        li++;
        const nl = lines[li]!;
        const cont = text.slice(nl.start, nl.end);
        if (/^\s*[#;]/.test(cont)) continue; // comments inside continuations are skipped
        value += cont;
        for (let k = 0; k < cont.length; k++) offsets.push(nl.start + k);
        lastEnd = nl.end;
      }
    } else {
      // Inline comments need whitespace before `;` in supervisord.
      const c = /\s;/.exec(value);
      if (c) {
        value = value.slice(0, c.index);
        offsets.length = value.length;
      }
      while (li + 1 < lines.length && /^[ \t]+\S/.test(text.slice(lines[li + 1]!.start, lines[li + 1]!.end))) {
        li++;
        const nl = lines[li]!;
        const cont = text.slice(nl.start, nl.end);
        value += '\n' + cont;
        offsets.push(nl.start - 1);
        for (let k = 0; k < cont.length; k++) offsets.push(nl.start + k);
        lastEnd = nl.end;
      }
    }
    offsets.push(lastEnd);
    out.push({ section, key, value, mappedValue: { text: value, offsets }, start: start + m[1]!.length, end: lastEnd });
  }
  return out;
}

// ---- systemd ----------------------------------------------------------------------------------

/** `Environment="A=1" B=2 "C=with space"`. */
function parseSystemdAssignments(v: MappedText, file: SourceFile, detail: string, start: number, end: number): EnvEntry[] {
  const words = expandAll(v, 'shlex', {})[0] ?? [];
  const out: EnvEntry[] = [];
  for (const w of words) {
    const eq = w.value.indexOf('=');
    if (eq <= 0) continue;
    out.push({ name: w.value.slice(0, eq), value: w.value.slice(eq + 1), file, start, end, valueOffsets: w.offsets.slice(eq + 1), detail });
  }
  return out;
}

/** `KEY=value` lines of an EnvironmentFile / .env file. */
export function parseEnvFile(file: SourceFile, detail: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  for (let li = 0; li < file.lineStarts.length; li++) {
    const s = file.lineStarts[li]!;
    const next = file.lineStarts[li + 1];
    const e = next === undefined ? file.text.length : next - 1;
    const line = file.text.slice(s, e).replace(/\r$/, '');
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*/.exec(line);
    if (!m || /^\s*[#;]/.test(line)) continue;
    const raw = line.slice(m[0].length);
    const words = expandAll(mapped(raw, s + m[0].length), 'shlex', {})[0] ?? [];
    const value = words.map((w) => w.value).join(' ');
    out.push({ name: m[1]!, value: decodeLatin1(value), file, start: s, end: s + line.length, valueOffsets: words[0]?.offsets, detail });
  }
  return out;
}

export function readSystemdUnit(file: SourceFile, baseEnv: Record<string, string>, readFile: ReadFile, rc: ReaderContext = NO_CONTEXT): Launch[] {
  const entries = readIni(file, 'systemd').filter((e) => e.section === 'Service');
  const env: EnvEntry[] = [];
  const envFromFiles: EnvEntry[] = [];
  const extraFiles: SourceFile[] = [];
  const diagnostics: GunicornDiagnostic[] = [];
  let cwd: string | undefined;
  let execStart: IniEntry | undefined;
  const sockets: string[] = [];
  let openEnv: Launch['openEnv'];
  for (const e of entries) {
    switch (e.key) {
      case 'Environment':
        if (e.value.trim() === '') env.length = 0;
        else env.push(...parseSystemdAssignments(e.mappedValue, file, 'Environment=', e.start, e.end));
        break;
      case 'EnvironmentFile': {
        const optional = e.value.trim().startsWith('-');
        const path = e.value.trim().replace(/^-/, '');
        const found = findReferencedFile(path, file, readFile, rc, looksLikeEnvFile);
        if (!found.length) {
          if (!optional) diagnostics.push(ioDiagnostic(file, e.start, e.end, `EnvironmentFile ${path} could not be read; its variables are unknown`));
          openEnv ??= { reason: `EnvironmentFile ${path}${optional ? ' (optional)' : ''}, not in the deployment folder`, file, start: e.start, end: e.end };
          break;
        }
        for (const f of found) {
          if (f.byName) diagnostics.push(noteDiagnostic(file, e.start, e.end, `EnvironmentFile ${path}: read ${baseName(f.path)} from the deployment folder (same name)`));
          const envFile = makeSourceFile(f.path, f.text);
          extraFiles.push(envFile);
          envFromFiles.push(...parseEnvFile(envFile, `EnvironmentFile ${path}`));
        }
        break;
      }
      case 'WorkingDirectory': {
        const v = e.value.trim().replace(/^-/, '');
        cwd = v === '~' ? undefined : v;
        break;
      }
      case 'ExecStart':
        execStart = e.value.trim() === '' ? undefined : e;
        break;
      case 'Sockets':
        sockets.push(...e.value.split(/\s+/).filter(Boolean));
        break;
    }
  }
  if (!execStart) return [];
  // Variables from EnvironmentFile= override Environment= (systemd.exec).
  const allEnv = [...env, ...envFromFiles];
  const vars = envMap(baseEnv, allEnv);
  let value = execStart.mappedValue;
  const prefix = /^[-@+!:|]*/.exec(value.text)![0];
  value = { text: value.text.slice(prefix.length), offsets: value.offsets.slice(prefix.length) };
  let words = expandAll(value, 'systemd', vars, { cpus: rc.cpus, ...(openEnv ? { open: openEnv.reason } : {}) })[0] ?? [];
  // `@/usr/bin/gunicorn name …`: the second word is argv[0].
  if (prefix.includes('@') && words.length > 1) words = [words[0]!, ...words.slice(2)];
  const found = findGunicorn(words, vars);
  if (!found) return [];
  return [{
    file,
    launcher: 'systemd',
    label: 'ExecStart',
    args: found.args,
    commandStart: execStart.start,
    commandEnd: execStart.end,
    env: [...allEnv, ...found.env.map((p) => ({ name: p.name, value: p.value, file, start: p.word.start, end: p.word.end, detail: 'ExecStart env' }))],
    ...(cwd ? { cwd } : {}),
    extraFiles,
    diagnostics,
    ...(sockets.length ? { sockets } : {}),
    ...(openEnv ? { openEnv } : {}),
    ...(found.wrapped ? { wrapped: found.wrapped } : {}),
  }];
}

export function readSocketUnit(file: SourceFile): SocketUnit {
  const entries = readIni(file, 'systemd').filter((e) => e.section === 'Socket');
  const listens: SocketUnit['listens'] = [];
  let service: string | undefined;
  for (const e of entries) {
    if (e.key === 'ListenStream') {
      if (e.value.trim() === '') listens.length = 0;
      const bind = listenStreamToBind(e.value);
      if (bind) listens.push({ bind, start: e.start, end: e.end });
    } else if (e.key === 'Service') service = e.value.trim();
  }
  return { file, ...(service ? { service } : {}), listens };
}

// ---- Procfile ---------------------------------------------------------------------------------

export function readProcfile(file: SourceFile, baseEnv: Record<string, string>, rc: ReaderContext = NO_CONTEXT): Launch[] {
  const out: Launch[] = [];
  for (let li = 0; li < file.lineStarts.length; li++) {
    const s = file.lineStarts[li]!;
    const next = file.lineStarts[li + 1];
    const e = next === undefined ? file.text.length : next - 1;
    const line = file.text.slice(s, e).replace(/\r$/, '');
    const m = /^([A-Za-z0-9_-]+):\s*/.exec(line);
    if (!m) continue;
    const cmdText = mapped(line.slice(m[0].length), s + m[0].length);
    for (const words of expandAll(cmdText, 'sh', { ...baseEnv }, { cpus: rc.cpus })) {
      const found = findGunicorn(stripShellKeywords(words), baseEnv);
      if (!found) continue;
      out.push({
        file,
        launcher: 'procfile',
        label: `${m[1]} process`,
        args: found.args,
        commandStart: s,
        commandEnd: s + line.length,
        env: found.env.map((p) => ({ name: p.name, value: p.value, file, start: p.word.start, end: p.word.end, detail: 'command env' })),
        extraFiles: [],
        diagnostics: [],
        ...(found.wrapped ? { wrapped: found.wrapped } : {}),
      });
      break;
    }
  }
  return out;
}

// ---- shell scripts ----------------------------------------------------------------------------

/** Variables a shell has without anyone setting them. */
const SHELL_VARIABLES = new Set(['HOME', 'PATH', 'PWD', 'OLDPWD', 'USER', 'LOGNAME', 'SHELL', 'HOSTNAME', 'UID', 'EUID', 'PPID', 'RANDOM', 'IFS', 'LANG', 'TERM', 'SECONDS', 'LINENO', 'BASH_SOURCE', 'BASH_VERSION', 'FUNCNAME', 'OPTARG', 'OPTIND', 'REPLY', 'PIPESTATUS', 'TMPDIR']);

/** Names a script assigns anywhere (`X=…`, `export X=…`, `read X`, `for X in`, `local X`). */
function assignedInScript(cmds: RawWordLike[][]): Set<string> {
  const out = new Set<string>();
  const lit = (w: RawWordLike) => w.segments.map((seg) => (seg.kind === 'lit' ? seg.text : '\u0000')).join('');
  for (const cmd of cmds) {
    const texts = cmd.map(lit);
    let i = 0;
    while (i < texts.length && ['then', 'do', 'else', 'if', '!', '{', 'exec'].includes(texts[i]!)) i++;
    const first = texts[i];
    if (first === undefined) continue;
    const declare = ['export', 'local', 'declare', 'readonly', 'typeset'].includes(first);
    for (let k = declare ? i + 1 : i; k < texts.length; k++) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(=|$)/.exec(texts[k]!);
      if (!m || (!declare && m[2] !== '=')) break;
      out.add(m[1]!);
    }
    if (first === 'read') for (const t of texts.slice(i + 1)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) out.add(t);
    if ((first === 'for' || first === 'select') && texts[i + 1]) out.add(texts[i + 1]!);
  }
  return out;
}

type RawWordLike = ReturnType<typeof splitCommands>[number][number];

export interface ShellInherit {
  /** The environment the script starts with (the launcher's, e.g. a compose service's). */
  env?: EnvEntry[];
  unknownEnv?: Map<string, DynInfo>;
  openEnv?: Launch['openEnv'];
}

export function readShellScript(file: SourceFile, baseEnv: Record<string, string>, launcher: Launcher = 'shell', rc: ReaderContext = NO_CONTEXT, inherit: ShellInherit = {}): Launch[] {
  const out: Launch[] = [];
  const vars: Record<string, string> = envMap(baseEnv, inherit.env ?? []);
  const unknown = new Map<string, DynInfo>(inherit.unknownEnv ?? []);
  const exported: EnvEntry[] = [...(inherit.env ?? [])];
  let cwd: string | undefined;
  const tokens = lexShell(mapped(file.text, 0), 'sh');
  const commands = splitCommands(tokens);
  // A script that reads variables nobody in it sets gets them from where it is started (a
  // container's environment, a unit's): other variables may come from there too.
  let openEnv = inherit.openEnv;
  if (!openEnv) {
    const assigned = assignedInScript(commands);
    const outside = referencedVariables(tokens).find((r) => !assigned.has(r.name) && vars[r.name] === undefined && !unknown.has(r.name) && !SHELL_VARIABLES.has(r.name));
    if (outside) openEnv = { reason: `the environment ${baseName(file.path)} runs in`, file, start: outside.start, end: outside.start + outside.name.length + 1 };
  }
  const ctx: ExpandContext = { cpus: rc.cpus, unknown, ...(openEnv ? { open: openEnv.reason } : {}) };
  for (const raw of commands) {
    const words = stripShellKeywords(raw.flatMap((w) => expandWord(w, vars, 'sh', ctx)));
    if (!words.length) continue;
    const first = words[0]!.value;
    if (first === 'export' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(first) && words.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value))) {
      for (const w of first === 'export' ? words.slice(1) : words) {
        const eq = w.value.indexOf('=');
        if (eq <= 0) continue;
        const name = w.value.slice(0, eq);
        const value = w.value.slice(eq + 1);
        const d = wordDyn(w);
        if (d) {
          // `N=$(nproc)`: the value is not known here; uses of $N are dynamic for the same reason.
          unknown.set(name, { ...d, reason: `${name}=${file.text.slice(w.offsets[eq + 1] ?? w.start, w.end).replace(/^"|"$/g, '')} (${baseName(file.path)}:${positionOf(file, w.start).line}): ${d.reason}` });
          delete vars[name];
          continue;
        }
        unknown.delete(name);
        vars[name] = value;
        if (first === 'export' || exported.some((x) => x.name === name)) {
          exported.push({ name, value, file, start: w.start, end: w.end, valueOffsets: w.offsets.slice(eq + 1), detail: 'export' });
        }
      }
      continue;
    }
    if (first === 'cd' && words[1]) {
      const dir = words[1].value;
      cwd = dir.startsWith('/') || !cwd ? dir : `${cwd}/${dir}`;
      continue;
    }
    const found = findGunicorn(words, vars);
    if (!found) continue;
    out.push({
      file,
      launcher,
      label: 'command',
      args: found.args,
      commandStart: words[0]!.start,
      commandEnd: words[words.length - 1]!.end,
      env: [...exported, ...found.env.map((p) => ({ name: p.name, value: p.value, file, start: p.word.start, end: p.word.end, detail: 'command env' }))],
      ...(cwd ? { cwd } : {}),
      extraFiles: [],
      diagnostics: [],
      ...(unknown.size ? { unknownEnv: new Map(unknown) } : {}),
      ...(openEnv ? { openEnv } : {}),
      ...(found.wrapped ? { wrapped: found.wrapped } : {}),
    });
  }
  return out;
}

// ---- Dockerfile -------------------------------------------------------------------------------

interface DockerInstruction {
  keyword: string;
  args: MappedText;
  start: number;
  end: number;
}

function dockerInstructions(file: SourceFile): DockerInstruction[] {
  const text = file.text;
  const out: DockerInstruction[] = [];
  const escapeChar = /^#\s*escape\s*=\s*`/im.test(text.split('\n').slice(0, 5).join('\n')) ? '`' : '\\';
  let li = 0;
  const lineAt = (k: number) => {
    const s = file.lineStarts[k]!;
    const next = file.lineStarts[k + 1];
    let e = next === undefined ? text.length : next - 1;
    if (e > s && text[e - 1] === '\r') e--;
    return { s, e: Math.max(s, e) };
  };
  while (li < file.lineStarts.length) {
    const { s, e } = lineAt(li);
    const line = text.slice(s, e);
    li++;
    const m = /^\s*([A-Za-z]+)(\s+|$)/.exec(line);
    if (!m || /^\s*#/.test(line)) continue;
    let value = line.slice(m[0].length);
    const offsets: number[] = [];
    for (let k = 0; k < value.length; k++) offsets.push(s + m[0].length + k);
    let end = e;
    while (value.trimEnd().endsWith(escapeChar) && li < file.lineStarts.length) {
      const cut = value.trimEnd().length - 1;
      value = value.slice(0, cut);
      offsets.length = cut;
      // Comment lines inside a continued instruction are dropped by Docker.
      while (li < file.lineStarts.length && /^\s*#/.test(text.slice(lineAt(li).s, lineAt(li).e))) li++;
      if (li >= file.lineStarts.length) break;
      const nl = lineAt(li);
      li++;
      const cont = text.slice(nl.s, nl.e);
      value += ' ' + cont;
      offsets.push(nl.s - 1);
      for (let k = 0; k < cont.length; k++) offsets.push(nl.s + k);
      end = nl.e;
    }
    offsets.push(end);
    out.push({ keyword: m[1]!.toUpperCase(), args: { text: value, offsets }, start: s + line.length - line.trimStart().length, end });
  }
  return out;
}

/** A JSON array of strings (`["gunicorn", "-w", "4"]`) with the offsets of each string's content. */
export function parseJsonStringArray(v: MappedText): Word[] | null {
  const t = v.text;
  let i = 0;
  const ws = () => {
    while (i < t.length && /\s/.test(t[i]!)) i++;
  };
  ws();
  if (t[i] !== '[') return null;
  i++;
  const out: Word[] = [];
  ws();
  if (t[i] === ']') return /^\s*$/.test(t.slice(i + 1)) ? out : null;
  for (;;) {
    ws();
    if (t[i] !== '"') return null;
    const start = i;
    i++;
    let value = '';
    const offs: number[] = [];
    while (i < t.length && t[i] !== '"') {
      if (t[i] === '\\') {
        const n = t[i + 1];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"' };
        if (n === 'u') {
          value += String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16));
          offs.push(v.offsets[i]!);
          i += 6;
          continue;
        }
        if (n === undefined || !(n in map)) return null;
        value += map[n];
        offs.push(v.offsets[i]!);
        i += 2;
        continue;
      }
      value += t[i];
      offs.push(v.offsets[i]!);
      i++;
    }
    if (t[i] !== '"') return null;
    i++;
    offs.push(v.offsets[i - 1]!);
    out.push({ value: decodeLatin1(value), start: v.offsets[start]!, end: v.offsets[i]!, offsets: offs });
    ws();
    if (t[i] === ',') {
      i++;
      continue;
    }
    if (t[i] === ']') {
      i++;
      ws();
      return i >= t.length ? out : null;
    }
    return null;
  }
}

/** `ENV A=b C="d e"` or the legacy `ENV A b c`. A value built from an unknown variable is `dynamic`. */
function dockerEnv(ins: DockerInstruction, file: SourceFile, vars: Record<string, string>, unknown: Map<string, DynInfo> = new Map()): Array<EnvEntry & { dynamic?: DynInfo }> {
  const t = ins.args.text;
  if (!/^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+/.exec(t);
    if (!m) return [];
    const rest = t.slice(m[0].length).trimEnd();
    return [{ name: m[1]!, value: rest, file, start: ins.start, end: ins.end, valueOffsets: ins.args.offsets.slice(m[0].length), detail: 'ENV' }];
  }
  const words = expandAll(ins.args, 'systemd', vars, { unknown })[0] ?? [];
  return words.flatMap((w) => {
    const eq = w.value.indexOf('=');
    if (eq <= 0) return [];
    const d = wordDyn(w);
    return [{ name: w.value.slice(0, eq), value: w.value.slice(eq + 1), file, start: ins.start, end: ins.end, valueOffsets: w.offsets.slice(eq + 1), detail: 'ENV', ...(d ? { dynamic: d } : {}) }];
  });
}

interface DockerStage {
  name?: string;
  /** Index of the stage it is built FROM, when that is an earlier stage. */
  base?: number;
  env: EnvEntry[];
  unknown: Map<string, DynInfo>;
  /** Build arguments (`ARG X=1`): usable in later instructions, not in the container. */
  args: Record<string, string>;
  cwd?: string;
  cmd?: { ins: DockerInstruction; exec: Word[] | null };
  entrypoint?: { ins: DockerInstruction; exec: Word[] | null };
}

/** The stages of a Dockerfile; each `FROM <earlier stage>` starts from that stage's ENV, WORKDIR, CMD. */
function dockerStages(file: SourceFile, baseEnv: Record<string, string>): DockerStage[] {
  const stages: DockerStage[] = [];
  const globalArgs: Record<string, string> = {};
  let cur: DockerStage | undefined;
  for (const ins of dockerInstructions(file)) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.text.trim().split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = (words[0] ?? '').toLowerCase();
      const name = words[1]?.toLowerCase() === 'as' ? words[2]?.toLowerCase() : undefined;
      const base = stages.findIndex((st) => st.name !== undefined && st.name === image);
      const from = base === -1 ? undefined : stages[base]!;
      cur = {
        ...(name ? { name } : {}),
        ...(from ? { base } : {}),
        env: [...(from?.env ?? [])],
        unknown: new Map(from?.unknown ?? []),
        args: {},
        ...(from?.cwd ? { cwd: from.cwd } : {}),
        ...(from?.cmd ? { cmd: from.cmd } : {}),
        ...(from?.entrypoint ? { entrypoint: from.entrypoint } : {}),
      };
      stages.push(cur);
      continue;
    }
    if (ins.keyword === 'ARG') {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.args.text.trim());
      if (!m) continue;
      const value = m[2] !== undefined ? m[2].replace(/^"(.*)"$|^'(.*)'$/, '$1$2') : (cur ? globalArgs[m[1]!] : undefined);
      const target = cur ? cur.args : globalArgs;
      if (value !== undefined) target[m[1]!] = value;
      else if (cur) cur.unknown.set(m[1]!, { reason: `build argument ${m[1]} (ARG, no default)` });
      continue;
    }
    if (!cur) continue;
    const vars = { ...envMap(baseEnv, cur.env), ...cur.args };
    switch (ins.keyword) {
      case 'ENV':
        for (const e of dockerEnv(ins, file, vars, cur.unknown)) {
          const i = cur.env.findIndex((x) => x.name === e.name);
          if (i !== -1) cur.env.splice(i, 1);
          if (e.dynamic) cur.unknown.set(e.name, e.dynamic);
          else {
            cur.unknown.delete(e.name);
            cur.env.push(e);
          }
        }
        break;
      case 'WORKDIR': {
        const dir = expandAll(ins.args, 'systemd', vars)[0]?.[0]?.value ?? ins.args.text.trim();
        cur.cwd = dir.startsWith('/') || !cur.cwd ? dir : `${cur.cwd}/${dir}`;
        break;
      }
      case 'CMD':
        cur.cmd = { ins, exec: parseJsonStringArray(ins.args) };
        break;
      case 'ENTRYPOINT':
        cur.entrypoint = { ins, exec: parseJsonStringArray(ins.args) };
        delete cur.cmd; // ENTRYPOINT resets an inherited CMD
        break;
    }
  }
  return stages;
}

/** The image a Dockerfile builds (its last stage, or `target`): the environment its containers start with. */
export function dockerImage(file: SourceFile, baseEnv: Record<string, string>, target?: string): { env: EnvEntry[]; unknown: Map<string, DynInfo>; cwd?: string } | undefined {
  const stages = dockerStages(file, baseEnv);
  const st = target ? stages.find((x) => x.name === target.toLowerCase()) : stages[stages.length - 1];
  if (!st) return undefined;
  return { env: st.env, unknown: st.unknown, ...(st.cwd ? { cwd: st.cwd } : {}) };
}

export function readDockerfile(file: SourceFile, baseEnv: Record<string, string>, rc: ReaderContext = NO_CONTEXT): Launch[] {
  const stages = dockerStages(file, baseEnv);
  // `docker build` runs the last stage; when that one does not start gunicorn, a stage no other
  // stage builds on is a `--target` of its own (a `production` next to a `dev`).
  const leaves = stages.map((_, i) => i).filter((i) => i === stages.length - 1 || !stages.some((x) => x.base === i)).reverse();
  for (const index of leaves) {
    const st = stages[index]!;
    const launch = stageLaunch(file, st, baseEnv, rc, index === stages.length - 1 ? undefined : st.name);
    if (launch) return [launch];
  }
  return [];
}

function stageLaunch(file: SourceFile, st: DockerStage, baseEnv: Record<string, string>, rc: ReaderContext, target: string | undefined): Launch | undefined {
  const { env, cmd, entrypoint, cwd } = st;
  const vars = envMap(baseEnv, env);
  const ctx: ExpandContext = { cpus: rc.cpus, unknown: st.unknown };
  const asWords = (x: { ins: DockerInstruction; exec: Word[] | null }): Word[][] => (x.exec ? [x.exec] : expandAll(x.ins.args, 'sh', { ...vars }, ctx));
  const candidates: Array<{ words: Word[]; ins: DockerInstruction }> = [];
  if (entrypoint) {
    // Exec-form ENTRYPOINT takes CMD as extra arguments; shell form ignores CMD.
    if (entrypoint.exec) candidates.push({ words: [...entrypoint.exec, ...(cmd?.exec ?? (cmd ? asWords(cmd).flat() : []))], ins: entrypoint.ins });
    else for (const w of asWords(entrypoint)) candidates.push({ words: w, ins: entrypoint.ins });
    // A wrapper script as ENTRYPOINT that finally runs its arguments: look at CMD too.
    if (cmd) for (const w of asWords(cmd)) candidates.push({ words: w, ins: cmd.ins });
  } else if (cmd) for (const w of asWords(cmd)) candidates.push({ words: w, ins: cmd.ins });
  for (const c of candidates) {
    const found = findGunicorn(stripShellKeywords(c.words), vars);
    if (!found) continue;
    return {
      file,
      launcher: 'docker',
      label: target ? `${c.ins.keyword} (stage ${target})` : c.ins.keyword,
      args: found.args,
      commandStart: c.ins.start,
      commandEnd: c.ins.end,
      env: [...env, ...found.env.map((p) => ({ name: p.name, value: p.value, file, start: p.word.start, end: p.word.end, detail: `${c.ins.keyword} env` }))],
      ...(cwd ? { cwd } : {}),
      extraFiles: [],
      diagnostics: [],
      inContainer: true,
      ...(st.unknown.size ? { unknownEnv: new Map(st.unknown) } : {}),
      ...(found.wrapped ? { wrapped: found.wrapped } : {}),
    };
  }
  return undefined;
}

// ---- docker-compose ---------------------------------------------------------------------------

/** A YAML scalar's value with offsets: exact for plain and simple quoted scalars, else its start. */
function scalarText(node: Scalar, file: SourceFile): MappedText {
  const value = String(node.value ?? '');
  const [s, e] = node.range ?? [0, 0];
  const src = file.text.slice(s, e);
  let base = -1;
  if (src === value) base = s;
  else if ((src.startsWith('"') || src.startsWith("'")) && src.slice(1, -1) === value) base = s + 1;
  const offsets: number[] = [];
  for (let k = 0; k <= value.length; k++) offsets.push(base === -1 ? s : base + k);
  return { text: value, offsets };
}

/** Compose interpolation: `$VAR`, `${VAR}`, `${VAR:-default}` from the environment; `$$` is `$`. */
function composeInterpolate(v: MappedText, env: Record<string, string>): { text: MappedText; dynamic?: string; names?: string[] } {
  let text = '';
  const offsets: number[] = [];
  let dynamic: string | undefined;
  const names: string[] = [];
  const t = v.text;
  for (let i = 0; i < t.length; ) {
    if (t[i] === '$' && t[i + 1] === '$') {
      text += '$';
      offsets.push(v.offsets[i]!);
      i += 2;
      continue;
    }
    const m = t[i] === '$' ? /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(t.slice(i)) : null;
    if (!m) {
      text += t[i];
      offsets.push(v.offsets[i]!);
      i++;
      continue;
    }
    const name = m[1] ?? m[4]!;
    let val: string | undefined = env[name];
    if (m[2] && (val === undefined || (m[2] === ':-' && val === ''))) val = m[2].endsWith('-') ? m[3] ?? '' : undefined;
    if (val === undefined) {
      dynamic ??= `\${${name}} is not known`;
      names.push(name);
      val = m[0];
    }
    text += val;
    for (let k = 0; k < val.length; k++) offsets.push(v.offsets[i]!);
    i += m[0].length;
  }
  offsets.push(v.offsets[t.length] ?? v.offsets[v.offsets.length - 1]!);
  return { text: { text, offsets }, ...(dynamic ? { dynamic, names } : {}) };
}

function composeCommandWords(node: YamlNode | null | undefined, file: SourceFile, env: Record<string, string>): Word[] | null {
  if (!node) return null;
  if (isScalar(node)) {
    if (node.value === null) return null;
    const { text, dynamic, names } = composeInterpolate(scalarText(node, file), env);
    const words = expandAll(text, 'shlex', {})[0] ?? [];
    return dynamic ? words.map((w) => (w.value.includes('$') ? { ...w, dynamic, envVars: names ?? [] } : w)) : words;
  }
  if (isSeq(node)) {
    const out: Word[] = [];
    for (const item of node.items) {
      if (!isScalar(item)) return null;
      const { text, dynamic, names } = composeInterpolate(scalarText(item, file), env);
      const [s, e] = item.range ?? [0, 0];
      out.push({ value: decodeLatin1(text.text), start: s, end: e, offsets: text.offsets, ...(dynamic ? { dynamic, envVars: names ?? [] } : {}) });
    }
    return out;
  }
  return null;
}

function composeEnv(node: YamlNode | null | undefined, file: SourceFile, env: Record<string, string>, unknown: Map<string, DynInfo>): EnvEntry[] {
  const out: EnvEntry[] = [];
  if (!node) return out;
  const passThrough = (name: string, s: number, e: number) => {
    // `KEY` with no value passes the variable through from where compose runs.
    const pass = env[name];
    if (pass !== undefined) out.push({ name, value: pass, file, start: s, end: e, detail: 'environment (from host)' });
    else unknown.set(name, { reason: `passed through from the environment docker compose runs in (${baseName(file.path)}:${positionOf(file, s).line})`, env: [name] });
  };
  const set = (name: string, value: MappedText, s: number, e: number) => {
    const { text, dynamic, names } = composeInterpolate(value, env);
    if (dynamic) {
      unknown.set(name, { reason: `set from ${value.text} (${baseName(file.path)}:${positionOf(file, s).line}), which is not known`, env: names ?? [] });
      return;
    }
    unknown.delete(name);
    out.push({ name, value: decodeLatin1(text.text), file, start: s, end: e, valueOffsets: text.offsets, detail: 'environment' });
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key as YamlNode;
      const v = pair.value as YamlNode | null;
      if (!isScalar(k)) continue;
      const [s] = k.range ?? [0];
      const e = (v && v.range ? v.range[1] : k.range?.[1]) ?? s;
      if (v === null || (isScalar(v) && v.value === null)) {
        passThrough(String(k.value), s, e);
        continue;
      }
      if (!isScalar(v)) continue;
      set(String(k.value), scalarText(v, file), s, e);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      if (!isScalar(item)) continue;
      const raw = scalarText(item, file);
      const eq = raw.text.indexOf('=');
      const [s, e] = item.range ?? [0, 0];
      if (eq <= 0) {
        passThrough(raw.text, s, e);
        continue;
      }
      set(raw.text.slice(0, eq), { text: raw.text.slice(eq + 1), offsets: raw.offsets.slice(eq + 1) }, s, e);
    }
  }
  return out;
}

/** The Dockerfile a service is built from (`build:`), when it is in the deployment. */
function composeBuild(svc: import('yaml').YAMLMap, file: SourceFile, readFile: ReadFile, rc: ReaderContext): { file: SourceFile; target?: string; byName: boolean; start: number; end: number } | undefined {
  const build = svc.get('build', true) as YamlNode | undefined;
  if (!build) return undefined;
  let context = '.';
  let dockerfile = 'Dockerfile';
  let target: string | undefined;
  if (isScalar(build)) context = String(build.value ?? '.');
  else if (isMap(build)) {
    const c = build.get('context');
    const d = build.get('dockerfile');
    const t = build.get('target');
    if (typeof c === 'string') context = c;
    if (typeof d === 'string') dockerfile = d;
    if (typeof t === 'string') target = t;
  } else return undefined;
  const dir = dirOf(file.path);
  const rel = dockerfile.startsWith('/') ? dockerfile : `${context.replace(/\/$/, '')}/${dockerfile}`.replace(/^\.\//, '');
  const path = rel.startsWith('/') ? rel : `${dir}/${rel}`.replace(/\/\.\//g, '/');
  // Only a Dockerfile with a name of its own is looked up by name in the folder: several services
  // each built from their own directory's `Dockerfile` would all find the same one.
  const found = baseName(dockerfile) === 'Dockerfile' && context !== '.' && context !== './'
    ? (readFile(path) !== undefined ? [{ path, text: readFile(path)!, byName: false }] : [])
    : findReferencedFile(path, file, readFile, rc);
  const hit = found[0];
  if (!hit) return undefined;
  const [s, e] = build.range ?? [0, 0];
  return { file: makeSourceFile(hit.path, hit.text), ...(target ? { target } : {}), byName: hit.byName, start: s, end: e };
}

export function readComposeFile(file: SourceFile, baseEnv: Record<string, string>, readFile: ReadFile, rc: ReaderContext = NO_CONTEXT): Launch[] {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(file.text, { lineCounter, keepSourceTokens: false, prettyErrors: false });
  const out: Launch[] = [];
  const services = doc.get('services', true) as YamlNode | undefined;
  if (!services || !isMap(services)) return out;
  // Compose interpolates `${VAR}` from the shell, then from the `.env` file next to the compose file.
  const dotEnvPath = `${dirOf(file.path)}/.env`;
  const dotEnvText = rc.texts?.get(dotEnvPath) ?? readFile(dotEnvPath);
  const dotEnv = dotEnvText !== undefined ? makeSourceFile(dotEnvPath, dotEnvText) : undefined;
  const interpolation: Record<string, string> = { ...envMap({}, dotEnv ? parseEnvFile(dotEnv, '.env') : []), ...baseEnv };
  for (const pair of services.items) {
    const nameNode = pair.key as YamlNode;
    const svc = pair.value as YamlNode;
    if (!isScalar(nameNode) || !isMap(svc)) continue;
    const name = String(nameNode.value);
    const diagnostics: GunicornDiagnostic[] = [];
    const extraFiles: SourceFile[] = [];
    const unknown = new Map<string, DynInfo>();
    let openEnv: Launch['openEnv'];
    let cwd: string | undefined;
    const env: EnvEntry[] = [];
    // The image's own ENV comes first (when it is built from a Dockerfile in the deployment).
    const built = composeBuild(svc, file, readFile, rc);
    if (built) {
      const image = dockerImage(built.file, baseEnv, built.target);
      if (image) {
        env.push(...image.env);
        for (const [k, v] of image.unknown) unknown.set(k, v);
        if (image.cwd) cwd = image.cwd;
        extraFiles.push(built.file);
        if (built.byName) diagnostics.push(noteDiagnostic(file, built.start, built.end, `service ${name} is built from ${baseName(built.file.path)}: read it from the deployment folder (same name)`));
      }
    }
    const envFiles = svc.get('env_file', true) as YamlNode | undefined;
    const envFileList = envFiles ? (isSeq(envFiles) ? envFiles.items : [envFiles]) : [];
    for (const ef of envFileList) {
      const pathNode = isMap(ef) ? (ef.get('path', true) as YamlNode | undefined) : ef;
      if (!pathNode || !isScalar(pathNode)) continue;
      const rel = String(pathNode.value);
      const path = rel.startsWith('/') ? rel : `${dirOf(file.path)}/${rel.replace(/^\.\//, '')}`;
      const text = rc.texts?.get(path) ?? readFile(path);
      const [s, e] = pathNode.range ?? [0, 0];
      if (text === undefined) {
        const required = isMap(ef) ? (ef.get('required') as unknown) !== false : true;
        if (required) diagnostics.push(ioDiagnostic(file, s, e, `env_file ${rel} could not be read; its variables are unknown`));
        openEnv ??= { reason: `env_file ${rel}, which is not in the deployment folder`, file, start: s, end: e };
        continue;
      }
      const envFile = makeSourceFile(path, text);
      extraFiles.push(envFile);
      for (const entry of parseEnvFile(envFile, `env_file ${rel}`)) {
        const i = env.findIndex((x) => x.name === entry.name);
        if (i !== -1) env.splice(i, 1);
        unknown.delete(entry.name);
        env.push(entry);
      }
    }
    for (const entry of composeEnv(svc.get('environment', true) as YamlNode | undefined, file, interpolation, unknown)) {
      const i = env.findIndex((x) => x.name === entry.name);
      if (i !== -1) env.splice(i, 1);
      env.push(entry);
    }
    for (const e of env) unknown.delete(e.name);
    const vars = envMap(baseEnv, env);
    const entry = composeCommandWords(svc.get('entrypoint', true) as YamlNode | undefined, file, interpolation);
    const command = composeCommandWords(svc.get('command', true) as YamlNode | undefined, file, interpolation);
    const words = [...(entry ?? []), ...(command ?? [])];
    const found = findGunicorn(words, vars) ?? (command ? findGunicorn(command, vars) : null);
    if (!found) continue;
    const wd = svc.get('working_dir');
    const cmdNode = (svc.get('command', true) ?? svc.get('entrypoint', true)) as YamlNode;
    const [cs, ce] = cmdNode.range ?? [0, 0];
    if (typeof wd === 'string') cwd = wd;
    out.push({
      file,
      launcher: 'compose',
      label: `service ${name}`,
      args: found.args,
      commandStart: cs,
      commandEnd: ce,
      env: [...env, ...found.env.map((p) => ({ name: p.name, value: p.value, file, start: p.word.start, end: p.word.end, detail: 'command env' }))],
      ...(cwd ? { cwd } : {}),
      extraFiles,
      diagnostics,
      inContainer: true,
      ...(unknown.size ? { unknownEnv: unknown } : {}),
      ...(openEnv ? { openEnv } : {}),
      ...(found.wrapped ? { wrapped: found.wrapped } : {}),
    });
  }
  return out;
}

// ---- supervisord ------------------------------------------------------------------------------

/** `KEY="v",KEY2=v2`. */
function parseSupervisorEnv(v: MappedText, file: SourceFile, start: number, end: number, env: Record<string, string>): EnvEntry[] {
  const out: EnvEntry[] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("((?:[^"\\]|\\.)*)"|'([^']*)'|([^,]*))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v.text)) !== null && m[0] !== '') {
    const raw = m[3] ?? m[4] ?? m[5] ?? '';
    const valueAt = m.index + m[0].indexOf(m[2]!) + (m[3] !== undefined || m[4] !== undefined ? 1 : 0);
    out.push({ name: m[1]!, value: supervisorExpand(raw, env).value, file, start, end, valueOffsets: v.offsets.slice(valueAt, valueAt + raw.length + 1), detail: 'environment=' });
  }
  return out;
}

/** `%(ENV_X)s` and `%(program_name)s` expansions. */
function supervisorExpand(s: string, env: Record<string, string>, program = ''): { value: string; dynamic?: string } {
  let dynamic: string | undefined;
  const value = s.replace(/%\(([A-Za-z0-9_]+)\)s/g, (m, key: string) => {
    if (key.startsWith('ENV_') && env[key.slice(4)] !== undefined) return env[key.slice(4)]!;
    if (key === 'program_name') return program;
    dynamic ??= `${m} is not known`;
    return m;
  });
  return { value, ...(dynamic ? { dynamic } : {}) };
}

export function readSupervisorConf(file: SourceFile, baseEnv: Record<string, string>): Launch[] {
  const entries = readIni(file, 'supervisord');
  const programs = new Map<string, IniEntry[]>();
  for (const e of entries) {
    const m = /^program:(.+)$/.exec(e.section);
    if (!m) continue;
    const list = programs.get(m[1]!) ?? [];
    list.push(e);
    programs.set(m[1]!, list);
  }
  const out: Launch[] = [];
  for (const [program, list] of programs) {
    const command = list.find((e) => e.key === 'command');
    if (!command) continue;
    const envLine = list.find((e) => e.key === 'environment');
    const env = envLine ? parseSupervisorEnv(envLine.mappedValue, file, envLine.start, envLine.end, baseEnv) : [];
    const vars = envMap(baseEnv, env);
    // Expansion may change lengths; when it does, words point at the command's start.
    const expanded = supervisorExpand(command.value, vars, program);
    const text: MappedText = expanded.value === command.value ? command.mappedValue : { text: expanded.value, offsets: Array(expanded.value.length + 1).fill(command.start) };
    let words = expandAll(text, 'shlex', {})[0] ?? [];
    if (expanded.dynamic) words = words.map((w) => (w.value.includes('%(') ? { ...w, dynamic: expanded.dynamic } : w));
    const found = findGunicorn(words, vars);
    if (!found) continue;
    const dir = list.find((e) => e.key === 'directory');
    out.push({
      file,
      launcher: 'supervisord',
      label: `program:${program}`,
      args: found.args,
      commandStart: command.start,
      commandEnd: command.end,
      env,
      ...(dir ? { cwd: dir.value.trim() } : {}),
      extraFiles: [],
      diagnostics: [],
      ...(found.wrapped ? { wrapped: found.wrapped } : {}),
    });
  }
  return out;
}

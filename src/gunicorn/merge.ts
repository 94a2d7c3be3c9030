// Builds one GunicornApp: defaults < gunicorn.conf.py < GUNICORN_CMD_ARGS < command line, the
// order of gunicorn's `Application.load_config`, each value keeping where it came from.

import { positionOf, type SourceFile } from '../nginx/tree.js';
import type { Bind, Dynamic, GunicornApp, GunicornDiagnostic, Launcher, OpenEnvironment, Origin, ResolvedSetting, SettingValue } from './types.js';
import type { ConfEvaluation } from './pyconf.js';
import { parseArgv, type CliAssignment, type ParsedArgv } from './argv.js';
import { defaultFor, settingsFor, type SettingsTable } from './settings.js';
import type { SettingSpec } from './settings-data.js';
import { dynamicValue, validateCliValue, validateValue, type Validated } from './validate.js';
import { toBind } from './binds.js';
import { shlexSplit, type DynInfo, type Word } from './shell.js';
import type { EnvEntry, SocketUnit } from './sources.js';
import type { PyValue } from './pyvalue.js';

export interface AppParts {
  name?: string;
  launcher: Launcher;
  /** Files that contributed, in order. */
  sources: SourceFile[];
  version: string;
  cpus: number | null;
  /** Environment of the gunicorn process: the caller's env overlaid with the launcher's. */
  env: Record<string, string>;
  /** Variables set to values not known statically (`N=$(nproc)`, compose `X: ${X}`), name → why. */
  unknownEnv?: Map<string, DynInfo>;
  /** Set when the environment may hold variables the deployment does not show. */
  openEnv?: OpenEnvironment;
  /** An application command that starts gunicorn with its own settings (`lemur start`). */
  wrapped?: string;
  /** Where each launcher-set variable came from (last one wins). */
  envOrigins: Map<string, EnvEntry>;
  conf?: ConfEvaluation;
  /** gunicorn's arguments and where they were found. */
  cli?: { args: Word[]; file: SourceFile; label: string };
  socket?: SocketUnit;
  diagnostics: GunicornDiagnostic[];
}

function originAt(kind: Origin['kind'], file: SourceFile | undefined, start: number, end: number, detail: string): Origin {
  if (!file) return { kind, detail };
  return { kind, file, start, end, ...positionOf(file, start), detail };
}

function diagAt(file: SourceFile | undefined, start: number, end: number, kind: GunicornDiagnostic['kind'], message: string, extra: Partial<GunicornDiagnostic> = {}): GunicornDiagnostic {
  if (!file) return { file: '', line: 0, column: 0, start: 0, end: 0, kind, message, ...extra };
  return { file: file.path, ...positionOf(file, start), start, end, kind, message, ...extra };
}

interface Slot {
  setting: ResolvedSetting;
  /** Per-item origins for list settings (each bind knows its own line). */
  itemOrigins?: Origin[];
}

function defaultToPy(v: unknown): PyValue {
  if (v === null || v === undefined) return { t: 'none' };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return Number.isInteger(v) ? { t: 'int', v } : { t: 'float', v };
  if (typeof v === 'string') return { t: 'str', v };
  if (Array.isArray(v)) return { t: 'list', items: v.map(defaultToPy) };
  return { t: 'dict', entries: Object.entries(v as Record<string, unknown>).map(([k, x]): [PyValue, PyValue] => [{ t: 'str', v: k }, defaultToPy(x)]) };
}

/** The variable gunicorn's default for a setting reads (gunicorn/config.py). */
const DEFAULT_ENV_VAR: Record<string, string> = { workers: 'WEB_CONCURRENCY', bind: 'PORT', forwarded_allow_ips: 'FORWARDED_ALLOW_IPS' };

function defaults(table: SettingsTable, version: string, env: Record<string, string>, envOrigins: Map<string, EnvEntry>, diagnostics: GunicornDiagnostic[], unknownEnv: Map<string, DynInfo>, openEnv: OpenEnvironment | undefined): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  for (const spec of table.byName.values()) {
    const d = defaultFor(spec, version, env);
    const envVar = DEFAULT_ENV_VAR[spec.name];
    if (envVar && !d.envVar && (unknownEnv.has(envVar) || openEnv)) {
      // gunicorn's default reads a variable the deployment may set where conftune cannot look.
      const u = unknownEnv.get(envVar);
      const fallback = d.value as Dynamic['fallback'];
      const value: Dynamic = {
        dynamic: true,
        reason: u ? `${envVar}: ${u.reason}` : `${envVar} may be set by ${openEnv!.reason}`,
        env: [envVar],
        ...(u?.cores ? { cores: true } : {}),
        ...(u ? {} : { fallback }),
      };
      slots.set(spec.name, { setting: { name: spec.name, value, origin: { kind: 'env', detail: u ? envVar : `${envVar} (may be set by ${openEnv!.reason})` }, isDefault: false } });
      continue;
    }
    let value: SettingValue = d.value as SettingValue;
    let origin: Origin = { kind: 'default' };
    if (d.envVar) {
      const entry = envOrigins.get(d.envVar);
      origin = entry ? originAt('env', entry.file, entry.start, entry.end, `${d.envVar} (${entry.detail})`) : { kind: 'env', detail: d.envVar };
      // gunicorn reads WEB_CONCURRENCY with int() at import time.
      if (spec.name === 'workers' && !/^\s*[+-]?\d+\s*$/.test(env.WEB_CONCURRENCY!)) {
        diagnostics.push(diagAt(entry?.file, entry?.start ?? 0, entry?.end ?? 0, 'invalid-value', `WEB_CONCURRENCY=${JSON.stringify(env.WEB_CONCURRENCY)} is not an integer (gunicorn fails to start)`, { setting: 'workers' }));
        value = spec.default as SettingValue;
        origin = { kind: 'default' };
      }
    }
    if (spec.kind === 'csv' || spec.kind === 'addrlist' || (spec.name === 'workers' && typeof value === 'string')) {
      const checked = validateValue(spec, defaultToPy(value), version);
      if (checked.ok) value = checked.value;
      else if (d.envVar) {
        const entry = envOrigins.get(d.envVar);
        diagnostics.push(diagAt(entry?.file, entry?.start ?? 0, entry?.end ?? 0, 'invalid-value', `${d.envVar}: ${checked.message}`, { setting: spec.name }));
      }
    }
    slots.set(spec.name, { setting: { name: spec.name, value, origin, isDefault: !d.envVar }, ...(d.envVar && Array.isArray(value) ? { itemOrigins: value.map(() => origin) } : {}) });
  }
  return slots;
}

function applyValidated(slots: Map<string, Slot>, spec: SettingSpec, checked: Validated, origin: Origin, itemOrigins: Origin[] | undefined, diagnostics: GunicornDiagnostic[], problemAt: { file?: SourceFile; start: number; end: number }): void {
  if (!checked.ok) {
    diagnostics.push(diagAt(problemAt.file, problemAt.start, problemAt.end, 'invalid-value', `invalid value for ${spec.name}: ${checked.message}`, { setting: spec.name }));
    return;
  }
  slots.set(spec.name, { setting: { name: spec.name, value: checked.value, origin, isDefault: false }, ...(itemOrigins ? { itemOrigins } : {}) });
}

function applyConf(slots: Map<string, Slot>, conf: ConfEvaluation, table: SettingsTable, version: string, cpus: number | null, diagnostics: GunicornDiagnostic[]): void {
  const base = conf.file.path.slice(conf.file.path.lastIndexOf('/') + 1);
  for (const b of conf.bindings.values()) {
    const spec = table.byName.get(b.name);
    if (!spec || b.via === 'import' && b.value.t === 'ref') continue;
    const cpuNote = (b.value as { cpu?: boolean }).cpu ? ` (from cpu_count() = ${cpus})` : '';
    const origin = originAt('conf.py', conf.file, b.start, b.end, `${base}: ${b.name}${cpuNote}`);
    const checked = validateValue(spec, b.value, version);
    const itemOrigins = checked.ok && checked.itemSpans && Array.isArray(checked.value)
      ? checked.itemSpans.map((span) => (span ? originAt('conf.py', conf.file, span.start, span.end, `${base}: ${b.name}`) : origin))
      : undefined;
    applyValidated(slots, spec, checked, origin, itemOrigins, diagnostics, { file: conf.file, start: b.start, end: b.end });
  }
}

function applyArgv(
  slots: Map<string, Slot>,
  parsed: ParsedArgv,
  kind: 'cli' | 'GUNICORN_CMD_ARGS',
  file: SourceFile | undefined,
  label: string,
  version: string,
  diagnostics: GunicornDiagnostic[],
): void {
  for (const p of parsed.problems) {
    diagnostics.push(diagAt(file, p.word.start, p.word.end, p.kind, `${label}: ${p.message}`, { ...(p.suggestion ? { suggestion: p.suggestion } : {}), ...(p.setting ? { setting: p.setting } : {}) }));
  }
  // argparse: a repeated flag overrides, except `append` flags which collect; the whole list then
  // replaces what the config file set.
  const groups = new Map<string, CliAssignment[]>();
  for (const a of parsed.assignments) {
    const list = groups.get(a.spec.name) ?? [];
    if (a.spec.action === 'append') list.push(a);
    else list.splice(0, list.length, a);
    groups.set(a.spec.name, list);
  }
  for (const [, list] of groups) {
    const first = list[0]!;
    const spec = first.spec;
    const originOf = (a: CliAssignment) => originAt(kind, file, a.flagWord.start, (a.valueWord ?? a.flagWord).end, `${label} ${a.flag}`);
    const dynamic = list.find((a) => a.dynamic);
    if (dynamic) {
      slots.set(spec.name, { setting: { name: spec.name, value: cliDynamic(dynamic, spec, version), origin: originOf(dynamic), isDefault: false } });
      continue;
    }
    const last = list[list.length - 1]!;
    const raw: string | string[] | true = spec.action === 'append' ? list.map((a) => (a.value === true ? '' : a.value)) : last.value;
    const checked = validateCliValue(spec, raw, version);
    const itemOrigins = spec.action === 'append' ? list.map(originOf) : undefined;
    const at = last.valueWord ?? last.flagWord;
    applyValidated(slots, spec, checked, originOf(spec.action === 'append' ? first : last), itemOrigins, diagnostics, { ...(file ? { file } : {}), start: at.start, end: at.end });
  }
}

/** A command-line value that is not known statically, with what it depends on and its fallback. */
function cliDynamic(a: CliAssignment, spec: SettingSpec, version: string): Dynamic {
  const w = a.dynamicWord;
  let fallback: string | undefined = w?.fallback;
  if (fallback !== undefined && w === a.flagWord) {
    // `--workers=${W:-4}` / `-w${W:-4}`: the fallback is the whole word; keep the value part.
    fallback = fallback.startsWith(a.flag) ? fallback.slice(a.flag.length).replace(/^=/, '') : undefined;
  }
  const base = dynamicValue({ t: 'dyn', reason: a.dynamic!, ...(w?.cores ? { cores: true } : {}), ...(w?.envVars?.length ? { env: w.envVars } : {}) });
  if (fallback !== undefined) {
    const checked = validateCliValue(spec, spec.action === 'append' ? [fallback] : fallback, version);
    const fb = checked.ok ? checked.value : undefined;
    if (typeof fb === 'string' || typeof fb === 'number' || typeof fb === 'boolean' || (Array.isArray(fb) && fb.every((x) => typeof x === 'string'))) base.fallback = fb;
  }
  return base;
}

/** GUNICORN_CMD_ARGS words, pointing into the file that set the variable when there is one. */
export function cmdArgsWords(value: string, entry: EnvEntry | undefined): Word[] {
  const offsets = entry?.valueOffsets && entry.valueOffsets.length >= value.length ? entry.valueOffsets : Array(value.length + 1).fill(entry?.start ?? 0);
  return shlexSplit({ text: value, offsets: offsets.length > value.length ? offsets.slice(0, value.length + 1) : [...offsets, offsets[offsets.length - 1] ?? 0] });
}

/** The config file gunicorn would load: `-c` on the command line, else in GUNICORN_CMD_ARGS. */
export function configArgument(cli: ParsedArgv | undefined, envArgs: ParsedArgv | undefined): { path: string; word: Word; from: 'cli' | 'GUNICORN_CMD_ARGS' } | undefined {
  const pick = (p: ParsedArgv | undefined) => {
    const list = p?.assignments.filter((a) => a.spec.name === 'config') ?? [];
    const a = list[list.length - 1];
    return a && a.value !== true ? { path: a.value, word: a.valueWord ?? a.flagWord } : undefined;
  };
  const c = pick(cli);
  if (c) return { ...c, from: 'cli' };
  const e = pick(envArgs);
  return e ? { ...e, from: 'GUNICORN_CMD_ARGS' } : undefined;
}

export function parseCli(args: Word[], version: string): ParsedArgv {
  return parseArgv(args, settingsFor(version));
}

export function buildApp(parts: AppParts): GunicornApp {
  const table = settingsFor(parts.version);
  const diagnostics = [...parts.diagnostics];
  const unknownEnv = parts.unknownEnv ?? new Map<string, DynInfo>();
  const slots = defaults(table, parts.version, parts.env, parts.envOrigins, diagnostics, unknownEnv, parts.openEnv);
  const cmdArgsUnknown = unknownEnv.get('GUNICORN_CMD_ARGS');
  if (cmdArgsUnknown) {
    // GUNICORN_CMD_ARGS is set to something unknown: any setting the config file or the command
    // line does not set may come from it.
    for (const [name, slot] of slots) {
      if (!slot.setting.isDefault) continue;
      slots.set(name, { setting: { name, value: { dynamic: true, reason: `GUNICORN_CMD_ARGS: ${cmdArgsUnknown.reason}`, env: ['GUNICORN_CMD_ARGS'] }, origin: { kind: 'env', detail: 'GUNICORN_CMD_ARGS' }, isDefault: false } });
    }
  }
  if (parts.conf) {
    diagnostics.push(...parts.conf.diagnostics);
    applyConf(slots, parts.conf, table, parts.version, parts.cpus, diagnostics);
  }
  const cmdArgs = parts.env.GUNICORN_CMD_ARGS;
  let wsgiApp: string | undefined;
  if (cmdArgs !== undefined) {
    const entry = parts.envOrigins.get('GUNICORN_CMD_ARGS');
    const parsed = parseArgv(cmdArgsWords(cmdArgs, entry), table);
    applyArgv(slots, parsed, 'GUNICORN_CMD_ARGS', entry?.file, 'GUNICORN_CMD_ARGS', parts.version, diagnostics);
  }
  if (parts.cli) {
    const parsed = parseArgv(parts.cli.args, table);
    applyArgv(slots, parsed, 'cli', parts.cli.file, parts.cli.label, parts.version, diagnostics);
    const appArg = parsed.positionals[0];
    if (appArg) {
      // The APP_MODULE argument takes precedence over the wsgi_app setting (gunicorn's
      // WSGIApplication); recording it there also gives rules a place on the command line.
      wsgiApp = appArg.value;
      slots.set('wsgi_app', { setting: { name: 'wsgi_app', value: appArg.value, origin: originAt('cli', parts.cli.file, appArg.start, appArg.end, `${parts.cli.label} app argument`), isDefault: false } });
    }
  }
  const wsgiSetting = slots.get('wsgi_app')?.setting.value;
  if (!wsgiApp && typeof wsgiSetting === 'string') wsgiApp = wsgiSetting;

  let binds: Bind[] = [];
  const bindSlot = slots.get('bind');
  if (parts.socket && parts.socket.listens.length) {
    // Socket activation: gunicorn serves the sockets systemd passes in, whatever `bind` says.
    const f = parts.socket.file;
    const origins = parts.socket.listens.map((l) => originAt('socket-unit', f, l.start, l.end, `ListenStream in ${f.path}`));
    binds = parts.socket.listens.flatMap((l, i) => toBind(l.bind, origins[i]!) ?? []);
    slots.set('bind', { setting: { name: 'bind', value: parts.socket.listens.map((l) => l.bind), origin: origins[0]!, isDefault: false }, itemOrigins: origins });
  } else if (bindSlot && Array.isArray(bindSlot.setting.value)) {
    const list = bindSlot.setting.value;
    binds = list.flatMap((raw, i) => toBind(raw, bindSlot.itemOrigins?.[i] ?? bindSlot.setting.origin) ?? []);
  } else if (bindSlot && isDynamicValue(bindSlot.setting.value) && bindSlot.setting.value.env?.length && bindSlot.setting.value.fallback !== undefined) {
    // The address depends on a variable the deployment does not show; its fallback is the
    // deployment's own default (`${PORT:-8000}`), the best guess at what nginx reaches.
    const fb = bindSlot.setting.value.fallback;
    binds = (Array.isArray(fb) ? fb : [String(fb)]).flatMap((raw) => toBind(raw, bindSlot.setting.origin) ?? []);
  }
  if (parts.wrapped) {
    // `lemur start` runs gunicorn with settings of its own: none of gunicorn's defaults is known
    // to apply, only what its command line clearly gives (the bind).
    if (bindSlot?.setting.isDefault) binds = [];
    for (const [name, slot] of slots) {
      if (!slot.setting.isDefault) continue;
      slots.set(name, { setting: { name, value: { dynamic: true, reason: `decided by \`${parts.wrapped}\`, which starts gunicorn with settings of its own` }, origin: { kind: 'default', detail: parts.wrapped }, isDefault: false } });
    }
  }
  const settings = new Map<string, ResolvedSetting>();
  for (const name of [...slots.keys()].sort()) settings.set(name, slots.get(name)!.setting);
  const firstSource = parts.sources[0];
  const fallbackName = firstSource ? firstSource.path.slice(firstSource.path.lastIndexOf('/') + 1) : 'gunicorn';
  return {
    name: parts.name ?? wsgiApp ?? fallbackName,
    ...(wsgiApp ? { wsgiApp } : {}),
    launcher: parts.launcher,
    sources: parts.sources,
    version: parts.version,
    cpus: parts.cpus,
    settings,
    binds,
    diagnostics: dedupeDiagnostics(diagnostics),
    ...(parts.openEnv ? { openEnv: parts.openEnv } : {}),
    ...(parts.wrapped ? { wrapped: parts.wrapped } : {}),
  };
}

function isDynamicValue(v: SettingValue): v is Dynamic {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { dynamic?: unknown }).dynamic === true;
}

function dedupeDiagnostics(list: GunicornDiagnostic[]): GunicornDiagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.file}:${d.start}:${d.kind}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

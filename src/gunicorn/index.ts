// Public entry point of the gunicorn side: read every place gunicorn is configured and return
// one GunicornApp per gunicorn invocation (plus one per gunicorn.conf.py no launcher loads).

import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { readRegularFileSync } from '../nginx/load.js';
import { makeSourceFile, positionOf, type SourceFile } from '../nginx/tree.js';
import type { GunicornApp, GunicornDiagnostic } from './types.js';
import { evaluateConfPy, type ConfEvaluation } from './pyconf.js';
import { buildApp, cmdArgsWords, configArgument, parseCli } from './merge.js';
import { parseArgv } from './argv.js';
import { DEFAULT_GUNICORN_VERSION, settingsFor } from './settings.js';
import { detectSourceKind } from './detect.js';
import {
  readComposeFile, readDockerfile, readProcfile, readShellScript, readSocketUnit, readSupervisorConf, readSystemdUnit,
  type EnvEntry, type Launch, type ReadFile, type ReaderContext, type SocketUnit, type SourceKind,
} from './sources.js';

export type { SourceKind, ReadFile } from './sources.js';
export { detectSourceKind } from './detect.js';
export { detectGunicornVersion } from './version.js';
export { evaluateConfPy } from './pyconf.js';
export { parseBindAddress } from './binds.js';
export { settingDict } from './validate.js';
export { DEFAULT_GUNICORN_VERSION, nearestTableVersion, settingsFor, versionAtLeast } from './settings.js';
export { deploymentPins, type DeploymentPins, type Pin } from './pins.js';

export interface GunicornSourceInput {
  path: string;
  /** File content as a latin1 string (one char per byte), like SourceFile.text; read with `readFile` when absent. */
  text?: string;
  kind?: SourceKind;
}

export interface ReadGunicornOptions {
  /** Target gunicorn version (`--gunicorn-version`); default 23.0.0. */
  version?: string;
  /**
   * Host cores for `cpu_count()` / `$(nproc)`; null or absent: not known (such values are then
   * Dynamic with `cores`). Never this machine's: results must not depend on where conftune runs.
   */
  cpus?: number | null;
  /** Environment the launchers start from (their own Environment=/ENV entries are added on top). */
  env?: Record<string, string>;
  /** Reads a referenced file (conf.py, EnvironmentFile) as latin1; undefined when unreadable. No I/O without it. */
  readFile?: ReadFile;
  /** Lists the file names in a folder (an `EnvironmentFile=/etc/app/*.conf` glob is matched there); [] when unreadable. */
  listDir?: (dir: string) => string[];
}

/** A listDir for the CLI: the names of the regular files in a folder, [] when it can't be read. */
export function listDirFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** A ReadFile for the CLI: the file's bytes as latin1, undefined when it can't be read. */
export function readFileLatin1(path: string): string | undefined {
  try {
    // Never a FIFO or device: an EnvironmentFile= pointing at one would block the run forever.
    return readRegularFileSync(path).toString('latin1');
  } catch {
    return undefined;
  }
}

interface Loaded {
  file: SourceFile;
  kind: SourceKind;
}

function readLaunches(l: Loaded, env: Record<string, string>, readFile: ReadFile, rc: ReaderContext): Launch[] {
  switch (l.kind) {
    case 'systemd':
      return readSystemdUnit(l.file, env, readFile, rc);
    case 'procfile':
      return readProcfile(l.file, env, rc);
    case 'dockerfile':
      return readDockerfile(l.file, env, rc);
    case 'compose':
      return readComposeFile(l.file, env, readFile, rc);
    case 'supervisord':
      return readSupervisorConf(l.file, env);
    case 'shell':
      return readShellScript(l.file, env, 'shell', rc);
    case 'text':
      return readShellScript(l.file, env, 'cli', rc);
    default:
      return [];
  }
}

function stem(path: string): string {
  return posix.basename(path).replace(/\.(service|socket)$/, '');
}

function socketFor(launch: Launch, sockets: SocketUnit[]): SocketUnit | undefined {
  if (launch.launcher !== 'systemd') return undefined;
  const unit = posix.basename(launch.file.path);
  const wanted = launch.sockets ?? [`${stem(unit)}.socket`];
  return sockets.find((s) => s.service === unit || wanted.includes(posix.basename(s.file.path)));
}

export function readGunicornSources(inputs: GunicornSourceInput[], opts: ReadGunicornOptions = {}): GunicornApp[] {
  const version = opts.version ?? DEFAULT_GUNICORN_VERSION;
  const cpus = opts.cpus ?? null;
  const baseEnv = opts.env ?? {};
  const readFile: ReadFile = opts.readFile ?? (() => undefined);
  const table = settingsFor(version);

  const loaded: Loaded[] = [];
  for (const input of inputs) {
    const text = input.text ?? readFile(input.path);
    if (text === undefined) continue;
    const kind = input.kind ?? detectSourceKind(input.path, text);
    if (!kind) continue;
    loaded.push({ file: makeSourceFile(input.path, text), kind });
  }
  const confInputs = loaded.filter((l) => l.kind === 'conf.py').map((l) => l.file);
  const rc: ReaderContext = {
    cpus,
    folderFiles: inputs.map((i) => i.path),
    texts: new Map(loaded.map((l) => [l.file.path, l.file.text])),
    ...(opts.listDir ? { listDir: opts.listDir } : {}),
  };
  const sockets = loaded.filter((l) => l.kind === 'socket').map((l) => readSocketUnit(l.file));
  const usedConf = new Set<SourceFile>();
  const apps: GunicornApp[] = [];

  const findConf = (candidates: string[], wantedBase: string, srcDir: string): { file: SourceFile; byName: boolean } | undefined => {
    for (const c of candidates) {
      const hit = confInputs.find((f) => posix.normalize(f.path) === posix.normalize(c));
      if (hit) return { file: hit, byName: false };
    }
    for (const c of candidates) {
      const text = readFile(c);
      if (text !== undefined) return { file: makeSourceFile(c, text), byName: false };
    }
    // Checked-out deployments rarely match the paths the unit uses: match by file name, in the
    // folder of the file that names it first (a Python file whatever its extension: `-c x.ini`).
    const sameName = confInputs.filter((f) => posix.basename(f.path) === wantedBase);
    const inFolder = sameName.find((f) => posix.dirname(f.path) === srcDir);
    if (inFolder) return { file: inFolder, byName: true };
    const other = loaded.find((l) => posix.dirname(l.file.path) === srcDir && posix.basename(l.file.path) === wantedBase);
    if (other) return { file: other.file, byName: true };
    const local = posix.join(srcDir, wantedBase);
    if (!candidates.includes(local)) {
      const text = readFile(local);
      if (text !== undefined) return { file: makeSourceFile(local, text), byName: true };
    }
    return sameName.length === 1 ? { file: sameName[0]!, byName: true } : undefined;
  };

  for (const l of loaded) {
    for (const launch of readLaunches(l, baseEnv, readFile, rc)) {
      const envOrigins = new Map<string, EnvEntry>();
      for (const e of launch.env) envOrigins.set(e.name, e);
      const env = { ...baseEnv };
      for (const e of launch.env) env[e.name] = e.value;
      const diagnostics: GunicornDiagnostic[] = [...launch.diagnostics];
      const cli = parseCli(launch.args, version);
      const envArgs = env.GUNICORN_CMD_ARGS !== undefined ? parseArgv(cmdArgsWords(env.GUNICORN_CMD_ARGS, envOrigins.get('GUNICORN_CMD_ARGS')), table) : undefined;
      const cfg = configArgument(cli, envArgs);
      const srcDir = posix.dirname(launch.file.path);
      const cwd = launch.cwd ? (launch.cwd.startsWith('/') ? launch.cwd : posix.join(srcDir, launch.cwd)) : undefined;
      let confFile: SourceFile | undefined;
      if (cfg) {
        const p = cfg.path.replace(/^file:/, '');
        if (p.startsWith('python:')) {
          const f = cfg.from === 'cli' ? launch.file : envOrigins.get('GUNICORN_CMD_ARGS')?.file;
          if (f) diagnostics.push({ file: f.path, ...positionOf(f, cfg.word.start), start: cfg.word.start, end: cfg.word.end, kind: 'io', message: `config module ${p.slice(7)} is imported by gunicorn; its settings are unknown`, setting: 'config' });
        } else {
          const dynamicPath = /\$\{?[A-Za-z_]|%\(/.test(p);
          const candidates = dynamicPath ? [] : p.startsWith('/') ? [p] : [...(cwd ? [posix.join(cwd, p)] : []), posix.join(srcDir, p)];
          if (launch.inContainer && !dynamicPath) candidates.push(posix.join(srcDir, posix.basename(p)));
          const found = findConf(candidates, posix.basename(p), srcDir);
          confFile = found?.file;
          const f = cfg.from === 'cli' ? launch.file : envOrigins.get('GUNICORN_CMD_ARGS')?.file;
          if (found?.byName && f && (p.startsWith('/') || dynamicPath)) {
            diagnostics.push({ file: f.path, ...positionOf(f, cfg.word.start), start: cfg.word.start, end: cfg.word.end, kind: 'note', message: `config file ${p}: read ${posix.basename(found.file.path)} from the deployment folder (same name)`, setting: 'config' });
          }
          if (!confFile) {
            const f = cfg.from === 'cli' ? launch.file : envOrigins.get('GUNICORN_CMD_ARGS')?.file;
            if (f) diagnostics.push({ file: f.path, ...positionOf(f, cfg.word.start), start: cfg.word.start, end: cfg.word.end, kind: 'io', message: `config file ${p} was not found; its settings are unknown`, setting: 'config' });
          }
        }
      } else {
        // No -c: gunicorn loads ./gunicorn.conf.py from its working directory when it exists.
        const candidates = [...(cwd ? [posix.join(cwd, 'gunicorn.conf.py')] : []), posix.join(srcDir, 'gunicorn.conf.py')];
        const hit = confInputs.find((f) => candidates.some((c) => posix.normalize(c) === posix.normalize(f.path)));
        confFile = hit ?? candidates.map((c) => ({ c, t: readFile(c) })).filter((x) => x.t !== undefined).map((x) => makeSourceFile(x.c, x.t!))[0];
      }
      const unknownEnv = launch.unknownEnv ?? new Map();
      // A variable set by the launcher is known, whatever the environment around it holds.
      for (const e of launch.env) unknownEnv.delete(e.name);
      const openEnv = launch.openEnv ? { reason: launch.openEnv.reason, file: launch.openEnv.file.path, line: positionOf(launch.openEnv.file, launch.openEnv.start).line } : undefined;
      let conf: ConfEvaluation | undefined;
      if (confFile) {
        usedConf.add(confInputs.find((f) => f.path === confFile!.path) ?? confFile);
        conf = evaluateConfPy(confFile, { env, cpus, version, unknownEnv, ...(openEnv ? { openEnv: openEnv.reason } : {}) });
      }
      if (launch.wrapped) {
        diagnostics.push({
          file: launch.file.path, ...positionOf(launch.file, launch.commandStart), start: launch.commandStart, end: launch.commandEnd, kind: 'note',
          message: `${launch.label} starts the app through \`${launch.wrapped}\`, which runs gunicorn with settings conftune cannot see${launch.args.length ? ' (only its bind is read)' : ''}`,
        });
      }
      const socket = socketFor(launch, sockets);
      const sources = [launch.file, ...launch.extraFiles, ...(confFile ? [confFile] : []), ...(socket ? [socket.file] : [])];
      apps.push(buildApp({
        launcher: launch.launcher,
        sources,
        version,
        cpus,
        env,
        envOrigins,
        unknownEnv,
        ...(openEnv ? { openEnv } : {}),
        ...(launch.wrapped ? { wrapped: launch.wrapped, name: launch.wrapped } : {}),
        ...(conf ? { conf } : {}),
        cli: { args: launch.args, file: launch.file, label: launch.label },
        ...(socket ? { socket } : {}),
        diagnostics,
      }));
    }
  }
  for (const f of confInputs) {
    if (usedConf.has(f)) continue;
    const conf = evaluateConfPy(f, { env: baseEnv, cpus, version });
    apps.push(buildApp({ launcher: 'unknown', sources: [f], version, cpus, env: baseEnv, envOrigins: new Map(), conf, diagnostics: [] }));
  }
  return apps;
}

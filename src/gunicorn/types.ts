// The gunicorn side of a deployment: resolved settings, each traced to where it was set.

import type { SourceFile } from '../nginx/tree.js';

/** Where a value came from. `file`/offsets point at the assignment, flag or ENV line that set it. */
export interface Origin {
  kind: 'default' | 'conf.py' | 'cli' | 'env' | 'GUNICORN_CMD_ARGS' | 'socket-unit';
  /** Source the value was read from (absent for defaults). */
  file?: SourceFile;
  start?: number;
  end?: number;
  line?: number;
  column?: number;
  /** Human description, e.g. `ExecStart flag --workers` or `WEB_CONCURRENCY`. */
  detail?: string;
}

/** A value the static evaluator could not decide (function call, import, conditional…). */
export interface Dynamic {
  dynamic: true;
  /** Why: e.g. `calls get_workers()`. */
  reason: string;
}

/** Dict settings (`secure_scheme_headers`, `raw_env` maps) are plain string records. */
export type SettingValue = string | number | boolean | null | string[] | { [key: string]: string } | Dynamic;

export interface ResolvedSetting {
  /** gunicorn's setting name (`workers`, `keepalive`, `bind`, …). */
  name: string;
  value: SettingValue;
  origin: Origin;
  /** True when nobody set it and the value is gunicorn's default for the target version. */
  isDefault: boolean;
}

export type Bind =
  | { kind: 'tcp'; host: string; port: number; raw: string; origin: Origin }
  | { kind: 'unix'; path: string; raw: string; origin: Origin }
  | { kind: 'fd'; fd: number; raw: string; origin: Origin };

export interface GunicornDiagnostic {
  file: string;
  line: number;
  column: number;
  start: number;
  end: number;
  message: string;
  /** `syntax` (conf.py parse error), `unknown-setting`, `invalid-value`, `io` (unreadable EnvironmentFile…). */
  kind: 'syntax' | 'unknown-setting' | 'invalid-value' | 'io';
  /** For unknown-setting: the closest known name. */
  suggestion?: string;
  /** Setting concerned, when any. */
  setting?: string;
}

/** How this gunicorn is launched: decides e.g. whether `daemon` is harmful. */
export type Launcher = 'systemd' | 'supervisord' | 'docker' | 'compose' | 'procfile' | 'shell' | 'cli' | 'unknown';

export interface GunicornApp {
  /** A name for reports: the WSGI app (`application:application`) or the source file. */
  name: string;
  /** WSGI application argument, when found. */
  wsgiApp?: string;
  launcher: Launcher;
  /** Every file that contributed (conf.py, unit, Procfile, …). */
  sources: SourceFile[];
  /** Target gunicorn version used for defaults and validation, e.g. `23.0.0`. */
  version: string;
  /** Host cores assumed for `cpu_count()` and sizing rules. */
  cpus: number;
  /** All settings after merging (defaults included). */
  settings: Map<string, ResolvedSetting>;
  binds: Bind[];
  diagnostics: GunicornDiagnostic[];
}

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
  /** Depends on the host's core count (`cpu_count()`, `$(nproc)`) and no core count was given. */
  cores?: boolean;
  /** Depends on these environment variables, whose values the deployment does not show. */
  env?: string[];
  /** The value when those variables are unset (`os.environ.get('X', 4)`, `${X:-4}`, gunicorn's default). */
  fallback?: string | number | boolean | string[];
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
  /**
   * `syntax` (conf.py parse error), `unknown-setting`, `invalid-value`, `io` (unreadable
   * EnvironmentFile…), `note` (something the reader assumed or could not see, e.g. an app CLI
   * that starts gunicorn itself, a config found by name in the deployment folder): shown as a note.
   */
  kind: 'syntax' | 'unknown-setting' | 'invalid-value' | 'io' | 'note';
  /** For unknown-setting: the closest known name. */
  suggestion?: string;
  /** Setting concerned, when any. */
  setting?: string;
}

/** How this gunicorn is launched: decides e.g. whether `daemon` is harmful. */
export type Launcher = 'systemd' | 'supervisord' | 'docker' | 'compose' | 'procfile' | 'shell' | 'cli' | 'unknown';

/** Where the environment of a launch may hold values conftune cannot see (first reason found). */
export interface OpenEnvironment {
  /** e.g. `env_file ./.env.prod is not in the deployment folder`. */
  reason: string;
  file?: string;
  line?: number;
}

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
  /** Host cores assumed for `cpu_count()` and sizing rules; null when unknown (then `cpu_count()` is dynamic). */
  cpus: number | null;
  /** All settings after merging (defaults included). */
  settings: Map<string, ResolvedSetting>;
  binds: Bind[];
  diagnostics: GunicornDiagnostic[];
  /**
   * Set when the launcher's environment may hold variables the deployment does not show (an
   * env_file outside the folder, `${VAR}` with no default, a missing EnvironmentFile): settings
   * read from the environment are then Dynamic with `env`, never gunicorn's default.
   */
  openEnv?: OpenEnvironment;
  /**
   * True when gunicorn is started by an application's own command (`lemur start`): the worker
   * class and most settings are decided by that program, not visible here.
   */
  wrapped?: string;
}

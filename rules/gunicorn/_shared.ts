// Helpers shared by the gunicorn/* rules: where a setting was written and how to change it there
// (conf.py assignment, command-line flag, GUNICORN_CMD_ARGS, NAME=value environment line).

import type { GunicornApp, GunicornDiagnostic, Origin, ResolvedSetting } from '../../src/gunicorn/types.js';
import type { Edit, ReportInput } from '../../src/lint/rule.js';
import type { SourceFile } from '../../src/nginx/tree.js';
import { settingsFor } from '../../src/gunicorn/settings.js';
import {
  insertConfAssignment, insertFlag, pyLiteral, removeConfAssignment, removeFlag, replaceConfValue, replaceFlagValue,
} from '../../src/edit/gunicorn-edits.js';

export type Located = ResolvedSetting & { origin: Origin & { file: SourceFile; start: number; end: number } };

/** The setting when someone wrote it in a file (not a default, not a host environment value). */
export function written(app: GunicornApp, name: string): Located | undefined {
  const s = app.settings.get(name);
  if (!s || s.isDefault || !s.origin.file || s.origin.start === undefined || s.origin.end === undefined) return undefined;
  return s as Located;
}

/** The gunicorn.conf.py (or `-c` file) this app read, if any. */
export function confFile(app: GunicornApp): SourceFile | undefined {
  return app.sources.find((f) => /\.py$/.test(f.path));
}

/** The long command-line flag of a setting (`--workers`). */
export function flagOf(app: GunicornApp, name: string): string | undefined {
  const cli = settingsFor(app.version).byName.get(name)?.cli ?? [];
  return cli.find((f) => f.startsWith('--')) ?? cli[0];
}

/** Where to report something about the app as a whole: the app argument, else any written setting. */
export function appAnchor(app: GunicornApp): ReportInput['origin'] | undefined {
  const arg = written(app, 'wsgi_app');
  if (arg) return arg.origin;
  for (const s of app.settings.values()) if (!s.isDefault && s.origin.file && s.origin.start !== undefined) return s.origin;
  return undefined;
}

/** Location for a finding about `name`: where it was written, else the app's anchor, else the conf file. */
export function reportAt(app: GunicornApp, name: string): Pick<ReportInput, 'origin' | 'at'> | undefined {
  const s = written(app, name);
  if (s) return { origin: s.origin };
  const anchor = appAnchor(app);
  if (anchor) return { origin: anchor };
  const conf = confFile(app);
  return conf ? { at: { file: conf, start: 0, end: 0 } } : undefined;
}

function valueText(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}

/**
 * An edit giving `name` the value `value`: in place where it is written, else a new line in the
 * conf.py (after `after` when that is written there), else a flag on the command line.
 */
export function setSetting(app: GunicornApp, name: string, value: string | number | boolean, after?: string): Edit | null {
  const s = written(app, name);
  if (s) {
    if (s.origin.kind === 'conf.py') return replaceConfValue(s.origin, pyLiteral(value));
    return replaceFlagValue(s.origin, valueText(value));
  }
  return addSetting(app, name, value, after);
}

/** An edit adding `name = value` next to `after` (same place kind), in the conf.py, or on the command line. */
export function addSetting(app: GunicornApp, name: string, value: string | number | boolean, after?: string): Edit | null {
  const flag = flagOf(app, name);
  const prev = after ? written(app, after) : undefined;
  if (prev && (prev.origin.kind === 'cli' || prev.origin.kind === 'GUNICORN_CMD_ARGS') && flag) return insertFlag(prev.origin, flag, valueText(value));
  const conf = confFile(app);
  if (conf) return insertConfAssignment(conf, name, pyLiteral(value), prev?.origin.kind === 'conf.py' ? prev.origin : undefined);
  const arg = written(app, 'wsgi_app');
  if (arg && arg.origin.kind === 'cli' && flag) return insertFlag(arg.origin, flag, valueText(value));
  return null;
}

/** An edit removing the place that sets `name` (conf.py statement or command-line flag). */
export function removeSetting(app: GunicornApp, name: string): Edit | null {
  const s = written(app, name);
  if (!s) return null;
  if (s.origin.kind === 'conf.py') return removeConfAssignment(s.origin);
  if (s.origin.kind === 'cli' || s.origin.kind === 'GUNICORN_CMD_ARGS') return removeFlag(s.origin);
  return null;
}

/** `keepalive (Procfile:1)` style description of where a written setting is. */
export function place(s: ResolvedSetting | undefined): string {
  if (!s || s.isDefault || !s.origin.file) return "gunicorn's default";
  return `${s.origin.file.path.split('/').pop()}:${s.origin.line}`;
}

/** A diagnostic's file among the app's sources, for reporting. */
export function diagnosticFile(app: GunicornApp, d: GunicornDiagnostic): SourceFile | undefined {
  return app.sources.find((f) => f.path === d.file);
}

/**
 * False when part of the configuration could not be read (a conf.py with a syntax error, a `-c`
 * file not found): defaults may then be wrong, so rules that reason about them stay quiet.
 */
export function complete(app: GunicornApp): boolean {
  return !app.diagnostics.some((d) => d.kind === 'syntax' || (d.kind === 'io' && d.setting === 'config'));
}

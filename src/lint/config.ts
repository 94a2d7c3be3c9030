// conftune.json / .conftunerc.json: found upward from the cwd, validated against schema/conftune.schema.json.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Severity } from '../nginx/tree.js';

export interface RuleSetting {
  severity?: Severity | 'off';
  options?: Record<string, unknown>;
}

export interface ConftuneConfig {
  rules?: Record<string, Severity | 'off' | RuleSetting>;
  select?: string[];
  ignore?: string[];
  category?: string[];
  failLevel?: Severity;
  nginxVersion?: string;
  gunicornVersion?: string;
  cpus?: number;
  files?: string[];
  reportUnusedDisables?: boolean;
  /** nginx's prefix as a folder of the repository (`nginx -p`): `/etc/nginx/…` includes are read from there. */
  prefix?: string;
  /** Absolute include prefixes as nginx sees them → folders of the repository, e.g. {"/etc/nginx": "deploy/nginx"}. */
  includePaths?: Record<string, string>;
  /** Read absolute include paths outside the repository (this host's files) as written. */
  allowHostIncludes?: boolean;
}

export const CONFIG_NAMES = ['conftune.json', '.conftunerc.json', '.conftunerc'];

export class ConfigError extends Error {}

/** The config file that applies in `cwd`: the nearest one upward, or undefined. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const p = path.join(dir, name);
      if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function schemaPath(): string {
  // dist/src/lint → repo root, or src/lint under vitest.
  const here = path.dirname(new URL(import.meta.url).pathname);
  for (const up of ['../../schema', '../../../schema']) {
    const p = path.resolve(here, up, 'conftune.schema.json');
    if (fs.existsSync(p)) return p;
  }
  return path.resolve(here, '../../schema/conftune.schema.json');
}

/** Reads and validates a config file; throws ConfigError with `file: key: problem` on any error. */
export function loadConfigFile(file: string): ConftuneConfig {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    throw new ConfigError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  validateConfig(data, file);
  return data as ConftuneConfig;
}

export function validateConfig(data: unknown, file = 'conftune.json'): void {
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv') as typeof import('ajv').default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schema = JSON.parse(fs.readFileSync(schemaPath(), 'utf8'));
  const validate = ajv.compile(schema);
  if (validate(data)) return;
  const e = validate.errors![0]!;
  const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const where = at ? `${at}.${key}` : key;
    const allowed = at === '' ? Object.keys(schema.properties).filter((k) => k !== '$schema') : [];
    throw new ConfigError(`${file}: unknown key "${where}"${allowed.length ? ` (expected one of: ${allowed.join(', ')})` : ''}`);
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    throw new ConfigError(`${file}: "${at}" must be one of ${allowed}`);
  }
  // oneOf failures: report the simplest reading.
  if (e.keyword === 'oneOf' || (validate.errors ?? []).some((x) => x.keyword === 'oneOf')) {
    const key = at || (validate.errors!.find((x) => x.keyword === 'oneOf')!.instancePath.slice(1).replace(/\//g, '.'));
    throw new ConfigError(`${file}: "${key}" must be "off", "error", "warning", "info" or {"severity", "options"}`);
  }
  throw new ConfigError(`${file}: "${at || '(root)'}" ${e.message ?? 'is invalid'}`);
}

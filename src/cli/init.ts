// `conftune init`: writes a commented conftune.json for the project in the current directory —
// the nginx/gunicorn files `check` would discover, the nginx version installed — and never
// overwrites an existing config (exit 2).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';

export const SCHEMA_URL = 'https://conftune.dev/schema/conftune.schema.json';

export interface InitFacts {
  /** Files found, relative to the project directory, `/`-separated. */
  files: Array<{ path: string; kind: 'nginx' | 'gunicorn' }>;
  nginxVersion?: string;
  gunicornVersion?: string;
  /** What `$schema` points at: a path relative to the project when the package is inside it, else the URL. */
  schema: string;
}

/** The config object `init` writes; `$comment` explains each key, since JSON has no comments. */
export function initialConfig(facts: InitFacts): Record<string, unknown> {
  const comment = [
    'conftune configuration, validated against the schema in $schema.',
    '`conftune rules` lists every rule; `conftune explain <rule-id>` prints its documentation.',
    facts.files.length
      ? '"files": what `conftune check` reads when given no paths (found here by `conftune init`; includes are followed).'
      : 'No nginx or gunicorn files were found here: add "files": ["path/to/nginx.conf", "gunicorn.conf.py"].',
    facts.nginxVersion
      ? '"nginxVersion": the nginx found on this machine; set it to the version you deploy.'
      : 'Add "nginxVersion": "1.24" (the version you deploy) when nginx is not installed here.',
    '"rules": per-rule severity ("error", "warning", "info", "off") by id or prefix, e.g. {"nginx/unknown-directive": "off"}.',
    '"failLevel": lowest severity that makes `conftune check` exit 1.',
  ];
  return {
    $schema: facts.schema,
    $comment: comment,
    ...(facts.files.length ? { files: facts.files.map((f) => f.path) } : {}),
    ...(facts.nginxVersion ? { nginxVersion: facts.nginxVersion } : {}),
    ...(facts.gunicornVersion ? { gunicornVersion: facts.gunicornVersion } : {}),
    failLevel: 'warning',
    rules: {},
  };
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a commented conftune.json for the nginx/gunicorn files found in the current directory')
    .option('--nginx-version <version>', 'nginx version to record (default: `nginx -v`)')
    .option('--gunicorn-version <version>', 'gunicorn version to record (default: `gunicorn --version` when gunicorn files are found)')
    .action(async (opts: { nginxVersion?: string; gunicornVersion?: string }) => {
      process.exitCode = await runInit(process.cwd(), opts);
    });
}

export async function runInit(cwd: string, opts: { nginxVersion?: string; gunicornVersion?: string } = {}): Promise<number> {
  const { CONFIG_NAMES, schemaPath, validateConfig } = await import('../lint/config.js');
  const existing = CONFIG_NAMES.map((n) => path.join(cwd, n)).find((p) => fs.existsSync(p));
  if (existing) {
    process.stderr.write(`conftune: ${path.relative(cwd, existing)} already exists; not overwriting it\n`);
    return 2;
  }
  for (const [flag, v] of [['--nginx-version', opts.nginxVersion], ['--gunicorn-version', opts.gunicornVersion]] as const) {
    if (v !== undefined && !/^\d+(\.\d+){1,2}$/.test(v)) {
      process.stderr.write(`conftune: ${flag} must look like 1.24 or 1.24.0, got "${v}"\n`);
      return 2;
    }
  }
  const { discoverInputs } = await import('../model/discover.js');
  const files = discoverInputs(cwd).map((i) => ({ path: path.relative(cwd, i.path).split(path.sep).join('/'), kind: i.kind }));
  const hasGunicorn = files.some((f) => f.kind === 'gunicorn');
  const schemaFile = schemaPath();
  const relSchema = path.relative(cwd, schemaFile);
  const facts: InitFacts = {
    files,
    nginxVersion: opts.nginxVersion ?? (await detectVersion('nginx', ['-v'], /nginx\/(\d+\.\d+\.\d+)/)),
    gunicornVersion: opts.gunicornVersion ?? (hasGunicorn ? await detectVersion('gunicorn', ['--version'], /(\d+\.\d+\.\d+)/) : undefined),
    // A schema inside the project (node_modules/conftune/…) works offline in editors; else the URL.
    schema: fs.existsSync(schemaFile) && !relSchema.startsWith('..') && !path.isAbsolute(relSchema) ? `./${relSchema.split(path.sep).join('/')}` : SCHEMA_URL,
  };
  const config = initialConfig(facts);
  validateConfig(config, 'conftune.json');
  const target = path.join(cwd, 'conftune.json');
  try {
    // `wx`: fail rather than overwrite when another process created it meanwhile.
    fs.writeFileSync(target, JSON.stringify(config, null, 2) + '\n', { flag: 'wx' });
  } catch (e) {
    process.stderr.write(`conftune: cannot write conftune.json: ${(e as Error).message}\n`);
    return 2;
  }
  const found = files.length ? `${files.length} file${files.length === 1 ? '' : 's'} (${files.map((f) => f.path).join(', ')})` : 'no nginx or gunicorn files';
  process.stdout.write(`wrote conftune.json: ${found}${facts.nginxVersion ? `, nginx ${facts.nginxVersion}` : ''}\n`);
  return 0;
}

async function detectVersion(cmd: string, args: string[], pattern: RegExp): Promise<string | undefined> {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  return pattern.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1];
}

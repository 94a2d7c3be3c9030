// The same repository gives the same findings in CI, in pre-commit and on a laptop: host facts
// (cores, the nginx and gunicorn on PATH, the shell's environment) are used only when asked.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, REPO, tempDir } from '../helpers/cli.js';

const SEED = path.join(REPO, 'fixtures', 'seed');

/** A PATH whose nginx and gunicorn claim other versions than the machine's. */
function fakeBinaries(): string {
  const dir = tempDir('conftune-fake-bin-');
  fs.writeFileSync(path.join(dir, 'nginx'), '#!/bin/sh\necho "nginx version: nginx/1.99.1" >&2\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'gunicorn'), '#!/bin/sh\necho "gunicorn (version 19.0.0)"\n', { mode: 0o755 });
  return dir;
}

function checkSeed(opts: { cores?: string; pathPrefix?: string; env?: Record<string, string>; args?: string[] }): { code: number; stdout: string } {
  const argv = [CLI, 'check', '--no-config', '--format', 'json', ...(opts.args ?? []), 'nginx.conf', 'Procfile'];
  const [cmd, args] = opts.cores ? ['taskset', ['-c', opts.cores, process.execPath, ...argv]] : [process.execPath, argv];
  const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: tempDir('conftune-cache-'), ...opts.env };
  if (opts.pathPrefix) env.PATH = `${opts.pathPrefix}:${env.PATH}`;
  const r = spawnSync(cmd as string, args as string[], { cwd: SEED, encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout };
}

describe('machine independence', () => {
  it('gives byte-identical JSON with one core or all of them, and other nginx/gunicorn on PATH', () => {
    const oneCore = checkSeed({ cores: '0' });
    const other = checkSeed({ pathPrefix: fakeBinaries(), env: { GUNICORN_CMD_ARGS: '--workers 17', WEB_CONCURRENCY: '9' } });
    expect(oneCore.code).toBe(1);
    expect(other.stdout).toBe(oneCore.stdout);
    const targets = JSON.parse(oneCore.stdout).targets;
    expect(targets).toEqual({
      nginx: { version: '1.24.0', source: 'default' },
      gunicorn: { version: '23.0.0', source: 'default' },
      cpus: { value: null, source: 'unknown' },
    });
  });

  it('takes this host\'s facts with --host, and says where they came from', () => {
    const r = checkSeed({ pathPrefix: fakeBinaries(), args: ['--host'] });
    const targets = JSON.parse(r.stdout).targets;
    expect(targets.nginx).toEqual({ version: '1.99.1', source: "this host's nginx" });
    expect(targets.gunicorn).toEqual({ version: '19.0.0', source: "this host's gunicorn" });
    expect(targets.cpus.source).toBe('this host');
  });

  it('uses --cpus for the sizing rules, and says less without it', () => {
    const sized = JSON.parse(checkSeed({ args: ['--cpus', '2'] }).stdout).findings.map((f: { ruleId: string }) => f.ruleId);
    const unsized = JSON.parse(checkSeed({}).stdout).findings.map((f: { ruleId: string }) => f.ruleId);
    expect(sized).toContain('cross/cpu-oversubscription');
    expect(unsized).not.toContain('cross/cpu-oversubscription');
    expect(unsized).not.toContain('nginx/worker-processes');
  });
});

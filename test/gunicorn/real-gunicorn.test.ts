// Compares the static evaluation with what the installed gunicorn resolves (`--print-config`).
// gunicorn --print-config imports the WSGI app after printing, so the app argument names a module
// that does not exist: no user code runs, gunicorn exits 1 after printing the configuration.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus as hostCpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readGunicornSources, detectGunicornVersion } from '../../src/gunicorn/index.js';
import type { SettingValue } from '../../src/gunicorn/types.js';

const MISSING_APP = 'conftune_no_such_module_for_print_config:app';
const COMPARED = [
  'workers', 'bind', 'keepalive', 'timeout', 'graceful_timeout', 'worker_class', 'threads', 'max_requests',
  'max_requests_jitter', 'preload_app', 'forwarded_allow_ips', 'raw_env', 'secure_scheme_headers', 'umask',
  'loglevel', 'accesslog', 'worker_connections', 'daemon', 'proxy_allow_ips', 'limit_request_line',
];

const dir = mkdtempSync(join(tmpdir(), 'conftune-gunicorn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const installedVersion = detectGunicornVersion();

function pyRepr(v: SettingValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x)).join(', ')}]`;
  if ('dynamic' in v) return `<dynamic: ${v.reason}>`;
  return `{${Object.entries(v as Record<string, string>).map(([k, x]) => `'${k}': '${x}'`).join(', ')}}`;
}

/** How `print(cfg)` shows a value: str() of the value, i.e. repr for containers, bare for strings. */
function printed(v: SettingValue): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

function printConfig(args: string[], env: Record<string, string>): Map<string, string> {
  const cleanEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env };
  let out: string;
  try {
    out = execFileSync('gunicorn', ['--print-config', ...args, MISSING_APP], { cwd: dir, env: cleanEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    // Exit 1 is expected: the app module doesn't exist. The config was printed before that.
    expect(err.stderr ?? '').toContain('conftune_no_such_module_for_print_config');
    out = err.stdout ?? '';
  }
  const values = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\w+)\s+= (.*)$/.exec(line);
    if (m) values.set(m[1]!, m[2]!);
  }
  return values;
}

function staticSettings(command: string, conf: string, env: Record<string, string>) {
  const confPath = join(dir, 'gunicorn-under-test.conf.py');
  writeFileSync(confPath, conf);
  const files: Record<string, string> = { [confPath]: conf };
  const [app] = readGunicornSources([{ path: join(dir, 'run.sh'), text: `#!/bin/sh\n${command}\n`, kind: 'shell' }], {
    version: installedVersion ?? '20.1.0',
    cpus: hostCpus().length,
    env,
    readFile: (p) => files[p] ?? (p === confPath ? readFileSync(p, 'latin1') : undefined),
  });
  expect(app).toBeDefined();
  return app!;
}

const CASES: Array<{ name: string; conf: string; args: string; env: Record<string, string> }> = [
  {
    name: 'cpu_count arithmetic, %-formatting, env defaults and floor division',
    conf: [
      'import multiprocessing, os',
      'workers = multiprocessing.cpu_count() * 2 + 1',
      'bind = ["127.0.0.1:%d" % 9000, "unix:/tmp/conftune-x.sock"]',
      'keepalive = 5',
      'worker_class = "gthread"',
      'threads = int(os.environ.get("THREADS", "4"))',
      'max_requests = 1000',
      'max_requests_jitter = max_requests // 20',
      '',
    ].join('\n'),
    args: '',
    env: {},
  },
  {
    name: 'f-strings, os.environ lookups, conditionals, augmented assignment and hooks',
    conf: [
      'import os',
      'from os import environ',
      '_port = os.environ["APP_PORT"]',
      "bind = f'0.0.0.0:{_port}'",
      'timeout = 60 if environ.get("SLOW") else 30',
      'graceful_timeout = timeout // 2',
      'workers = 2',
      'workers += 1',
      'preload_app = True',
      "forwarded_allow_ips = ','.join(['10.0.0.1', '10.0.0.2'])",
      'keepalive = int("7")',
      "loglevel = 'WARNING'.lower()",
      "accesslog = '-'",
      'def on_starting(server):',
      '    server.log.info("starting")',
      '',
    ].join('\n'),
    args: '',
    env: { APP_PORT: '8123', SLOW: '1' },
  },
  {
    name: 'config file < GUNICORN_CMD_ARGS < command line',
    conf: 'workers = 2\nkeepalive = 3\ntimeout = 10\nthreads = 2\n',
    args: '-w 6 -b 127.0.0.1:7000 --bind=unix:/tmp/conftune-y.sock --timeout=45',
    env: { GUNICORN_CMD_ARGS: '--workers 4 --keep-alive 9 --threads 3' },
  },
  {
    name: 'WEB_CONCURRENCY, PORT and FORWARDED_ALLOW_IPS defaults; strings and octal ints coerced',
    conf: [
      'threads = 2',
      'max_requests = "500"',
      'raw_env = ["A=1", "B=two"]',
      "secure_scheme_headers = {'X-PROTO': 'https'}",
      'umask = 0o22',
      'daemon = False',
      'worker_connections = 2 ** 10',
      "limit_request_line = int('0x1000', 16)",
      '',
    ].join('\n'),
    args: '--preload',
    env: { WEB_CONCURRENCY: '3', PORT: '5555', FORWARDED_ALLOW_IPS: '10.1.1.1' },
  },
];

describe('static evaluation agrees with gunicorn --print-config', () => {
  test('gunicorn is installed (required: the comparison needs the real resolver)', () => {
    expect(installedVersion, 'gunicorn not found on PATH').toBeDefined();
  });

  for (const c of CASES) {
    test(`resolves the same values as gunicorn: ${c.name}`, () => {
      const staticApp = staticSettings(`gunicorn -c gunicorn-under-test.conf.py ${c.args} app:app`, c.conf, c.env);
      const real = printConfig(['-c', 'gunicorn-under-test.conf.py', ...c.args.split(' ').filter(Boolean)], c.env);
      expect(real.size).toBeGreaterThan(50);
      const mismatches: string[] = [];
      for (const name of COMPARED) {
        const ours = staticApp.settings.get(name);
        if (!ours || !real.has(name)) continue;
        if (printed(ours.value) !== real.get(name)) mismatches.push(`${name}: conftune ${printed(ours.value)} vs gunicorn ${real.get(name)}`);
      }
      expect(mismatches).toEqual([]);
      expect(staticApp.diagnostics.filter((d) => d.kind !== 'unknown-setting')).toEqual([]);
    });
  }
});

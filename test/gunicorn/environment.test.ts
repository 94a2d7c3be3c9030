// How the reader treats what the deployment does not show: the host's cores, environment
// variables set elsewhere, application commands that start gunicorn, configs found by name.
import { describe, expect, test } from 'vitest';
import { readGunicornSources, type GunicornSourceInput } from '../../src/gunicorn/index.js';
import type { ReadGunicornOptions } from '../../src/gunicorn/index.js';
import type { Dynamic, GunicornApp } from '../../src/gunicorn/types.js';
import type { RuleContext, ReportInput } from '../../src/lint/rule.js';
import { rule as workersDefault } from '../../rules/gunicorn/workers-default.js';
import { rule as workersRange } from '../../rules/gunicorn/workers-range.js';

function read(inputs: GunicornSourceInput[], files: Record<string, string> = {}, opts: ReadGunicornOptions = {}): GunicornApp[] {
  const all = { ...files, ...Object.fromEntries(inputs.filter((i) => i.text !== undefined).map((i) => [i.path, i.text!])) };
  return readGunicornSources(inputs, {
    version: '23.0.0', env: {}, readFile: (p) => files[p],
    listDir: (dir) => Object.keys(all).filter((p) => p.slice(0, p.lastIndexOf('/')) === dir).map((p) => p.slice(p.lastIndexOf('/') + 1)),
    ...opts,
  });
}

function value(app: GunicornApp, name: string): unknown {
  return app.settings.get(name)!.value;
}

function dynamic(app: GunicornApp, name: string): Dynamic {
  const v = app.settings.get(name)!.value as Dynamic;
  expect(v).toMatchObject({ dynamic: true });
  return v;
}

function lint(r: typeof workersDefault, apps: GunicornApp[]): ReportInput[] {
  const out: ReportInput[] = [];
  const ctx = { gunicorn: apps, nginx: null, model: {} as RuleContext['model'], options: { versions: { nginx: '1.24.0', gunicorn: '23.0.0' }, cpus: apps[0]?.cpus ?? null, ruleOptions: {} }, report: (i: ReportInput) => out.push(i) } as unknown as RuleContext;
  r.check(ctx);
  return out;
}

describe('host cores not given', () => {
  const conf = { path: '/app/gunicorn.conf.py', text: 'import multiprocessing\nworkers = multiprocessing.cpu_count() * 2 + 1\n' };

  test('cpu_count() makes the setting depend on the host\'s cores, never on the linting machine', () => {
    const [app] = read([conf]);
    expect(app!.cpus).toBeNull();
    expect(dynamic(app!, 'workers')).toMatchObject({ cores: true });
  });

  test('with --cpus, cpu_count() is that number', () => {
    const [app] = read([conf], {}, { cpus: 4 });
    expect(value(app!, 'workers')).toBe(9);
  });

  test('a worker count computed with $(nproc) in a script is one dynamic value, not stray words', () => {
    const script = { path: '/app/run.sh', text: '#!/bin/bash\nexport N=$((2 * $(nproc --all)))\nexec gunicorn app.wsgi --workers $N --bind=unix:/tmp/a.sock\n' };
    const [app] = read([script]);
    expect(dynamic(app!, 'workers')).toMatchObject({ cores: true });
    expect(app!.diagnostics.filter((d) => d.kind === 'unknown-setting')).toEqual([]);
    const [counted] = read([script], {}, { cpus: 4 });
    expect(value(counted!, 'workers')).toBe(8);
  });

  test('workers-default still reports the single default worker, with the formula instead of a number and no fix', () => {
    const [app] = read([{ path: '/app/Procfile', text: 'web: gunicorn app:app\n' }]);
    const [f] = lint(workersDefault, [app!]);
    expect(f!.message).toContain('1 worker');
    expect(f!.message).toContain('2 × cores + 1');
    expect(f!.message).not.toMatch(/= \d/);
    expect(f!.fix).toBeUndefined();
  });

  test('workers-range needs the core count: it says nothing without it', () => {
    const [app] = read([{ path: '/app/Procfile', text: 'web: gunicorn -w 2 app:app\n' }]);
    expect(lint(workersRange, [app!])).toEqual([]);
    const [counted] = read([{ path: '/app/Procfile', text: 'web: gunicorn -w 2 app:app\n' }], {}, { cpus: 4 });
    expect(lint(workersRange, [counted!])).toHaveLength(1);
  });
});

describe('settings from the environment', () => {
  test('WEB_CONCURRENCY from a compose env_file in the folder sets workers, traced to that line', () => {
    const [app] = read([{ path: '/d/docker-compose.yml', text: 'services:\n  web:\n    env_file: ./web.env\n    command: gunicorn app:app\n' }], { '/d/web.env': '# tuning\nWEB_CONCURRENCY=5\n' });
    expect(value(app!, 'workers')).toBe(5);
    expect(app!.settings.get('workers')!.origin).toMatchObject({ kind: 'env', line: 2 });
    expect(app!.settings.get('workers')!.origin.file!.path).toBe('/d/web.env');
  });

  test('an env_file outside the folder makes gunicorn\'s env defaults depend on the environment, with the default as fallback', () => {
    const [app] = read([{ path: '/d/docker-compose.yml', text: 'services:\n  web:\n    env_file: ../secrets/.env\n    command: gunicorn app:app\n' }]);
    expect(dynamic(app!, 'workers')).toMatchObject({ env: ['WEB_CONCURRENCY'], fallback: 1 });
    expect(app!.settings.get('workers')!.isDefault).toBe(false);
    expect(app!.openEnv?.reason).toContain('../secrets/.env');
  });

  test('workers-default says the single worker holds unless the unseen environment sets WEB_CONCURRENCY', () => {
    const apps = read([{ path: '/d/docker-compose.yml', text: 'services:\n  web:\n    env_file: ../secrets/.env\n    command: gunicorn app:app\n' }], {}, { cpus: 2 });
    const [f] = lint(workersDefault, apps);
    expect(f!.message).toMatch(/1 worker \(gunicorn's default\) unless WEB_CONCURRENCY is set by env_file \.\.\/secrets\/\.env/);
  });

  test('os.environ.get in conf.py uses the value an EnvironmentFile found by name in the folder sets', () => {
    const unit = '[Service]\nWorkingDirectory=/var/local/app\nExecStart=/opt/venv/bin/gunicorn -c /var/local/app/gunicorn.ini app.wsgi\nEnvironmentFile=-/etc/app/conf.d/*.conf\n';
    const ini = "import os\nworkers = os.environ.get('GUNICORN_WORKERS', 4)\ntimeout = os.environ.get('GUNICORN_TIMEOUT', 30)\n";
    const [app] = read([{ path: '/d/app.service', text: unit }, { path: '/d/gunicorn.ini', text: ini }], { '/d/gunicorn.conf': 'GUNICORN_WORKERS=2\n' });
    expect(value(app!, 'workers')).toBe(2);
    expect(value(app!, 'timeout')).toBe(30);
    expect(app!.diagnostics.filter((d) => d.kind === 'note').map((d) => d.message)).toEqual([
      'EnvironmentFile /etc/app/conf.d/*.conf: read gunicorn.conf from the deployment folder (same name)',
      'config file /var/local/app/gunicorn.ini: read gunicorn.ini from the deployment folder (same name)',
    ]);
  });

  test('an EnvironmentFile that is not there makes os.environ.get() depend on the environment', () => {
    const unit = '[Service]\nExecStart=/opt/venv/bin/gunicorn -c /srv/gunicorn.conf.py app.wsgi\nEnvironmentFile=/etc/app/env\n';
    const conf = "import os\nworkers = int(os.environ.get('APP_WORKERS', 3))\nbind = os.environ.get('APP_BIND', '127.0.0.1:8000')\n";
    const [app] = read([{ path: '/d/app.service', text: unit }, { path: '/d/gunicorn.conf.py', text: conf }]);
    expect(dynamic(app!, 'workers')).toMatchObject({ env: ['APP_WORKERS'], fallback: 3 });
    expect(dynamic(app!, 'bind')).toMatchObject({ env: ['APP_BIND'], fallback: ['127.0.0.1:8000'] });
    expect(app!.binds.map((b) => b.raw)).toEqual(['127.0.0.1:8000']);
  });

  test('with nothing unseen, os.environ.get() takes its default as before', () => {
    const unit = '[Service]\nExecStart=/opt/venv/bin/gunicorn -c /srv/gunicorn.conf.py app.wsgi\n';
    const [app] = read([{ path: '/d/app.service', text: unit }, { path: '/d/gunicorn.conf.py', text: "import os\nworkers = int(os.environ.get('APP_WORKERS', 3))\n" }]);
    expect(value(app!, 'workers')).toBe(3);
  });

  test('a compose value interpolated from an unset ${VAR} is unknown, not the literal text', () => {
    const [app] = read([{ path: '/d/compose.yml', text: 'services:\n  web:\n    environment:\n      WEB_CONCURRENCY: ${WORKERS}\n    command: gunicorn app:app\n' }]);
    expect(dynamic(app!, 'workers')).toMatchObject({ env: ['WEB_CONCURRENCY'] });
  });

  test('compose interpolates from the .env file next to it', () => {
    const [app] = read([{ path: '/d/compose.yml', text: 'services:\n  web:\n    environment:\n      WEB_CONCURRENCY: ${WORKERS:-2}\n    command: gunicorn app:app\n' }], { '/d/.env': 'WORKERS=6\n' });
    expect(value(app!, 'workers')).toBe(6);
  });

  test('the last Dockerfile stage inherits ENV from the stage it is built FROM', () => {
    const dockerfile = 'FROM python:3.12 AS base\nENV WEB_CONCURRENCY=3\nFROM base AS prod\nCMD ["gunicorn", "app:app"]\n';
    const [app] = read([{ path: '/d/Dockerfile', text: dockerfile }]);
    expect(value(app!, 'workers')).toBe(3);
    expect(app!.settings.get('workers')!.origin.line).toBe(2);
  });

  test('a stage FROM an image starts with no ENV of the earlier stages', () => {
    const dockerfile = 'FROM python:3.12 AS builder\nENV WEB_CONCURRENCY=3\nFROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n';
    const [app] = read([{ path: '/d/Dockerfile', text: dockerfile }]);
    expect(value(app!, 'workers')).toBe(1);
  });

  test('a compose service built from a Dockerfile in the folder starts with that image\'s ENV', () => {
    const compose = 'services:\n  web:\n    build:\n      context: ./app\n      dockerfile: Dockerfile.prod\n    command: gunicorn app:app\n';
    const [app] = read([{ path: '/d/docker-compose.yml', text: compose }], { '/d/Dockerfile.prod': 'FROM python:3.12\nENV WEB_CONCURRENCY=7\n' });
    expect(value(app!, 'workers')).toBe(7);
  });

  test('a try/except around int() of a known value takes the try branch', () => {
    const dockerfile = 'FROM python:3.9 AS base\nENV APP_WORKERS="4"\nFROM base AS production\nCMD gunicorn -c ./gunicorn.conf.py app.wsgi\nFROM base AS dev\nCMD ["invoke", "server"]\n';
    const conf = "import os\nworkers = os.environ.get('APP_WORKERS', None)\nif workers is not None:\n    try:\n        workers = int(workers)\n    except ValueError:\n        workers = None\nif workers is None:\n    workers = 9\n";
    const [app] = read([{ path: '/d/Dockerfile', text: dockerfile }, { path: '/d/gunicorn.conf.py', text: conf }]);
    expect(app!.launcher).toBe('docker');
    expect(value(app!, 'workers')).toBe(4);
  });
});

describe('application commands that start gunicorn', () => {
  test('`lemur start -b …` gives a bind, a note, and no guessed worker class', () => {
    const conf = '[program:lemur]\ncommand=lemur start -b 0.0.0.0:8000\ndirectory=/opt/lemur\n';
    const [app] = read([{ path: '/d/supervisor.conf', text: conf }]);
    expect(app!.wrapped).toBe('lemur start');
    expect(app!.binds.map((b) => b.raw)).toEqual(['0.0.0.0:8000']);
    expect(dynamic(app!, 'worker_class').reason).toContain('lemur start');
    expect(dynamic(app!, 'workers')).toBeDefined();
    expect(app!.diagnostics).toEqual([expect.objectContaining({ kind: 'note', line: 2, message: 'program:lemur starts the app through `lemur start`, which runs gunicorn with settings conftune cannot see (only its bind is read)' })]);
    expect(lint(workersDefault, [app!])).toEqual([]);
  });

  test('without -b, a wrapped app has no bind at all (not gunicorn\'s default)', () => {
    const [app] = read([{ path: '/d/supervisor.conf', text: '[program:lemur]\ncommand=lemur start\n' }]);
    expect(app!.binds).toEqual([]);
  });

  test('other subcommands of the same program are not gunicorn', () => {
    expect(read([{ path: '/d/supervisor.conf', text: '[program:cron]\ncommand=lemur notify expirations\n' }])).toEqual([]);
  });
});

describe('-c with another extension or path', () => {
  test('-c gunicorn.ini relative to WorkingDirectory reads that Python file', () => {
    const unit = '[Service]\nWorkingDirectory=/d\nExecStart=/usr/bin/gunicorn -c gunicorn.ini app.wsgi\n';
    const [app] = read([{ path: '/d/app.service', text: unit }], { '/d/gunicorn.ini': 'workers = 6\n' });
    expect(value(app!, 'workers')).toBe(6);
    expect(app!.diagnostics.filter((d) => d.kind === 'note')).toEqual([]);
  });

  test('an absolute -c path not in the folder is not found when no file of that name is there either', () => {
    const [app] = read([{ path: '/d/app.service', text: '[Service]\nExecStart=/usr/bin/gunicorn -c /etc/app/g.py app.wsgi\n' }]);
    expect(app!.diagnostics.map((d) => d.message)).toEqual(['config file /etc/app/g.py was not found; its settings are unknown']);
  });
});

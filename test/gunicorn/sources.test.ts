import { describe, expect, test } from 'vitest';
import { readGunicornSources, type GunicornSourceInput } from '../../src/gunicorn/index.js';
import type { GunicornApp, Origin } from '../../src/gunicorn/types.js';

const OPTS = { version: '23.0.0', cpus: 4, env: {} };

function read(inputs: GunicornSourceInput[], files: Record<string, string> = {}, env: Record<string, string> = {}): GunicornApp[] {
  return readGunicornSources(inputs, { ...OPTS, env, readFile: (p) => files[p] });
}

function where(o: Origin): string {
  return `${o.kind} ${o.file?.path}:${o.line}:${o.column} ${o.file ? JSON.stringify(o.file.text.slice(o.start, o.end)) : ''}`;
}

function setting(app: GunicornApp, name: string): { value: unknown; at: string } {
  const s = app.settings.get(name)!;
  return { value: s.value, at: where(s.origin) };
}

describe('systemd units', () => {
  const unit = [
    '[Unit]',
    'Description=app',
    '',
    '[Service]',
    'User=www-data',
    'WorkingDirectory=/srv/app',
    'Environment="WEB_CONCURRENCY=3" MODE=prod',
    'EnvironmentFile=-/etc/default/app',
    'ExecStart=-/srv/app/venv/bin/gunicorn \\',
    '    --workers 5 -k gevent \\',
    '    --bind 127.0.0.1:8001 app.wsgi:application',
    '',
  ].join('\n');

  test('reads ExecStart flags across continuation lines, with their positions', () => {
    const [app] = read([{ path: '/etc/systemd/system/app.service', text: unit }]);
    expect(app!.launcher).toBe('systemd');
    expect(app!.wsgiApp).toBe('app.wsgi:application');
    expect(setting(app!, 'workers')).toEqual({ value: 5, at: 'cli /etc/systemd/system/app.service:10:5 "--workers 5"' });
    expect(setting(app!, 'worker_class')).toEqual({ value: 'gevent', at: 'cli /etc/systemd/system/app.service:10:17 "-k gevent"' });
    expect(app!.binds).toMatchObject([{ kind: 'tcp', host: '127.0.0.1', port: 8001, origin: { line: 11, column: 5 } }]);
  });

  test('applies Environment= (quoted assignments) as gunicorn env defaults', () => {
    const noWorkers = unit.replace('--workers 5 ', '');
    const [app] = read([{ path: '/u/app.service', text: noWorkers }]);
    expect(setting(app!, 'workers').value).toBe(3);
    expect(setting(app!, 'workers').at).toMatch(/^env \/u\/app\.service:7:1 /);
  });

  test('reads EnvironmentFile= when readable, and its values override Environment=', () => {
    const files = { '/etc/default/app': '# defaults\nWEB_CONCURRENCY=7\nGUNICORN_CMD_ARGS="--timeout 90"\n' };
    const [app] = read([{ path: '/u/app.service', text: unit.replace('--workers 5 ', '') }], files);
    expect(setting(app!, 'workers')).toEqual({ value: 7, at: 'env /etc/default/app:2:1 "WEB_CONCURRENCY=7"' });
    expect(setting(app!, 'timeout')).toEqual({ value: 90, at: 'GUNICORN_CMD_ARGS /etc/default/app:3:20 "--timeout 90"' });
    expect(app!.sources.map((s) => s.path)).toContain('/etc/default/app');
  });

  test('reports an unreadable EnvironmentFile without a - prefix as an io diagnostic', () => {
    const [app] = read([{ path: '/u/app.service', text: unit.replace('EnvironmentFile=-', 'EnvironmentFile=') }]);
    expect(app!.diagnostics).toMatchObject([{ kind: 'io', line: 8, column: 1 }]);
  });

  test('ignores an unreadable optional (-) EnvironmentFile', () => {
    expect(read([{ path: '/u/app.service', text: unit }])[0]!.diagnostics).toEqual([]);
  });

  test('finds gunicorn.conf.py through WorkingDirectory and applies it below the command line', () => {
    const files = { '/srv/app/gunicorn.conf.py': 'workers = 2\nkeepalive = 10\n' };
    const [app] = read([{ path: '/u/app.service', text: unit }], files);
    expect(setting(app!, 'workers').value).toBe(5);
    expect(setting(app!, 'keepalive')).toEqual({ value: 10, at: 'conf.py /srv/app/gunicorn.conf.py:2:1 "keepalive = 10"' });
  });

  test('resolves -c relative to WorkingDirectory, and matches a given conf.py by name when paths differ', () => {
    const text = unit.replace('--workers 5', '-c deploy/gunicorn.conf.py');
    const direct = read([{ path: '/u/app.service', text }], { '/srv/app/deploy/gunicorn.conf.py': 'threads = 4\n' });
    expect(setting(direct[0]!, 'threads').value).toBe(4);
    const byName = read([{ path: '/repo/app.service', text }, { path: '/repo/gunicorn.conf.py', text: 'threads = 6\n' }]);
    expect(byName).toHaveLength(1);
    expect(setting(byName[0]!, 'threads').at).toBe('conf.py /repo/gunicorn.conf.py:1:1 "threads = 6"');
  });

  test('reports a -c file that cannot be found as an io diagnostic on the flag value', () => {
    const [app] = read([{ path: '/u/app.service', text: unit.replace('--workers 5', '-c /etc/app/missing.py') }]);
    expect(app!.diagnostics).toMatchObject([{ kind: 'io', line: 10, column: 8, setting: 'config' }]);
  });

  test('takes binds from the companion socket unit (socket activation)', () => {
    const [app] = read([
      { path: '/u/app.service', text: unit },
      { path: '/u/app.socket', text: '[Socket]\nListenStream=/run/app.sock\nListenStream=127.0.0.1:9001\n' },
    ]);
    expect(app!.binds.map((b) => b.raw)).toEqual(['unix:/run/app.sock', '127.0.0.1:9001']);
    expect(where(app!.binds[1]!.origin)).toBe('socket-unit /u/app.socket:3:1 "ListenStream=127.0.0.1:9001"');
  });

  test('handles the @ prefix (second word is argv[0]) and ignores units that do not run gunicorn', () => {
    const at = read([{ path: '/u/a.service', text: '[Service]\nExecStart=@/usr/bin/gunicorn gunicorn-app -w 2 app:app\n' }]);
    expect(setting(at[0]!, 'workers').value).toBe(2);
    expect(read([{ path: '/u/b.service', text: '[Service]\nExecStart=/usr/bin/celery worker\n' }])).toEqual([]);
  });
});

describe('Procfile', () => {
  test('reads the process that runs gunicorn, with PORT from the environment', () => {
    const text = 'release: python manage.py migrate\nweb: gunicorn app:app --workers=3 --bind 0.0.0.0:$PORT\n';
    const [app] = read([{ path: '/p/Procfile', text }], {}, { PORT: '5000' });
    expect(app!.launcher).toBe('procfile');
    expect(setting(app!, 'workers')).toEqual({ value: 3, at: 'cli /p/Procfile:2:23 "--workers=3"' });
    expect(app!.binds).toMatchObject([{ host: '0.0.0.0', port: 5000 }]);
  });

  test('marks a bind with an unknown $PORT as dynamic', () => {
    const [app] = read([{ path: '/p/Procfile', text: 'web: gunicorn app:app -b 0.0.0.0:$PORT\n' }]);
    expect(app!.settings.get('bind')!.value).toEqual({ dynamic: true, reason: '$PORT is not known', env: ['PORT'] });
    expect(app!.binds).toEqual([]);
  });

  test('uses PORT as the default bind when no -b is given (gunicorn does)', () => {
    const [app] = read([{ path: '/p/Procfile', text: 'web: gunicorn app:app\n' }], {}, { PORT: '8080' });
    expect(app!.binds.map((b) => b.raw)).toEqual(['0.0.0.0:8080']);
    expect(app!.settings.get('bind')!.origin).toMatchObject({ kind: 'env', detail: 'PORT' });
  });
});

describe('Dockerfile', () => {
  const dockerfile = [
    'FROM python:3.12 AS build',
    'ENV IGNORED=1',
    'FROM python:3.12-slim',
    'ENV WEB_CONCURRENCY=4 PORT="8000"',
    'ENV GUNICORN_CMD_ARGS --keep-alive 15',
    'WORKDIR /app',
    'COPY . .',
    'CMD ["gunicorn", "--threads", "2", \\',
    '     "-b", "0.0.0.0:9000", "app:app"]',
    '',
  ].join('\n');

  test('reads exec-form CMD across continuation lines, ENV in both forms, and the last stage only', () => {
    const [app] = read([{ path: '/d/Dockerfile', text: dockerfile }]);
    expect(app!.launcher).toBe('docker');
    expect(setting(app!, 'threads')).toEqual({ value: 2, at: 'cli /d/Dockerfile:8:18 "\\"--threads\\", \\"2\\""' });
    expect(setting(app!, 'workers').value).toBe(4);
    expect(setting(app!, 'workers').at).toMatch(/^env \/d\/Dockerfile:4:1 /);
    expect(setting(app!, 'keepalive')).toMatchObject({ value: 15 });
    expect(app!.binds.map((b) => [b.raw, b.origin.line, b.origin.column])).toEqual([['0.0.0.0:9000', 9, 6]]);
  });

  test('reads shell-form CMD and ENTRYPOINT + CMD', () => {
    const shell = read([{ path: '/d/Dockerfile', text: 'FROM x\nCMD exec gunicorn -w 3 app:app\n' }]);
    expect(setting(shell[0]!, 'workers').value).toBe(3);
    const split = read([{ path: '/d/Dockerfile', text: 'FROM x\nENTRYPOINT ["gunicorn"]\nCMD ["-w", "6", "app:app"]\n' }]);
    expect(setting(split[0]!, 'workers').value).toBe(6);
  });

  test('finds a conf.py copied into the image by its name next to the Dockerfile', () => {
    const [app] = read([
      { path: '/d/Dockerfile', text: 'FROM x\nWORKDIR /app\nCMD ["gunicorn", "-c", "/app/conf/gunicorn.conf.py", "app:app"]\n' },
      { path: '/d/gunicorn.conf.py', text: 'workers = 9\n' },
    ]);
    expect(setting(app!, 'workers').at).toBe('conf.py /d/gunicorn.conf.py:1:1 "workers = 9"');
  });
});

describe('docker-compose', () => {
  const compose = [
    'services:',
    '  web:',
    '    build: .',
    '    command: gunicorn -w 4 --bind=0.0.0.0:8000 app:app',
    '    environment:',
    '      FORWARDED_ALLOW_IPS: "172.18.0.1"',
    '      GUNICORN_CMD_ARGS: --timeout 120',
    '  api:',
    '    command: ["gunicorn", "-k", "gevent", "api:app"]',
    '    environment:',
    '      - WEB_CONCURRENCY=2',
    '  db:',
    '    image: postgres',
    '',
  ].join('\n');

  test('reads string and list commands and both environment forms, with positions', () => {
    const apps = read([{ path: '/c/docker-compose.yml', text: compose }]);
    expect(apps.map((a) => a.name)).toEqual(['app:app', 'api:app']);
    const [web, api] = apps;
    expect(setting(web!, 'workers')).toEqual({ value: 4, at: 'cli /c/docker-compose.yml:4:23 "-w 4"' });
    expect(setting(web!, 'forwarded_allow_ips')).toMatchObject({ value: ['172.18.0.1'] });
    expect(setting(web!, 'forwarded_allow_ips').at).toMatch(/^env \/c\/docker-compose\.yml:6:7 /);
    expect(setting(web!, 'timeout')).toEqual({ value: 120, at: 'GUNICORN_CMD_ARGS /c/docker-compose.yml:7:26 "--timeout 120"' });
    expect(setting(api!, 'worker_class')).toEqual({ value: 'gevent', at: 'cli /c/docker-compose.yml:9:27 "\\"-k\\", \\"gevent\\""' });
    expect(setting(api!, 'workers').value).toBe(2);
    expect(api!.launcher).toBe('compose');
  });

  test('interpolates ${VAR:-default} from the environment', () => {
    const [app] = read([{ path: '/c/compose.yaml', text: 'services:\n  web:\n    command: gunicorn -w ${W:-3} app:app\n' }]);
    expect(setting(app!, 'workers').value).toBe(3);
  });
});

describe('supervisord', () => {
  test('reads [program:x] command and environment', () => {
    const text = [
      '[supervisord]',
      'nodaemon=true',
      '',
      '[program:web]',
      'command=/venv/bin/gunicorn app:app',
      '    --workers 3 --max-requests 500',
      'environment=WEB_CONCURRENCY="9",GUNICORN_CMD_ARGS="--keep-alive 4"',
      'directory=/srv/app',
      '',
    ].join('\n');
    const [app] = read([{ path: '/s/supervisord.conf', text }]);
    expect(app!.launcher).toBe('supervisord');
    expect(setting(app!, 'workers')).toEqual({ value: 3, at: 'cli /s/supervisord.conf:6:5 "--workers 3"' });
    expect(setting(app!, 'max_requests').value).toBe(500);
    expect(setting(app!, 'keepalive')).toEqual({ value: 4, at: 'GUNICORN_CMD_ARGS /s/supervisord.conf:7:52 "--keep-alive 4"' });
  });

  test('detects a supervisord program in any .conf by its [program:] section', () => {
    expect(read([{ path: '/etc/supervisor/conf.d/app.conf', text: '[program:app]\ncommand=gunicorn -w 2 app:app\n' }])[0]!.launcher).toBe('supervisord');
  });
});

describe('shell scripts', () => {
  test('reads exec gunicorn after exports and cd, with positions', () => {
    const text = '#!/bin/sh\nset -e\nexport WEB_CONCURRENCY=5\ncd /srv/app\nif [ -n "$DEBUG" ]; then\n  exec gunicorn --reload app:app\nfi\n';
    const [app] = read([{ path: '/x/start.sh', text }], { '/srv/app/gunicorn.conf.py': 'timeout = 5\n' });
    expect(app!.launcher).toBe('shell');
    expect(setting(app!, 'workers')).toEqual({ value: 5, at: 'env /x/start.sh:3:8 "WEB_CONCURRENCY=5"' });
    expect(setting(app!, 'reload')).toEqual({ value: true, at: 'cli /x/start.sh:6:17 "--reload"' });
    expect(setting(app!, 'timeout').value).toBe(5);
  });

  test('reads a plain text file holding a gunicorn command line', () => {
    const [app] = read([{ path: '/x/cmd.txt', text: 'gunicorn -w8 -k gevent --keep-alive 60 application:application\n' }]);
    expect(app!.launcher).toBe('cli');
    expect([setting(app!, 'workers').value, setting(app!, 'worker_class').value, setting(app!, 'keepalive').value]).toEqual([8, 'gevent', 60]);
  });
});

describe('grouping', () => {
  test('a lone gunicorn.conf.py is an app by itself', () => {
    const apps = read([{ path: '/a/gunicorn.conf.py', text: 'workers = 3\n' }]);
    expect(apps).toHaveLength(1);
    expect(apps[0]!.launcher).toBe('unknown');
    expect(setting(apps[0]!, 'workers').value).toBe(3);
  });

  test('a gunicorn.conf.py next to a Procfile belongs to it (gunicorn loads ./gunicorn.conf.py)', () => {
    const apps = read([{ path: '/a/Procfile', text: 'web: gunicorn app:app\n' }, { path: '/a/gunicorn.conf.py', text: 'workers = 3\n' }]);
    expect(apps).toHaveLength(1);
    expect(apps[0]!.sources.map((s) => s.path)).toEqual(['/a/Procfile', '/a/gunicorn.conf.py']);
  });

  test('reads inputs without text through readFile', () => {
    const apps = readGunicornSources([{ path: '/a/Procfile' }], { ...OPTS, readFile: (p) => (p === '/a/Procfile' ? 'web: gunicorn -w 2 app:app\n' : undefined) });
    expect(apps).toHaveLength(1);
  });

  test('keeps byte offsets for latin1 text with UTF-8 characters before a flag', () => {
    const text = Buffer.from('# café\nweb: gunicorn app:app -w 2\n', 'utf8').toString('latin1');
    const [app] = read([{ path: '/a/Procfile', text }]);
    const o = app!.settings.get('workers')!.origin;
    expect(o.file!.text.slice(o.start, o.end)).toBe('-w 2');
    expect([o.line, o.column]).toEqual([2, 23]);
  });
});

import { describe, expect, test } from 'vitest';
import { readGunicornSources } from '../../src/gunicorn/index.js';
import type { GunicornApp } from '../../src/gunicorn/types.js';

function app(script: string, opts: { conf?: string; env?: Record<string, string>; version?: string } = {}): GunicornApp {
  const files: Record<string, string> = opts.conf ? { '/app/gunicorn.conf.py': opts.conf } : {};
  const apps = readGunicornSources([{ path: '/app/run.sh', text: `#!/bin/sh\ncd /app\n${script}\n`, kind: 'shell' }], {
    version: opts.version ?? '23.0.0', cpus: 4, env: opts.env ?? {}, readFile: (p) => files[p],
  });
  expect(apps).toHaveLength(1);
  return apps[0]!;
}

const get = (a: GunicornApp, name: string) => a.settings.get(name)!;

describe('merge order (gunicorn.conf.py < GUNICORN_CMD_ARGS < command line)', () => {
  const conf = 'workers = 2\nkeepalive = 3\ntimeout = 10\n';
  const env = { GUNICORN_CMD_ARGS: '--keep-alive 9 --timeout 20' };

  test('the command line wins over GUNICORN_CMD_ARGS and the config file', () => {
    expect(get(app('gunicorn --timeout 30 app:app', { conf, env }), 'timeout')).toMatchObject({ value: 30, origin: { kind: 'cli' }, isDefault: false });
  });
  test('GUNICORN_CMD_ARGS wins over the config file', () => {
    expect(get(app('gunicorn app:app', { conf, env }), 'keepalive')).toMatchObject({ value: 9, origin: { kind: 'GUNICORN_CMD_ARGS' } });
  });
  test('the config file wins over defaults', () => {
    expect(get(app('gunicorn app:app', { conf, env }), 'workers')).toMatchObject({ value: 2, origin: { kind: 'conf.py', line: 1, column: 1 } });
  });
  test('unset settings keep the version default, marked as such', () => {
    expect(get(app('gunicorn app:app'), 'graceful_timeout')).toMatchObject({ value: 30, isDefault: true, origin: { kind: 'default' } });
  });
  test('-c in GUNICORN_CMD_ARGS chooses the config file when the command line has none', () => {
    const files: Record<string, string> = { '/etc/g.py': 'threads = 7\n' };
    const [a] = readGunicornSources([{ path: '/app/run.sh', text: 'gunicorn app:app\n', kind: 'shell' }], {
      cpus: 2, env: { GUNICORN_CMD_ARGS: '-c /etc/g.py' }, readFile: (p) => files[p],
    });
    expect(get(a!, 'threads').value).toBe(7);
  });
  test('-b on the command line replaces the config file binds entirely', () => {
    const a = app('gunicorn -b 127.0.0.1:1 app:app', { conf: 'bind = ["0.0.0.0:2", "unix:/x"]\n' });
    expect(a.binds.map((b) => b.raw)).toEqual(['127.0.0.1:1']);
  });
  test('each bind from a config file list points at its own list item', () => {
    const a = app('gunicorn app:app', { conf: 'bind = [\n    "0.0.0.0:2",\n    "unix:/x",\n]\n' });
    expect(a.binds.map((b) => [b.raw, b.origin.line, b.origin.column])).toEqual([['0.0.0.0:2', 2, 5], ['unix:/x', 3, 5]]);
  });
});

describe('environment defaults', () => {
  test('WEB_CONCURRENCY sets the default worker count', () => {
    expect(get(app('gunicorn app:app', { env: { WEB_CONCURRENCY: '6' } }), 'workers')).toMatchObject({ value: 6, origin: { kind: 'env', detail: 'WEB_CONCURRENCY' } });
  });
  test('an explicit workers setting wins over WEB_CONCURRENCY', () => {
    expect(get(app('gunicorn -w 2 app:app', { env: { WEB_CONCURRENCY: '6' } }), 'workers').value).toBe(2);
  });
  test('a non-integer WEB_CONCURRENCY is an invalid-value diagnostic', () => {
    expect(app('gunicorn app:app', { env: { WEB_CONCURRENCY: 'lots' } }).diagnostics).toMatchObject([{ kind: 'invalid-value', setting: 'workers' }]);
  });
  test('PORT makes the default bind 0.0.0.0:$PORT', () => {
    expect(app('gunicorn app:app', { env: { PORT: '5000' } }).binds).toMatchObject([{ kind: 'tcp', host: '0.0.0.0', port: 5000 }]);
  });
  test('without PORT the default bind is 127.0.0.1:8000', () => {
    expect(app('gunicorn app:app').binds).toMatchObject([{ kind: 'tcp', host: '127.0.0.1', port: 8000 }]);
  });
  test('FORWARDED_ALLOW_IPS sets the default trusted proxies', () => {
    expect(get(app('gunicorn app:app', { env: { FORWARDED_ALLOW_IPS: '10.0.0.1, 10.0.0.2' } }), 'forwarded_allow_ips').value).toEqual(['10.0.0.1', '10.0.0.2']);
  });
  test('the launcher environment reaches the config file', () => {
    expect(get(app('export W=5\ngunicorn app:app', { conf: 'import os\nworkers = int(os.environ["W"])\n' }), 'workers').value).toBe(5);
  });
});

describe('versions', () => {
  test('forwarded_allow_ips defaults to 127.0.0.1 on 20.x and adds ::1 from 22', () => {
    expect(get(app('gunicorn app:app', { version: '20.1.0' }), 'forwarded_allow_ips').value).toEqual(['127.0.0.1']);
    expect(get(app('gunicorn app:app', { version: '22.0.0' }), 'forwarded_allow_ips').value).toEqual(['127.0.0.1', '::1']);
    expect(get(app('gunicorn app:app', { version: '23.0.0' }), 'forwarded_allow_ips').value).toEqual(['127.0.0.1', '::1']);
  });
  test('CIDR in forwarded_allow_ips is invalid before 24.1 and valid after', () => {
    const conf = "forwarded_allow_ips = '10.0.0.0/8'\n";
    expect(app('gunicorn app:app', { conf, version: '23.0.0' }).diagnostics).toMatchObject([{ kind: 'invalid-value', setting: 'forwarded_allow_ips' }]);
    expect(app('gunicorn app:app', { conf, version: '24.1.0' }).diagnostics).toEqual([]);
    expect(app('gunicorn app:app', { conf, version: '20.1.0' }).diagnostics).toEqual([]);
  });
  test('eventlet is a worker class until 26', () => {
    expect(app('gunicorn -k eventlet app:app', { version: '23.0.0' }).diagnostics).toEqual([]);
    expect(app('gunicorn -k eventlet app:app', { version: '26.1.0' }).diagnostics).toMatchObject([{ kind: 'invalid-value', setting: 'worker_class' }]);
  });
  test('records the target version and uses the nearest table for unknown ones', () => {
    const a = app('gunicorn --header-map refuse app:app', { version: '22.0.0' });
    expect(a.version).toBe('22.0.0');
    expect(a.diagnostics).toEqual([]);
  });
});

describe('validation', () => {
  test.each([
    ['gunicorn -w many app:app', 'workers'],
    ['gunicorn --timeout -5 app:app', 'timeout'],
    ['gunicorn -k fancy app:app', 'worker_class'],
    ['gunicorn -b 127.0.0.1:http app:app', 'bind'],
    ['gunicorn -b ::1 app:app', 'bind'],
    ['gunicorn --reload-engine fast app:app', 'reload_engine'],
  ])('reports %s as invalid-value', (cmd, setting) => {
    expect(app(cmd).diagnostics).toMatchObject([{ kind: 'invalid-value', setting }]);
  });
  test.each([
    ["preload_app = 'yes'\n", 'preload_app'],
    ['workers = 2.5\n', 'workers'],
    ['timeout = "30s"\n', 'timeout'],
    ['bind = 8000\n', 'bind'],
    ['secure_scheme_headers = ["X"]\n', 'secure_scheme_headers'],
    ['on_starting = 5\n', 'on_starting'],
  ])('reports the config file value %j as invalid-value at its line', (conf, setting) => {
    expect(app('gunicorn app:app', { conf }).diagnostics).toMatchObject([{ kind: 'invalid-value', setting, line: 1, column: 1 }]);
  });
  test('accepts what gunicorn accepts: a dotted worker class, string booleans and numeric strings', () => {
    const a = app('gunicorn -k uvicorn.workers.UvicornWorker app:app', { conf: "preload_app = 'True'\nworkers = '0x4'\n" });
    expect(a.diagnostics).toEqual([]);
    expect([get(a, 'preload_app').value, get(a, 'workers').value]).toEqual([true, 4]);
  });
  test('keeps the earlier value when a later one is invalid', () => {
    expect(get(app('gunicorn -w x app:app', { conf: 'workers = 3\n' }), 'workers').value).toBe(3);
  });
  test('a dynamic value is kept with its reason and not validated', () => {
    expect(get(app('gunicorn app:app', { conf: 'from settings import W\nworkers = W\n' }), 'workers').value).toEqual({ dynamic: true, reason: 'imported from settings' });
  });
  test('hooks are settings whose value marks the function', () => {
    expect(get(app('gunicorn app:app', { conf: 'def post_fork(server, worker):\n    pass\n' }), 'post_fork')).toMatchObject({ value: '<function post_fork>', origin: { kind: 'conf.py', line: 1 } });
  });
  test('unknown flags are unknown-setting diagnostics with their position', () => {
    expect(app('gunicorn --wrkers 3 app:app').diagnostics).toMatchObject([{ kind: 'unknown-setting', line: 3, column: 10, suggestion: '--workers' }]);
  });
});

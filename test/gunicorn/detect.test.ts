import { describe, expect, test } from 'vitest';
import { detectSourceKind } from '../../src/gunicorn/detect.js';
import { parseGunicornVersionOutput, detectGunicornVersion } from '../../src/gunicorn/version.js';
import { nearestTableVersion } from '../../src/gunicorn/settings.js';
import { listenStreamToBind, parseBindAddress } from '../../src/gunicorn/binds.js';
import { editDistance } from '../../src/gunicorn/suggest.js';

describe('detectSourceKind', () => {
  test.each([
    ['/etc/systemd/system/app.service', '[Service]\nExecStart=/bin/true\n', 'systemd'],
    ['/etc/systemd/system/app.socket', '[Socket]\nListenStream=80\n', 'socket'],
    ['Procfile', 'web: gunicorn app:app\n', 'procfile'],
    ['Dockerfile', 'FROM x\n', 'dockerfile'],
    ['Dockerfile.prod', 'FROM x\n', 'dockerfile'],
    ['docker-compose.yml', 'services: {}\n', 'compose'],
    ['compose.prod.yaml', 'services: {}\n', 'compose'],
    ['supervisord.conf', '[supervisord]\n', 'supervisord'],
    ['app.conf', '[program:app]\ncommand=x\n', 'supervisord'],
    ['start.sh', 'echo\n', 'shell'],
    ['start', '#!/bin/bash\nexec gunicorn app\n', 'shell'],
    ['gunicorn.conf.py', '', 'conf.py'],
    ['gunicorn_config.py', '', 'conf.py'],
    ['settings.py', 'workers = 4\nbind = "x"\n', 'conf.py'],
    ['deploy/cmd.txt', 'gunicorn -w 4 app:app\n', 'text'],
    ['unit', '[Unit]\n[Service]\nExecStart=/usr/bin/gunicorn app\n', 'systemd'],
  ])('%s is a %s source', (path, text, kind) => {
    expect(detectSourceKind(path, text)).toBe(kind);
  });
  test.each([
    ['views.py', 'def index(request):\n    pass\n'],
    ['README.md', 'run gunicorn app:app\n'],
    ['notes.txt', 'nothing about the server here\n'],
  ])('%s is not a gunicorn source', (path, text) => {
    expect(detectSourceKind(path, text)).toBeNull();
  });
});

describe('versions', () => {
  test('parses gunicorn --version output', () => {
    expect(parseGunicornVersionOutput('gunicorn (version 20.1.0)\n')).toBe('20.1.0');
    expect(parseGunicornVersionOutput('gunicorn (version 23.0)')).toBe('23.0');
  });
  test('returns undefined when the command is absent', () => {
    expect(detectGunicornVersion('conftune-no-such-gunicorn-binary')).toBeUndefined();
  });
  test('reads the installed gunicorn version', () => {
    expect(detectGunicornVersion()).toMatch(/^\d+\.\d+/);
  });
  test.each([
    ['19.9.0', '20.1.0'],
    ['20.1.0', '20.1.0'],
    ['21.2.0', '20.1.0'],
    ['22.0.0', '23.0.0'],
    ['24.1.1', '23.0.0'],
    ['26.0.0', '26.1.0'],
    ['30', '26.1.0'],
    ['nonsense', '23.0.0'],
  ])('uses the nearest settings table: %s → %s', (version, table) => {
    expect(nearestTableVersion(version)).toBe(table);
  });
});

describe('bind syntax', () => {
  test.each([
    ['127.0.0.1:8000', { kind: 'tcp', host: '127.0.0.1', port: 8000 }],
    ['[::1]:8001', { kind: 'tcp', host: '::1', port: 8001 }],
    ['[::]', { kind: 'tcp', host: '::', port: 8000 }],
    ['localhost', { kind: 'tcp', host: 'localhost', port: 8000 }],
    ['Example.COM:80', { kind: 'tcp', host: 'example.com', port: 80 }],
    ['tcp://0.0.0.0:9', { kind: 'tcp', host: '0.0.0.0', port: 9 }],
    ['unix:/run/app.sock', { kind: 'unix', path: '/run/app.sock' }],
    ['unix:///run/app.sock', { kind: 'unix', path: '/run/app.sock' }],
    ['fd://3', { kind: 'fd', fd: 3 }],
  ])('parses %s like gunicorn', (raw, bind) => {
    expect(parseBindAddress(raw)).toEqual({ ok: true, bind });
  });
  test.each(['127.0.0.1:', 'host:port', '::1', 'fd://x', '1.2.3.4:70000'])('rejects %s', (raw) => {
    expect(parseBindAddress(raw).ok).toBe(false);
  });
  test('maps socket unit ListenStream values to binds', () => {
    expect(['/run/a.sock', '8000', '127.0.0.1:9000', '[::1]:9001'].map(listenStreamToBind)).toEqual(['unix:/run/a.sock', '[::]:8000', '127.0.0.1:9000', '[::1]:9001']);
  });
});

test('edit distance counts a transposition as one edit', () => {
  expect(editDistance('wokrers', 'workers')).toBe(1);
  expect(editDistance('timout', 'timeout')).toBe(1);
});

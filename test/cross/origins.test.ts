// Findings about a gunicorn value point at the line (and flag) that set it, in whichever source
// launched gunicorn: conf.py assignment, ExecStart flag, Dockerfile ENV, compose environment,
// Procfile, supervisord command, shell script.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../src/lint/rule.js';
import { checkDir, deployment, nginxTo, of, removeAll } from './helpers.js';

const dirs: string[] = [];
afterAll(() => removeAll(dirs));

/** Checks a deployment and returns the one finding of `rule`, plus the dir. */
function single(files: Record<string, string>, rule: string, paths: string[] = []): { f: Finding; dir: string } {
  const dir = deployment(files);
  dirs.push(dir);
  const found = of(checkDir(dir, { select: [rule], paths }), rule);
  expect(found, `${rule} findings`).toHaveLength(1);
  return { f: found[0]!, dir };
}

/** file:line:column where `needle` starts in `file`. */
function position(dir: string, file: string, needle: string): string {
  const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  return `${file}:${i + 1}:${lines[i]!.indexOf(needle) + 1}`;
}

const where = (f: Finding): string => `${path.basename(f.file)}:${f.line}:${f.column}`;

/** A pooled upstream toward a single gthread worker: what max-requests-with-keepalive needs. */
const POOLED = nginxTo('127.0.0.1:8000', { pool: true, upstreamExtra: '        keepalive_timeout 1s;\n' });

describe('findings on gunicorn values point where the value was set', () => {
  it('a gunicorn.conf.py assignment', () => {
    const { f, dir } = single({ 'nginx.conf': POOLED, 'gunicorn.conf.py': 'workers = 1\nthreads = 4\n\nmax_requests = 500\n' }, 'cross/max-requests-with-keepalive');
    expect(where(f)).toBe(position(dir, 'gunicorn.conf.py', 'max_requests = 500'));
  });

  it('the flag in a systemd ExecStart', () => {
    const { f, dir } = single({
      'nginx.conf': POOLED,
      'app.service': '[Unit]\nDescription=app\n\n[Service]\nExecStart=/srv/venv/bin/gunicorn --workers 1 --threads 4 \\\n    --max-requests 1000 app.wsgi\n',
    }, 'cross/max-requests-with-keepalive');
    expect(where(f)).toBe(position(dir, 'app.service', '--max-requests 1000'));
  });

  it('the command line wins over gunicorn.conf.py, and the finding follows it', () => {
    const { f, dir } = single({
      'nginx.conf': POOLED,
      'gunicorn.conf.py': 'max_requests = 500\n',
      'app.service': '[Service]\nWorkingDirectory=/srv/app\nExecStart=/srv/venv/bin/gunicorn -w 1 --threads 4 --max-requests 1000 app.wsgi\n',
    }, 'cross/max-requests-with-keepalive');
    expect(where(f)).toBe(position(dir, 'app.service', '--max-requests 1000'));
    expect(f.message).toContain('every 1000 requests');
  });

  it('a Dockerfile ENV line (PORT makes the default bind 0.0.0.0:$PORT)', () => {
    const { f, dir } = single({
      'nginx.conf': nginxTo('127.0.0.1:8000'),
      Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nENV PORT=8000\nCMD ["gunicorn", "--workers", "3", "app.wsgi"]\n',
    }, 'cross/gunicorn-exposed');
    expect(where(f)).toBe(position(dir, 'Dockerfile', 'ENV PORT=8000'));
  });

  it('the flag inside a Dockerfile ENV GUNICORN_CMD_ARGS', () => {
    const { f, dir } = single({
      'nginx.conf': POOLED,
      Dockerfile: 'FROM python:3.12-slim\nENV GUNICORN_CMD_ARGS="--workers 1 --threads 4 --max-requests 800"\nCMD ["gunicorn", "app.wsgi"]\n',
    }, 'cross/max-requests-with-keepalive');
    expect(where(f)).toBe(position(dir, 'Dockerfile', '--max-requests 800'));
  });

  it('a docker-compose environment entry', () => {
    const { f, dir } = single({
      'nginx.conf': 'events {}\nhttp { server { listen 80; listen 443 ssl; location / {\n proxy_set_header X-Forwarded-Proto $scheme;\n proxy_pass http://web:8000; } } }\n',
      'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n    environment:\n      FORWARDED_ALLOW_IPS: "127.0.0.1"\n',
    }, 'cross/forwarded-ips-untrusted');
    expect(where(f)).toBe(position(dir, 'docker-compose.yml', 'FORWARDED_ALLOW_IPS'));
  });

  it('the flag in a Procfile', () => {
    const { f, dir } = single({
      'nginx.conf': 'events {}\nhttp { server { listen 80; listen 443 ssl; location / { proxy_pass http://unix:/run/app.sock; } } }\n',
      Procfile: 'web: gunicorn --bind unix:/run/app.sock --workers 40 app.wsgi\n',
    }, 'cross/cpu-oversubscription');
    expect(where(f)).toBe(position(dir, 'Procfile', '--workers 40'));
  });

  it('the flag in a supervisord command', () => {
    const { f, dir } = single({
      'nginx.conf': nginxTo('127.0.0.1:8000'),
      'supervisord.conf': '[program:app]\ndirectory=/srv/app\ncommand=/srv/venv/bin/gunicorn --workers 3 --bind 0.0.0.0:8000 app.wsgi\n',
    }, 'cross/gunicorn-exposed');
    expect(where(f)).toBe(position(dir, 'supervisord.conf', '--bind 0.0.0.0:8000'));
  });

  it('the flag in a shell script named on the command line', () => {
    const { f, dir } = single({
      'nginx.conf': POOLED,
      'start.sh': '#!/bin/sh\nset -e\ncd /srv/app\nexec gunicorn --workers 1 --threads 4 \\\n  --max-requests 2000 app.wsgi\n',
    }, 'cross/max-requests-with-keepalive', ['nginx.conf', 'start.sh']);
    expect(where(f)).toBe(position(dir, 'start.sh', '--max-requests 2000'));
  });

  it('a forwarded_allow_ips = "*" assignment', () => {
    const { f, dir } = single({
      'nginx.conf': nginxTo('127.0.0.1:8000'),
      'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nforwarded_allow_ips = "*"\n',
    }, 'cross/forwarded-headers-spoofable');
    expect(where(f)).toBe(position(dir, 'gunicorn.conf.py', 'forwarded_allow_ips'));
  });

  it('a limit_request_line set by hand, rather than nginx', () => {
    const { f, dir } = single({
      'nginx.conf': nginxTo('127.0.0.1:8000'),
      'app.service': '[Service]\nExecStart=/srv/venv/bin/gunicorn --limit-request-line 1024 app.wsgi\n',
    }, 'cross/request-line-limits');
    expect(where(f)).toBe(position(dir, 'app.service', '--limit-request-line 1024'));
  });

  it('falls back to nginx when the gunicorn value is a default with no line', () => {
    const { f, dir } = single({
      'nginx.conf': 'events {}\nhttp { server { listen 80; listen 443 ssl; location / {\n proxy_set_header X-Forwarded-Proto $scheme;\n proxy_pass http://web:8000; } } }\n',
      'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n',
    }, 'cross/forwarded-ips-untrusted');
    expect(where(f)).toBe(position(dir, 'nginx.conf', 'proxy_pass http://web:8000'));
  });
});

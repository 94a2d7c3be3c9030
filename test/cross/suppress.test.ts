// Suppression comments work in whichever file a cross finding points at.
import { afterAll, describe, expect, it } from 'vitest';
import { at, checkDir, deployment, nginxTo, removeAll } from './helpers.js';

const dirs: string[] = [];
afterAll(() => removeAll(dirs));

function run(rule: string, files: Record<string, string>) {
  const dir = deployment(files);
  dirs.push(dir);
  const r = checkDir(dir, { select: [rule] });
  return { active: at(r, rule), suppressed: r.suppressed.filter((f) => f.ruleId === rule).length };
}

describe('suppressing cross findings', () => {
  it('in nginx.conf, on the line above', () => {
    const nginx = nginxTo('127.0.0.1:8000').replace('    upstream app {', '    # conftune-disable-next-line cross/async-backend-no-keepalive\n    upstream app {');
    expect(run('cross/async-backend-no-keepalive', { 'nginx.conf': nginx, Procfile: 'web: gunicorn -k gevent app:app\n' })).toEqual({ active: [], suppressed: 1 });
  });

  it('in gunicorn.conf.py, at the end of the line', () => {
    const conf = 'workers = 1\nthreads = 4\nmax_requests = 1000  # conftune-disable-line cross/max-requests-with-keepalive\n';
    expect(run('cross/max-requests-with-keepalive', { 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true }), 'gunicorn.conf.py': conf })).toEqual({ active: [], suppressed: 1 });
  });

  it('in docker-compose.yml, on the line above', () => {
    const compose = 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n    environment:\n      # conftune-disable-next-line cross/forwarded-ips-untrusted\n      FORWARDED_ALLOW_IPS: "127.0.0.1"\n';
    const nginx = 'events {}\nhttp { server { listen 80; listen 443 ssl; location / {\n proxy_set_header X-Forwarded-Proto $scheme;\n proxy_pass http://web:8000; } } }\n';
    expect(run('cross/forwarded-ips-untrusted', { 'nginx.conf': nginx, 'docker-compose.yml': compose })).toEqual({ active: [], suppressed: 1 });
  });

  it('in a Dockerfile, on the line above the ENV', () => {
    const docker = 'FROM python:3.12\n# conftune-disable-next-line cross/gunicorn-exposed\nENV PORT=8000\nCMD ["gunicorn", "app.wsgi"]\n';
    expect(run('cross/gunicorn-exposed', { 'nginx.conf': nginxTo('127.0.0.1:8000'), Dockerfile: docker })).toEqual({ active: [], suppressed: 1 });
  });
});

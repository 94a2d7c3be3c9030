// The facts the cross rules rest on (rules.md + gunicorn's and nginx's documented behaviour),
// one behaviour per test.
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckOptions } from '../../src/check.js';
import { at, checkDir, deployment, nginxTo, of, removeAll } from './helpers.js';

const dirs: string[] = [];
afterAll(() => removeAll(dirs));

function run(rule: string, files: Record<string, string>, opts: Partial<CheckOptions> = {}) {
  const dir = deployment(files);
  dirs.push(dir);
  const r = checkDir(dir, { select: [rule], ...opts });
  expect(r.internalErrors).toEqual([]);
  return r;
}

const HTTPS_SERVER = (headers: string, target = 'http://127.0.0.1:8000') => `events {}
http {
    server {
        listen 443 ssl;
        ssl_certificate /etc/ssl/a.crt;
        ssl_certificate_key /etc/ssl/a.key;
        location / {
${headers}            proxy_pass ${target};
        }
    }
}
`;

describe('cross/async-backend-no-keepalive', () => {
  const RULE = 'cross/async-backend-no-keepalive';
  const gevent = { Procfile: 'web: gunicorn -k gevent app:app\n' };

  it('is silent from nginx 1.29.7, which pools with HTTP/1.1 by default', () => {
    expect(at(run(RULE, { ...gevent, 'nginx.conf': nginxTo('127.0.0.1:8000') }, { nginxVersion: '1.29.7' }), RULE)).toEqual([]);
  });

  it('still reports on 1.29.7 when the location forces Connection: close', () => {
    const nginx = nginxTo('127.0.0.1:8000', { locationExtra: '            proxy_set_header Connection close;\n' });
    const [f] = of(run(RULE, { ...gevent, 'nginx.conf': nginx }, { nginxVersion: '1.29.7' }), RULE);
    expect(f!.message).toContain('a cleared Connection header');
    expect(f!.message).not.toContain('"keepalive" in the upstream');
  });

  it('reports "keepalive 0" on 1.29.7 (pooling switched off)', () => {
    const nginx = nginxTo('127.0.0.1:8000', { upstreamExtra: '        keepalive 0;\n' });
    expect(of(run(RULE, { ...gevent, 'nginx.conf': nginx }, { nginxVersion: '1.29.7' }), RULE)[0]!.message).toContain('"keepalive" in the upstream');
  });

  it('accepts proxy_http_version 2 as a pooling protocol', () => {
    const nginx = nginxTo('127.0.0.1:8000', { upstreamExtra: '        keepalive 16;\n', locationExtra: '            proxy_http_version 2;\n            proxy_set_header Connection "";\n' });
    expect(at(run(RULE, { ...gevent, 'nginx.conf': nginx }, { nginxVersion: '1.29.7' }), RULE)).toEqual([]);
  });

  it('counts sync + threads > 1 as gthread and says why', () => {
    const [f] = of(run(RULE, { Procfile: 'web: gunicorn --threads 4 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }), RULE);
    expect(f!.message).toContain('gthread workers (sync with threads > 1');
  });

  it('is silent toward sync workers', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn -w 4 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }), RULE)).toEqual([]);
  });
});

describe('cross/keepalive-timeout-race', () => {
  const RULE = 'cross/keepalive-timeout-race';

  it("reports gthread's default keepalive 2s against nginx's default 60s", () => {
    const r = run(RULE, { Procfile: 'web: gunicorn --threads 4 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true }) });
    expect(of(r, RULE)[0]!.message).toContain("keepalive 2s (gunicorn's default)");
    expect(of(r, RULE)[0]!.fix!.edits[0]!.text.trim()).toBe('keepalive_timeout 1s;');
  });

  it('is silent when gunicorn keepalive is 0 (it closes every connection, nothing is pooled)', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn -k gevent --keep-alive 0 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true }) }), RULE)).toEqual([]);
  });

  it('is silent while nginx does not reuse connections (HTTP/1.0 to the upstream)', () => {
    const nginx = nginxTo('127.0.0.1:8000', { upstreamExtra: '        keepalive 16;\n' });
    expect(at(run(RULE, { Procfile: 'web: gunicorn -k gevent app:app\n', 'nginx.conf': nginx }), RULE)).toEqual([]);
  });

  it("on 1.29.7 reports nginx's default pool and inserts keepalive_timeout into the upstream", () => {
    const r = run(RULE, { Procfile: 'web: gunicorn -k gevent --keep-alive 5 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }, { nginxVersion: '1.29.7' });
    const [f] = of(r, RULE);
    expect(f!.line).toBe(3);
    expect(f!.fix!.edits[0]!.text).toContain('keepalive_timeout 4s;');
  });

  it('does not run before nginx 1.15.3 (no upstream keepalive_timeout there)', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn -k gevent app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true }) }, { nginxVersion: '1.14.2' }), RULE)).toEqual([]);
  });

  it('uses a sub-second value below a 1s keep-alive', () => {
    const r = run(RULE, { Procfile: 'web: gunicorn -k gevent --keep-alive 1 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true }) });
    expect(of(r, RULE)[0]!.fix!.edits[0]!.text.trim()).toBe('keepalive_timeout 500ms;');
  });
});

describe('cross/secure-scheme-mismatch', () => {
  const RULE = 'cross/secure-scheme-mismatch';
  const app = { 'gunicorn.conf.py': 'bind = "127.0.0.1:8000"\n' };
  const both = '            proxy_set_header X-Forwarded-Proto $scheme;\n            proxy_set_header X-Forwarded-Protocol $scheme;\n';

  it('reports X-Forwarded-Protocol $scheme beside X-Forwarded-Proto on an https server', () => {
    expect(at(run(RULE, { ...app, 'nginx.conf': HTTPS_SERVER(both) }), RULE)).toEqual(['nginx.conf:9']);
  });

  it('is silent for the same headers on a plain-http server (both say http)', () => {
    const nginx = 'events {}\nhttp { server { listen 80; location / {\n' + both + ' proxy_pass http://127.0.0.1:8000; } } }\n';
    expect(at(run(RULE, { ...app, 'nginx.conf': nginx }), RULE)).toEqual([]);
  });

  it('compares values exactly, as gunicorn does ("On" is not "on")', () => {
    const headers = '            proxy_set_header X-Forwarded-Proto $scheme;\n            proxy_set_header X-Forwarded-Ssl On;\n';
    expect(of(run(RULE, { ...app, 'nginx.conf': HTTPS_SERVER(headers) }), RULE)[0]!.message).toContain('it wants exactly "on"');
  });

  it('is silent when gunicorn does not trust nginx (it ignores the headers then)', () => {
    const r = run(RULE, {
      'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n',
      'nginx.conf': HTTPS_SERVER(both, 'http://web:8000'),
    });
    expect(at(r, RULE)).toEqual([]);
  });

  it('ignores a header $https leaves empty on http (nginx does not send empty headers)', () => {
    const headers = '            proxy_set_header X-Forwarded-Proto $scheme;\n            proxy_set_header X-Forwarded-Ssl $https;\n';
    const nginx = 'events {}\nhttp { server { listen 80; listen 443 ssl; location / {\n' + headers + ' proxy_pass http://127.0.0.1:8000; } } }\n';
    expect(at(run(RULE, { ...app, 'nginx.conf': nginx }), RULE)).toEqual([]);
  });
});

describe('cross/underscore-header-dropped', () => {
  const RULE = 'cross/underscore-header-dropped';
  const withHeader = (h: string, target = '127.0.0.1:8000') => nginxTo(target, { locationExtra: `            proxy_set_header ${h};\n` });

  it('does not run for gunicorn 20.1 (it passes such headers)', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn app:app\n', 'nginx.conf': withHeader('X_Tenant acme') }, { gunicornVersion: '20.1.0' }), RULE)).toEqual([]);
  });

  it('says 400 when header_map is "refuse"', () => {
    const r = run(RULE, { Procfile: 'web: gunicorn --header-map refuse app:app\n', 'nginx.conf': withHeader('X_Tenant acme') });
    expect(of(r, RULE)[0]!.message).toContain('400');
  });

  it('keeps SCRIPT_NAME from a trusted nginx (a forwarder header)', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn app:app\n', 'nginx.conf': withHeader('SCRIPT_NAME /app') }), RULE)).toEqual([]);
  });

  it('reports SCRIPT_NAME from an nginx gunicorn does not trust', () => {
    const r = run(RULE, { 'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n', 'nginx.conf': withHeader('SCRIPT_NAME /app', 'web:8000') });
    expect(at(r, RULE)).toEqual(['nginx.conf:9']);
  });

  it('ignores a header set to "" (nginx does not send it)', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn app:app\n', 'nginx.conf': withHeader('X_Tenant ""') }), RULE)).toEqual([]);
  });
});

describe('cross/forwarded-ips-untrusted', () => {
  const RULE = 'cross/forwarded-ips-untrusted';
  const compose = { 'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n' };
  const via = (headers: string, target = 'http://web:8000') => `events {}\nhttp { server { listen 80; listen 443 ssl; location / {\n${headers} proxy_pass ${target}; } } }\n`;

  it('is silent when nginx sends only X-Forwarded-For (gunicorn uses the trust list for scheme headers only)', () => {
    expect(at(run(RULE, { ...compose, 'nginx.conf': via('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n') }), RULE)).toEqual([]);
  });

  it('reports [::1] for gunicorn 20.1, whose default trusts 127.0.0.1 only', () => {
    const files = { 'gunicorn.conf.py': 'bind = "[::1]:8000"\n', 'nginx.conf': via('proxy_set_header X-Forwarded-Proto $scheme;\n', 'http://[::1]:8000') };
    expect(at(run(RULE, files, { gunicornVersion: '20.1.0' }), RULE)).toEqual(['nginx.conf:4']);
    expect(at(run(RULE, files, { gunicornVersion: '23.0.0' }), RULE)).toEqual([]);
  });

  it('does not second-guess a trust list naming a non-loopback address', () => {
    const files = { 'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 --forwarded-allow-ips 172.18.0.2 app.wsgi\n', 'nginx.conf': via('proxy_set_header X-Forwarded-Proto $scheme;\n') };
    expect(at(run(RULE, files), RULE)).toEqual([]);
  });
});

describe('cross/forwarded-headers-spoofable', () => {
  const RULE = 'cross/forwarded-headers-spoofable';

  it('is silent about $http_x_forwarded_proto when gunicorn ignores nginx\'s headers anyway', () => {
    const files = {
      'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n',
      'nginx.conf': 'events {}\nhttp { server { listen 80; listen 443 ssl; location / {\n proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;\n proxy_pass http://web:8000; } } }\n',
    };
    expect(at(run(RULE, files), RULE)).toEqual([]);
  });

  it('is silent about "*" when gunicorn listens on loopback only', () => {
    expect(at(run(RULE, { 'gunicorn.conf.py': 'bind = "127.0.0.1:8000"\nforwarded_allow_ips = "*"\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }), RULE)).toEqual([]);
  });
});

describe('cross/gunicorn-exposed', () => {
  const RULE = 'cross/gunicorn-exposed';

  it('is silent when nginx reaches gunicorn by a container name (the wildcard bind is needed)', () => {
    const files = { 'docker-compose.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app.wsgi\n', 'nginx.conf': nginxTo('web:8000') };
    expect(at(run(RULE, files), RULE)).toEqual([]);
  });

  it('reports an extra wildcard bind of a gunicorn nginx reaches over a unix socket', () => {
    const files = { 'gunicorn.conf.py': 'bind = ["unix:/run/app.sock", "[::]:9000"]\n', 'nginx.conf': nginxTo('unix:/run/app.sock') };
    expect(of(run(RULE, files), RULE)[0]!.message).toContain('[::]:9000');
  });
});

describe('cross/keepalive-pool-vs-capacity', () => {
  const RULE = 'cross/keepalive-pool-vs-capacity';

  it("is silent for gthread at gunicorn's defaults: idle connections wait in the poller, not on threads", () => {
    const files = { Procfile: 'web: gunicorn -w 2 --threads 4 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true, top: 'worker_processes 4;\n' }) };
    expect(at(run(RULE, files), RULE)).toEqual([]);
  });

  it('counts worker_processes auto as the host cores', () => {
    const files = { Procfile: 'web: gunicorn -k gevent --worker-connections 20 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true, top: 'worker_processes auto;\n' }) };
    expect(of(run(RULE, files, { cpus: 2 }), RULE)[0]!.message).toContain('keepalive 16 × 2 worker processes');
  });
});

describe('cross/max-requests-with-keepalive', () => {
  const RULE = 'cross/max-requests-with-keepalive';

  it('is silent toward sync workers (nginx holds no pooled connection to them)', () => {
    const files = { Procfile: 'web: gunicorn -w 1 --max-requests 100 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true }) };
    expect(at(run(RULE, files), RULE)).toEqual([]);
  });

  it('is silent with two or more workers', () => {
    const files = { Procfile: 'web: gunicorn -w 2 -k gevent --max-requests 100 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { pool: true }) };
    expect(at(run(RULE, files), RULE)).toEqual([]);
  });
});

describe('cross/request-line-limits', () => {
  const RULE = 'cross/request-line-limits';

  it('reads large_client_header_buffers from the server that proxies, not from the upstream', () => {
    const files = { Procfile: 'web: gunicorn app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000', { serverExtra: '        large_client_header_buffers 4 32k;\n' }) };
    const [f] = of(run(RULE, files), RULE);
    expect(f!.message).toContain('its maximum');
    expect(f!.line).toBe(8);
  });

  it('is silent at limit_request_line 8190 against the default 8k buffers', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn --limit-request-line 8190 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }), RULE)).toEqual([]);
  });

  it('is silent at limit_request_line 0 (unlimited)', () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn --limit-request-line 0 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }), RULE)).toEqual([]);
  });
});

describe('cross/timeout-mismatch', () => {
  const RULE = 'cross/timeout-mismatch';

  it("is silent at gunicorn's default 30s against nginx's default 60s", () => {
    expect(at(run(RULE, { Procfile: 'web: gunicorn app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }), RULE)).toEqual([]);
  });

  it('suggests proxy_read_timeout a little above gunicorn timeout', () => {
    const [f] = of(run(RULE, { Procfile: 'web: gunicorn -t 90 app:app\n', 'nginx.conf': nginxTo('127.0.0.1:8000') }), RULE);
    expect(f!.fix!.kind).toBe('suggest');
    expect(f!.fix!.edits[0]!.text).toContain('proxy_read_timeout 95s;');
  });
});

// A gunicorn value computed in gunicorn.conf.py (a call, an import…) is "dynamic": cross rules
// never guess it. Each case reports with a literal value and stays silent with a computed one.
import { afterAll, describe, expect, it } from 'vitest';
import { at, checkDir, deployment, nginxTo, removeAll } from './helpers.js';

const dirs: string[] = [];
afterAll(() => removeAll(dirs));

function findings(rule: string, nginx: string, conf: string): string[] {
  const dir = deployment({ 'nginx.conf': nginx, 'gunicorn.conf.py': conf });
  dirs.push(dir);
  const r = checkDir(dir, { select: [rule] });
  expect(r.internalErrors).toEqual([]);
  return at(r, rule);
}

const LOCAL = nginxTo('127.0.0.1:8000');
const POOLED = nginxTo('127.0.0.1:8000', { pool: true });
const VIA_NAME = 'events {}\nhttp { server { listen 80; listen 443 ssl; location / {\n proxy_set_header X-Forwarded-Proto $scheme;\n proxy_pass http://web:8000; } } }\n';
const CONTRADICTORY = nginxTo('127.0.0.1:8000', {
  serverExtra: '',
  locationExtra: '            proxy_set_header X-Forwarded-Proto $scheme;\n            proxy_set_header X-Forwarded-Ssl on;\n',
});

interface Case {
  rule: string;
  nginx: string;
  /** gunicorn.conf.py with `VALUE` standing for the setting under test. */
  conf: string;
  literal: string;
  computed?: string;
}

const CASES: Case[] = [
  { rule: 'cross/async-backend-no-keepalive', nginx: LOCAL, conf: 'bind = "127.0.0.1:8000"\nworker_class = VALUE\n', literal: '"gevent"' },
  { rule: 'cross/keepalive-timeout-race', nginx: POOLED, conf: 'worker_class = "gevent"\nkeepalive = VALUE\n', literal: '60' },
  { rule: 'cross/upstream-keepalive-with-sync', nginx: POOLED, conf: 'worker_class = VALUE\n', literal: '"sync"' },
  { rule: 'cross/timeout-mismatch', nginx: LOCAL, conf: 'timeout = VALUE\n', literal: '120' },
  { rule: 'cross/buffering-off-with-sync', nginx: nginxTo('127.0.0.1:8000', { locationExtra: '            proxy_buffering off;\n' }), conf: 'worker_class = VALUE\n', literal: '"sync"' },
  { rule: 'cross/forwarded-ips-untrusted', nginx: VIA_NAME, conf: 'bind = "0.0.0.0:8000"\nforwarded_allow_ips = VALUE\n', literal: '"127.0.0.1"' },
  { rule: 'cross/forwarded-headers-spoofable', nginx: LOCAL, conf: 'bind = "0.0.0.0:8000"\nforwarded_allow_ips = VALUE\n', literal: '"*"' },
  { rule: 'cross/secure-scheme-mismatch', nginx: CONTRADICTORY, conf: 'secure_scheme_headers = VALUE\n', literal: '{"X-FORWARDED-PROTO": "https", "X-FORWARDED-SSL": "on"}' },
  { rule: 'cross/underscore-header-dropped', nginx: nginxTo('127.0.0.1:8000', { locationExtra: '            proxy_set_header X_Tenant acme;\n' }), conf: 'header_map = VALUE\n', literal: '"drop"' },
  { rule: 'cross/request-line-limits', nginx: LOCAL, conf: 'limit_request_line = VALUE\n', literal: '1024' },
  { rule: 'cross/keepalive-pool-vs-capacity', nginx: POOLED, conf: 'worker_class = "gevent"\nworker_connections = VALUE\n', literal: '10' },
  { rule: 'cross/max-requests-with-keepalive', nginx: POOLED, conf: 'workers = 1\nthreads = 4\nmax_requests = VALUE\n', literal: '1000' },
  { rule: 'cross/gunicorn-exposed', nginx: LOCAL, conf: 'bind = VALUE\n', literal: '"0.0.0.0:8000"' },
  { rule: 'cross/cpu-oversubscription', nginx: LOCAL, conf: 'workers = VALUE\n', literal: '40' },
  { rule: 'cross/upstream-bind-mismatch', nginx: LOCAL, conf: 'bind = VALUE\n', literal: '"unix:/run/app.sock"' },
];

describe('cross rules and computed gunicorn values', () => {
  for (const c of CASES) {
    it(`${c.rule} reports with a literal value`, () => {
      expect(findings(c.rule, c.nginx, c.conf.replace('VALUE', c.literal))).not.toEqual([]);
    });
    it(`${c.rule} stays silent when the value is computed`, () => {
      const conf = `from app.settings import compute\n${c.conf.replace('VALUE', c.computed ?? 'compute()')}`;
      expect(findings(c.rule, c.nginx, conf)).toEqual([]);
    });
  }

  it('counts multiprocessing.cpu_count() as the host cores, not as unknown', () => {
    const conf = 'import multiprocessing\nworkers = multiprocessing.cpu_count() * 10\n';
    expect(findings('cross/cpu-oversubscription', LOCAL, conf)).toEqual(['gunicorn.conf.py:2']);
  });

  it('a computed worker_class leaves the worker model unknown: no keepalive advice either way', () => {
    const conf = 'from app.settings import compute\nworker_class = compute()\n';
    expect(findings('cross/async-backend-no-keepalive', LOCAL, conf)).toEqual([]);
    expect(findings('cross/upstream-keepalive-with-sync', POOLED, conf)).toEqual([]);
  });
});

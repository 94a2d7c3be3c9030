// Behaviours of the nginx performance rules that the fixture folders cannot show: other target
// versions and core counts, fragments and unreadable includes, and the catalog's aliases.

import { describe, expect, it } from 'vitest';
import { loadConfigFromText } from '../../src/nginx/load.js';
import { buildDeployment } from '../../src/model/deployment.js';
import { runRules } from '../../src/lint/engine.js';
import type { Finding } from '../../src/lint/rule.js';
import { allRules } from '../../rules/index.js';

interface Opts {
  nginx?: string;
  cpus?: number;
}

function lint(id: string, text: string, opts: Opts = {}): Finding[] {
  const rule = allRules.find((r) => r.meta.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  const config = loadConfigFromText('/virtual/conftune-test/nginx.conf', text);
  const errors: unknown[] = [];
  const findings = runRules(buildDeployment(config, []), [rule], {
    versions: { nginx: opts.nginx ?? '1.24.0', gunicorn: '23.0.0' },
    cpus: opts.cpus ?? 4,
    ruleOptions: {},
    onInternalError: (_m, e) => errors.push(e),
  });
  expect(errors).toEqual([]);
  return findings;
}

/** The text after applying every finding's fix (edits of one pass; they must not overlap). */
function fixed(id: string, text: string, opts: Opts = {}): string {
  const edits = lint(id, text, opts).flatMap((f) => f.fix?.edits ?? []);
  const unique = [...new Map(edits.map((e) => [`${e.start}:${e.end}:${e.text}`, e])).values()].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of unique) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const MAIN = (http: string, main = ''): string => `${main}events {\n}\n\nhttp {\n${http}\n}\n`;

describe('nginx/keepalive-requests-low', () => {
  const upstreamConf = MAIN(`    upstream app {\n        server 10.0.0.5:8000;\n        keepalive 16;\n    }\n    server {\n        listen 8080;\n        location / {\n            proxy_pass http://app;\n        }\n    }`);

  it('reports the old default of 100 for clients and pooled upstreams before nginx 1.19.10', () => {
    const lines = lint('nginx/keepalive-requests-low', upstreamConf, { nginx: '1.18.0' }).map((f) => f.line);
    expect(lines).toEqual([4, 5]);
  });

  it('says nothing about defaults from nginx 1.19.10 on', () => {
    expect(lint('nginx/keepalive-requests-low', upstreamConf, { nginx: '1.24.0' })).toEqual([]);
  });

  it('adds keepalive_requests 1000 after the upstream keepalive on old versions', () => {
    expect(fixed('nginx/keepalive-requests-low', upstreamConf, { nginx: '1.18.0' })).toContain('keepalive 16;\n        keepalive_requests 1000;');
  });

  it('answers to the gixy name low_keepalive_requests and the catalog alias', () => {
    const meta = allRules.find((r) => r.meta.id === 'nginx/keepalive-requests-low')!.meta;
    expect(meta.aliases).toEqual(expect.arrayContaining(['nginx/low-keepalive-requests', 'low_keepalive_requests']));
  });
});

describe('nginx/worker-rlimit-nofile', () => {
  it('reports a missing limit next to a bare worker_connections, as gixy does', () => {
    expect(lint('nginx/worker-rlimit-nofile', 'worker_connections 1024;\n').map((f) => f.line)).toEqual([1]);
  });

  it('accepts exactly twice worker_connections', () => {
    expect(lint('nginx/worker-rlimit-nofile', 'worker_connections 1024;\nworker_rlimit_nofile 2048;\n')).toEqual([]);
  });

  it('answers to gixy\'s worker_rlimit_nofile_vs_connections and the catalog alias', () => {
    const meta = allRules.find((r) => r.meta.id === 'nginx/worker-rlimit-nofile')!.meta;
    expect(meta.aliases).toEqual(expect.arrayContaining(['nginx/worker-rlimit-nofile-vs-connections', 'worker_rlimit_nofile_vs_connections']));
  });
});

describe('nginx/worker-processes', () => {
  const one = MAIN('    server {\n        listen 8080;\n        root /srv;\n    }', 'worker_processes 1;\n');

  it('accepts one worker on a single-core host', () => {
    expect(lint('nginx/worker-processes', one, { cpus: 1 })).toEqual([]);
  });

  it('reports one worker on a multi-core host serving alone', () => {
    expect(lint('nginx/worker-processes', one, { cpus: 8 }).map((f) => f.line)).toEqual([1]);
  });

  it('reports more workers than cores even next to a local backend', () => {
    const conf = MAIN('    server {\n        location / {\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }', 'worker_processes 16;\n');
    expect(lint('nginx/worker-processes', conf, { cpus: 4 })[0]?.message).toContain('above this host\'s 4 cores');
  });
});

describe('nginx/http2-missing', () => {
  const tls = MAIN('    server {\n        listen 443 ssl;\n        ssl_certificate a.pem;\n        ssl_certificate_key a.key;\n    }');

  it('adds "http2 on;" from nginx 1.25.1, where listen … http2 is deprecated', () => {
    expect(fixed('nginx/http2-missing', tls, { nginx: '1.25.1' })).toContain('listen 443 ssl;\n        http2 on;');
  });

  it('adds http2 to the listen line before nginx 1.25.1', () => {
    expect(fixed('nginx/http2-missing', tls, { nginx: '1.24.0' })).toContain('listen 443 ssl http2;');
  });

  it('accepts http2 on at http level from nginx 1.25.1', () => {
    const conf = tls.replace('http {\n', 'http {\n    http2 on;\n');
    expect(lint('nginx/http2-missing', conf, { nginx: '1.26.0' })).toEqual([]);
  });

  it('says nothing about a site file whose socket may get HTTP/2 from another server', () => {
    expect(lint('nginx/http2-missing', 'server {\n    listen 443 ssl;\n}\n')).toEqual([]);
  });
});

describe('nginx/proxy-host-default', () => {
  it('says nothing when an unreadable include may set Host', () => {
    const conf = MAIN('    server {\n        location / {\n            include /nonexistent/proxy.conf;\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }');
    expect(lint('nginx/proxy-host-default', conf)).toEqual([]);
  });

  it('puts Host beside the inherited headers so none is dropped', () => {
    const conf = MAIN('    proxy_set_header X-Real-IP $remote_addr;\n    server {\n        location / {\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }');
    expect(fixed('nginx/proxy-host-default', conf)).toContain('proxy_set_header X-Real-IP $remote_addr;\n    proxy_set_header Host $host;');
  });
});

describe('nginx/proxy-buffering-off-broad', () => {
  it('reports buffering off where it disables proxy_cache', () => {
    const conf = MAIN('    proxy_cache_path /tmp/c keys_zone=z:1m;\n    server {\n        location /api/ {\n            proxy_cache z;\n            proxy_buffering off;\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }');
    expect(lint('nginx/proxy-buffering-off-broad', conf)[0]?.message).toContain('disables proxy_cache');
  });

  it('keeps an app-wide choice in a single catch-all location', () => {
    const conf = MAIN('    server {\n        location / {\n            proxy_buffering off;\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }');
    expect(lint('nginx/proxy-buffering-off-broad', conf)).toEqual([]);
  });
});

describe('nginx/ssl-session-cache', () => {
  it('reuses a shared zone declared elsewhere instead of declaring SSL with another size', () => {
    const conf = MAIN('    server {\n        listen 443 ssl;\n        ssl_session_cache shared:MozSSL:5m;\n    }\n    server {\n        listen 8443 ssl;\n    }');
    expect(fixed('nginx/ssl-session-cache', conf)).toContain('http {\n    ssl_session_cache shared:MozSSL:5m;');
  });

  it('says the cache is the only resumption when session tickets are off', () => {
    const conf = MAIN('    ssl_session_tickets off;\n    server {\n        listen 443 ssl;\n    }');
    expect(lint('nginx/ssl-session-cache', conf)[0]?.message).toContain('no client can resume');
  });
});

describe('nginx/access-log-unbuffered', () => {
  it('leaves logs of servers that only serve files alone', () => {
    const conf = MAIN('    access_log /var/log/nginx/a.log;\n    server {\n        root /srv;\n    }');
    expect(lint('nginx/access-log-unbuffered', conf)).toEqual([]);
  });
});

describe('nginx/tcp-nopush-ineffective', () => {
  it('accepts tcp_nopush where a nested level turns sendfile on', () => {
    const conf = MAIN('    tcp_nopush on;\n    server {\n        sendfile on;\n        root /srv;\n    }');
    expect(lint('nginx/tcp-nopush-ineffective', conf)).toEqual([]);
  });
});

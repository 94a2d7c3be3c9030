// Precision on real deployments: behaviours behind the review of conftune on public projects'
// configs (../shared/corpus/real-deployments) that the fixture folders cannot show — severities
// by target version and by what breaks, opt-in and superseding rules.

import { describe, expect, it } from 'vitest';
import { loadConfigFromText } from '../../src/nginx/load.js';
import { buildDeployment } from '../../src/model/deployment.js';
import { runRules } from '../../src/lint/engine.js';
import type { Finding } from '../../src/lint/rule.js';
import { allRules } from '../../rules/index.js';

function lint(id: string, text: string, nginx = '1.24.0'): Finding[] {
  const rule = allRules.find((r) => r.meta.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  const config = loadConfigFromText('/virtual/conftune-test/nginx.conf', text);
  const errors: unknown[] = [];
  const findings = runRules(buildDeployment(config, []), [rule], {
    versions: { nginx, gunicorn: '23.0.0' },
    cpus: 4,
    ruleOptions: {},
    onInternalError: (_m, e) => errors.push(e),
  });
  expect(errors).toEqual([]);
  return findings;
}

const meta = (id: string) => allRules.find((r) => r.meta.id === id)!.meta;

describe('nginx/ssl-directive-removed', () => {
  const conf = 'server {\n    listen 443;\n    ssl on;\n}\n';
  it('is an error for nginx 1.25.1 and later, which refuse to start', () => {
    expect(lint('nginx/ssl-directive-removed', conf, '1.25.1').map((f) => f.severity)).toEqual(['error']);
  });
  it('is a warning before 1.25.1, where the directive is only deprecated', () => {
    expect(lint('nginx/ssl-directive-removed', conf, '1.24.0').map((f) => f.severity)).toEqual(['warning']);
  });
});

describe('nginx/if-is-evil severities', () => {
  it('is an error only when the if skips the location\'s try_files', () => {
    const conf = 'location / {\n    if ($arg_x) {\n        set $y 1;\n    }\n    try_files $uri @app;\n}\n';
    expect(lint('nginx/if-is-evil', conf).map((f) => f.severity)).toEqual(['error']);
  });
  it('is info for rewrite-module directives alone, a warning for add_header without return', () => {
    expect(lint('nginx/if-is-evil', 'location / {\n    if ($arg_x) {\n        set $y 1;\n    }\n    root /srv;\n}\n').map((f) => f.severity)).toEqual(['info']);
    expect(lint('nginx/if-is-evil', 'location / {\n    if ($arg_x) {\n        add_header X-A 1;\n    }\n    root /srv;\n}\n').map((f) => f.severity)).toEqual(['warning']);
  });
});

describe('nginx/version-disclosure severities', () => {
  it('says nothing when server_tokens is only left at its default, warns when set on', () => {
    expect(lint('nginx/version-disclosure', 'events {}\nhttp {\n}\n')).toEqual([]);
    expect(lint('nginx/version-disclosure', 'events {}\nhttp {\n    server_tokens on;\n}\n').map((f) => f.severity)).toEqual(['warning']);
  });
});

describe('nginx/add-header-redefinition severities', () => {
  it('warns when a security header is dropped, is info when only an ETag-like one is', () => {
    const sec = 'server {\n    add_header X-Frame-Options DENY;\n    location / {\n        add_header X-A 1;\n    }\n}\n';
    const minor = 'server {\n    add_header ETag "";\n    location / {\n        add_header Cache-Control no-cache;\n    }\n}\n';
    expect(lint('nginx/add-header-redefinition', sec).map((f) => f.severity)).toEqual(['warning']);
    expect(lint('nginx/add-header-redefinition', minor).map((f) => f.severity)).toEqual(['info']);
  });
});

describe('nginx/upstream-keepalive-missing and websockets', () => {
  it('still reports an upstream whose location upgrades through a map but also serves plain requests', () => {
    // mastodon's backend: Upgrade/Connection from a map, buffered: plain requests could be pooled.
    const conf = "map $http_upgrade $c {\n    default upgrade;\n    '' close;\n}\nupstream backend {\n    server 127.0.0.1:3000;\n}\nserver {\n    location / {\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $c;\n        proxy_pass http://backend;\n    }\n}\n";
    expect(lint('nginx/upstream-keepalive-missing', conf).map((f) => f.line)).toEqual([5]);
  });
});

describe('nginx/missing-resolver', () => {
  it('says nothing when an include in scope could not be read (it may hold the resolver)', () => {
    const conf = 'events {}\nhttp {\n    include /nonexistent/conftune/resolvers.conf;\n    server {\n        location / {\n            proxy_pass http://$http_x_backend;\n        }\n    }\n}\n';
    expect(lint('nginx/missing-resolver', conf)).toEqual([]);
  });
});

describe('meta', () => {
  it('keeps the noisy gixy-parity rules off by default (enabled by name)', () => {
    for (const id of ['nginx/try-files-is-evil-too', 'nginx/proxy-pass-normalized', 'nginx/host-spoofing', 'nginx/unanchored-regex']) expect(meta(id).optIn, id).toBe(true);
  });
  it('keeps nginx/access-log-unbuffered off by default but measured by tune (a probe rule)', () => {
    expect(meta('nginx/access-log-unbuffered').optIn).toBe(true);
    expect(meta('nginx/access-log-unbuffered').probe).toBe('throughput');
  });
  it('lets cross/async-backend-no-keepalive fold in the general keepalive finding', () => {
    expect(meta('cross/async-backend-no-keepalive').supersedes).toEqual(['nginx/upstream-keepalive-missing']);
  });
});

describe('nginx/upstream-keepalive-missing message', () => {
  it('names the map entry to clear when Connection comes from map $http_upgrade', () => {
    const conf = "map $http_upgrade $c {\n    default upgrade;\n    '' close;\n}\nupstream backend {\n    server 127.0.0.1:3000;\n}\nserver {\n    location / {\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $c;\n        proxy_pass http://backend;\n    }\n}\n";
    const [f] = lint('nginx/upstream-keepalive-missing', conf);
    expect(f?.message).toContain('instead of close in "map $http_upgrade $c"');
  });
});

describe('nginx/connection-upgrade-always', () => {
  it('is info, reported at the first plain location, never at a websocket-only one', () => {
    const conf = 'server {\n    location /ws/ {\n        proxy_set_header Connection "upgrade";\n        proxy_pass http://127.0.0.1:9000;\n    }\n    location /api/ {\n        proxy_set_header Connection "upgrade";\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n';
    expect(lint('nginx/connection-upgrade-always', conf).map((f) => [f.line, f.severity])).toEqual([[7, 'info']]);
  });
});

describe('nginx/add-header-redefinition drops that change nothing', () => {
  it('still warns for X-Frame-Options when HSTS alone would be ignored', () => {
    const conf = 'server {\n    add_header Strict-Transport-Security "max-age=31536000";\n    add_header X-Frame-Options DENY;\n    location /static/ {\n        add_header Cache-Control public;\n    }\n}\n';
    const [f] = lint('nginx/add-header-redefinition', conf);
    expect(f?.severity).toBe('warning');
    expect(f?.message).toContain('"X-Frame-Options"');
    expect(f?.message).not.toContain('Strict-Transport-Security');
  });
  it('reports HSTS dropped by location / (where the pages are)', () => {
    const conf = 'server {\n    add_header Strict-Transport-Security "max-age=31536000";\n    location / {\n        add_header Cache-Control no-store;\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n';
    expect(lint('nginx/add-header-redefinition', conf).map((f) => f.severity)).toEqual(['warning']);
  });
});

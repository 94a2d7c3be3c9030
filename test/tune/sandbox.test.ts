import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadConfigFromText } from '../../src/nginx/load.js';
import { applyEditsToText } from '../../src/edit/apply-text.js';
import { planIsolation, type IsolationContext } from '../../src/tune/sandbox.js';

const SEED = `user www-data;
worker_processes 4;
pid /var/run/nginx.pid;

events {
    worker_connections 768;
}

http {
    sendfile on;
    upstream app_server {
        server 127.0.0.1:8000 fail_timeout=0;
    }
    server {
        listen 8080 default;
        server_name example.org;
        location /api/ {
            proxy_pass   http://app_server;
        }
        location = /health { proxy_pass http://10.0.0.5:9000/status; }
    }
}
`;

function isolate(text: string, over: Partial<IsolationContext> = {}) {
  const file = '/etc/nginx/nginx.conf';
  const config = loadConfigFromText(file, text);
  const ctx: IsolationContext = {
    dir: '/tmp/sbx', root: '/tmp/sbx/root', backend: { kind: 'tcp', host: '127.0.0.1', port: 41000 },
    info: { binary: 'nginx', version: '1.22.1', prefix: '/usr/share/nginx', httpLogPath: '/var/log/nginx/access.log', without: new Set() },
    ports: [42001, 42002, 42003], isRoot: false, userExists: () => true, ...over,
  };
  const plan = planIsolation(config, ctx);
  return { plan, out: applyEditsToText(text, plan.edits.get(file) ?? []) };
}

describe('sandbox isolation rewrites', () => {
  it('moves listen to 127.0.0.1 on a reserved port and keeps its other parameters', () => {
    const { out } = isolate(SEED);
    expect(out).toContain('listen 127.0.0.1:42001 default;');
    expect(out).not.toContain('listen 8080');
  });

  it('points the pid file into the sandbox and drops user when not root', () => {
    const { out } = isolate(SEED);
    expect(out).toContain('pid /tmp/sbx/nginx.pid;');
    expect(out).not.toContain('user www-data');
  });

  it('keeps user when running as root and the user exists', () => {
    const { out } = isolate(SEED, { isRoot: true });
    expect(out).toContain('user www-data;');
  });

  it('points upstream servers and literal proxy_pass targets at the sandbox backend', () => {
    const { out } = isolate(SEED);
    expect(out).toContain('server 127.0.0.1:41000 fail_timeout=0;');
    expect(out).toContain('proxy_pass http://127.0.0.1:41000/status;');
    expect(out).toContain('proxy_pass   http://app_server;');
  });

  it('logs to a sandbox file where nginx would use its compiled-in access log', () => {
    const { out } = isolate(SEED);
    expect(out).toContain(`access_log ${path.join('/tmp/sbx', 'logs', 'access-default.log')};`);
    expect(out).toContain('proxy_temp_path /tmp/sbx/temp/proxy_temp_path;');
  });

  it('keeps every line where it was', () => {
    const { out } = isolate(SEED);
    expect(out.split('\n').length).toBe(SEED.split('\n').length);
  });

  it('targets the first proxying location with its server name', () => {
    const { plan } = isolate(SEED);
    expect(plan.entry).toEqual({ port: 42001, host: 'example.org', path: '/api/' });
  });

  it('measures a TLS listener as plain HTTP and says so', () => {
    const { out, plan } = isolate(SEED.replace('listen 8080 default;', 'listen 443 ssl http2;'));
    expect(out).toContain('listen 127.0.0.1:42001;');
    expect(plan.notes.some((n) => n.includes('TLS listener'))).toBe(true);
  });

  it('uses a unix socket backend in upstream servers', () => {
    const { out } = isolate(SEED, { backend: { kind: 'unix', path: '/tmp/sbx/b.sock' } });
    expect(out).toContain('server unix:/tmp/sbx/b.sock fail_timeout=0;');
  });
});

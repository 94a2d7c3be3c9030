// Includes as a repository holds them: an absolute include names the deployment host's path, the
// file sits in the repository; nginx's stock files are known; the linting machine's own
// /etc/nginx never leaks into the findings; files that include one another form one config.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { check, type CheckOptions } from '../../src/check.js';
import { tempTree } from '../helpers/cli.js';

const tree = (files: Record<string, string>): string => tempTree(files, 'conftune-includes-');

function run(dir: string, paths: string[], extra: Partial<CheckOptions> = {}) {
  return check({ paths, cwd: dir, nginxVersion: '1.24.0', gunicornVersion: '23.0.0', ...extra });
}

const rel = (dir: string, files: Iterable<string>): string[] => [...files].map((f) => path.relative(dir, f)).sort();
const ids = (r: ReturnType<typeof run>, id: string): string[] => r.findings.filter((f) => f.ruleId === id).map((f) => `${path.basename(f.file)}:${f.line}`);

describe('absolute includes in a repository', () => {
  it("reads an absolute include from the deployment's copy beside the config, and says so", () => {
    const dir = tree({
      'nginx/site.conf': 'server {\n    listen 80;\n    include /etc/nginx/snippets/headers.conf;\n}\n',
      'nginx/snippets/headers.conf': 'add_header X-Frame-Options DENY;\n',
    });
    const r = run(dir, ['nginx/site.conf']);
    expect(ids(r, 'nginx/include-missing')).toEqual([]);
    expect(rel(dir, r.files.keys())).toEqual(['nginx/site.conf', 'nginx/snippets/headers.conf']);
    expect(r.notes.map((n) => n.message)).toContain("/etc/nginx/snippets/headers.conf read from the deployment's copy ./snippets/headers.conf");
  });

  it('maps a prefix with includePaths (conftune.json) or --prefix', () => {
    const dir = tree({
      'deploy/main.conf': 'events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n',
      'ops/nginx/conf.d/app.conf': 'server {\n    listen 80;\n}\n',
    });
    const mapped = run(dir, ['deploy/main.conf'], { includePaths: { '/etc/nginx': 'ops/nginx' } });
    expect(rel(dir, mapped.files.keys())).toEqual(['deploy/main.conf', 'ops/nginx/conf.d/app.conf']);
    const prefixed = run(dir, ['deploy/main.conf'], { prefix: 'ops/nginx' });
    expect(rel(dir, prefixed.files.keys())).toEqual(['deploy/main.conf', 'ops/nginx/conf.d/app.conf']);
  });

  it("never reads the host's /etc/nginx for a repository's config: a note instead of a finding", () => {
    const dir = tree({ 'nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n    include /etc/nginx/nothing-here.conf;\n}\n' });
    const r = run(dir, ['nginx.conf']);
    expect(rel(dir, r.files.keys())).toEqual(['nginx.conf']);
    expect(ids(r, 'nginx/include-missing')).toEqual([]);
    expect(r.notes.map((n) => n.message)).toEqual([
      expect.stringContaining('/etc/nginx/sites-enabled/* is outside the checked tree and was not read'),
      expect.stringContaining('/etc/nginx/nothing-here.conf is outside the checked tree and was not read'),
    ]);
  });

  it('reads host paths as written with allowHostIncludes', () => {
    const dir = tree({ 'nginx.conf': 'events {}\nhttp {\n    include /nonexistent-conftune/x.conf;\n}\n' });
    expect(ids(run(dir, ['nginx.conf'], { allowHostIncludes: true }), 'nginx/include-missing')).toEqual(['nginx.conf:3']);
  });

  it('notes a relative include missing from the repository, and reports it once the prefix is known', () => {
    const dir = tree({ 'nginx.conf': 'events {}\nhttp {\n    include site.conf;\n}\n' });
    const r = run(dir, ['nginx.conf']);
    expect(ids(r, 'nginx/include-missing')).toEqual([]);
    expect(r.notes.map((n) => n.message)).toEqual([expect.stringContaining('not in the checked tree')]);
    expect(ids(run(dir, ['nginx.conf'], { prefix: '.' }), 'nginx/include-missing')).toEqual(['nginx.conf:3']);
  });
});

describe("nginx's stock files", () => {
  it('supplies mime.types, fastcgi_params and proxy_params without a finding', () => {
    const dir = tree({
      'site.conf': 'events {}\nhttp {\n    include mime.types;\n    server {\n        listen 80;\n        location / {\n            include proxy_params;\n            proxy_pass http://127.0.0.1:8000;\n        }\n        location ~ \\.php$ {\n            include fastcgi_params;\n            fastcgi_pass 127.0.0.1:9000;\n        }\n    }\n}\n',
    });
    const r = run(dir, ['site.conf']);
    expect(ids(r, 'nginx/include-missing')).toEqual([]);
    // proxy_params sets Host: the stock file's directives count for effective values.
    expect(ids(r, 'nginx/proxy-host-default')).toEqual([]);
    // …but findings are never placed inside nginx's own files.
    expect(r.findings.filter((f) => r.files.get(f.file)?.stock)).toEqual([]);
  });
});

describe('files given together', () => {
  it('form one config when one includes the other, in whichever order they are given', () => {
    const dir = tree({
      'main.conf': 'events {}\nhttp {\n    open_file_cache max=1000;\n    include /etc/nginx/server_config;\n}\n',
      'server_config': 'server {\n    listen 80;\n    root /srv;\n    location / {\n        try_files $uri =404;\n    }\n}\n',
    });
    for (const order of [['server_config', 'main.conf'], ['main.conf', 'server_config']]) {
      const r = run(dir, order);
      expect(r.models.map((m) => path.basename(m.nginx!.main.path))).toEqual(['main.conf']);
      expect(ids(r, 'nginx/open-file-cache-missing')).toEqual([]);
    }
  });
});

describe('envsubst templates', () => {
  it('reads ${VAR} as a placeholder, never a syntax or value error', () => {
    const dir = tree({
      'default.conf.template': 'server {\n    listen ${NGINX_PORT};\n    server_name ${NGINX_HOST};\n    location / {\n        proxy_pass http://${BACKEND_HOST}:8000;\n    }\n}\n',
    });
    const r = run(dir, ['default.conf.template']);
    expect(r.errors).toEqual([]);
    const onPlaceholders = r.findings.filter((f) => /\$\{/.test(r.files.get(f.file)!.text.slice(f.start, f.end)));
    expect(onPlaceholders).toEqual([]);
    expect(ids(r, 'nginx/directive-arguments')).toEqual([]);
  });
});

// The commands that fit conftune into other tools: rules, explain, init, parse (crossplane's
// payload) and check's machine formats, run through the built CLI (node dist/src/cli/main.js).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/bundle/main.js');
const CROSSPLANE = sharedPath('corpus', 'crossplane');

function conftune(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDir = (files: Record<string, string> = {}): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-eco-'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
};

describe('conftune rules', () => {
  it('lists every registered rule with category, severity, fix kind and summary', () => {
    const r = conftune(['rules']);
    expect(r.code).toBe(0);
    for (const rule of allRules) expect(r.stdout).toMatch(new RegExp(`^${rule.meta.id}\\s+${rule.meta.category}\\s+${rule.meta.severity}\\s+${rule.meta.fix}\\s+`, 'm'));
  });

  it('prints the same list as JSON with --format json', () => {
    const list = JSON.parse(conftune(['rules', '--format', 'json']).stdout);
    expect(list.map((r: { id: string }) => r.id).sort()).toEqual(allRules.map((r) => r.meta.id).sort());
    expect(Object.keys(list[0])).toEqual(expect.arrayContaining(['id', 'category', 'severity', 'fix', 'summary']));
  });
});

describe('conftune explain', () => {
  it("prints a rule's documentation page", () => {
    const r = conftune(['explain', 'nginx/upstream-keepalive-missing']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(fs.readFileSync(path.join(ROOT, 'rules/nginx/upstream-keepalive-missing.md'), 'utf8').split('\n')[0]);
    expect(r.stdout).toContain('## What it detects');
  });

  it("prints nginx's syntax, default, contexts and description for a directive", () => {
    const r = conftune(['explain', 'proxy_buffering']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Syntax:  proxy_buffering on | off;');
    expect(r.stdout).toContain('Default: proxy_buffering on;');
    expect(r.stdout).toContain('Context: http, server, location');
    expect(r.stdout).toContain('Enables or disables buffering of responses from the proxied server.');
    expect(r.stdout).toContain('https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering');
  });

  it("prints a gunicorn setting's flags, default and meaning", () => {
    const r = conftune(['explain', 'workers']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Flags:   -w, --workers');
    expect(r.stdout).toContain('Default: 1');
    expect(r.stdout).toMatch(/worker processes/i);
  });

  it('finds a gunicorn setting by its command-line flag', () => {
    expect(conftune(['explain', '--', '--keep-alive']).stdout).toContain('keepalive — gunicorn setting');
  });

  it('prints both meanings when a name is an nginx directive and a gunicorn setting', () => {
    const r = conftune(['explain', 'keepalive']);
    expect(r.stdout).toContain('keepalive — nginx directive (ngx_http_upstream_module)');
    expect(r.stdout).toContain('keepalive — gunicorn setting');
  });

  it('exits 2 with a suggestion for an unknown name', () => {
    const r = conftune(['explain', 'proxy_bufering']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "proxy_buffering"');
  });
});

describe('conftune init', () => {
  const schema = new Ajv({ strict: false }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/conftune.schema.json'), 'utf8')));

  it('writes a conftune.json listing the discovered files that the schema accepts', () => {
    const dir = tempDir({ 'nginx.conf': 'events {}\nhttp {}\n', 'gunicorn.conf.py': 'workers = 2\n' });
    const r = conftune(['init', '--nginx-version', '1.24.0', '--gunicorn-version', '23.0.0'], dir);
    expect(r.code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'conftune.json'), 'utf8'));
    expect(config.files).toEqual(['nginx.conf', 'gunicorn.conf.py']);
    expect(config.nginxVersion).toBe('1.24.0');
    expect(config.$schema).toMatch(/conftune\.schema\.json$/);
    expect(Array.isArray(config.$comment)).toBe(true);
    expect(schema(config)).toBe(true);
  });

  it('records the nginx version found on this machine', () => {
    const dir = tempDir({ 'nginx.conf': 'events {}\n' });
    conftune(['init'], dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'conftune.json'), 'utf8'));
    const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
    const installed = /nginx\/(\d+\.\d+\.\d+)/.exec(`${nginx.stdout ?? ''}${nginx.stderr ?? ''}`)?.[1];
    expect(config.nginxVersion).toBe(installed);
  });

  it('writes a config that `conftune check` then uses', () => {
    const dir = tempDir({ 'nginx.conf': 'events {}\nhttp {\n    server_tokens off;\n}\n' });
    expect(conftune(['init', '--nginx-version', '1.24.0'], dir).code).toBe(0);
    const r = conftune(['check', '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
  });

  it('refuses to overwrite an existing config (exit 2)', () => {
    const dir = tempDir({ 'conftune.json': '{"failLevel": "error"}\n' });
    const r = conftune(['init'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('conftune.json already exists');
    expect(fs.readFileSync(path.join(dir, 'conftune.json'), 'utf8')).toBe('{"failLevel": "error"}\n');
  });
});

describe('conftune parse', () => {
  // crossplane's own trees (../shared/corpus/crossplane) are compared below; this one is ours.
  it("writes crossplane's payload (files, blocks, includes by index) for a small config", () => {
    const dir = tempDir({
      'nginx.conf': 'events {}\nhttp {\n    include extra.conf;\n    server {\n        listen 80;\n        location / {\n            return 200 "ok";\n        }\n    }\n}\n',
      'extra.conf': 'gzip on;\n',
    });
    const got = JSON.parse(conftune(['parse', 'nginx.conf', '--format', 'crossplane'], dir).stdout);
    const location = { directive: 'location', line: 6, args: ['/'], block: [{ directive: 'return', line: 7, args: ['200', 'ok'] }] };
    expect(got).toEqual({
      status: 'ok',
      errors: [],
      config: [
        {
          file: 'nginx.conf',
          status: 'ok',
          errors: [],
          parsed: [
            { directive: 'events', line: 1, args: [], block: [] },
            {
              directive: 'http',
              line: 2,
              args: [],
              block: [
                { directive: 'include', line: 3, args: ['extra.conf'], includes: [1] },
                { directive: 'server', line: 4, args: [], block: [{ directive: 'listen', line: 5, args: ['80'] }, location] },
              ],
            },
          ],
        },
        { file: 'extra.conf', status: 'ok', errors: [], parsed: [{ directive: 'gzip', line: 1, args: ['on'] }] },
      ],
    });
    const combined = JSON.parse(conftune(['parse', 'nginx.conf', '--format', 'crossplane', '--combine'], dir).stdout);
    expect(combined.config).toHaveLength(1);
    expect(combined.config[0].parsed[1].block[0]).toEqual({ file: 'extra.conf', directive: 'gzip', line: 1, args: ['on'] });
  });

  it('exits 2 when the file does not exist', () => {
    const r = conftune(['parse', 'nope.conf'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.conf');
  });
});

describeShared('conftune parse --format crossplane', () => {
  const expected = (name: string) => JSON.parse(fs.readFileSync(path.join(CROSSPLANE, 'expected', name), 'utf8'));
  const parse = (dir: string, ...flags: string[]) => JSON.parse(conftune(['parse', 'nginx.conf', '--format', 'crossplane', ...flags], path.join(CROSSPLANE, 'configs', dir)).stdout);

  it.each([
    ['simple', [], 'simple.parse.json'],
    ['with-comments', ['--include-comments'], 'with-comments.parse.comments.json'],
    ['includes-regular', [], 'includes-regular.parse.json'],
    ['includes-regular', ['--combine'], 'includes-regular.parse.combine.json'],
    ['includes-regular', ['--single-file'], 'includes-regular.parse.single.json'],
    ['includes-globbed', ['--combine'], 'includes-globbed.parse.combine.json'],
    ['empty-value-map', [], 'empty-value-map.parse.json'],
    ['lua-block-tricky', [], 'lua-block-tricky.parse.json'],
    ['russian-text', [], 'russian-text.parse.json'],
  ] as const)("matches crossplane's trees for %s %j", (dir, flags, file) => {
    const got = parse(dir, ...flags);
    const want = expected(file);
    expect(got.status).toBe(want.status);
    expect(got.config.map((c: { file: string }) => c.file)).toEqual(want.config.map((c: { file: string }) => c.file));
    expect(got.config.map((c: { parsed: unknown }) => c.parsed)).toEqual(want.config.map((c: { parsed: unknown }) => c.parsed));
  });

  it("drops a statement that fails crossplane's argument check and reports it, as crossplane does", () => {
    const got = parse('bad-args');
    expect(got).toEqual(expected('bad-args.parse.json'));
  });

  it('reports a missing include in the including file and marks the payload failed', () => {
    const got = parse('includes-regular');
    expect(got.errors).toHaveLength(1);
    expect(got.errors[0]).toMatchObject({ file: 'conf.d/server.conf', line: 5 });
    expect(got.errors[0].error).toContain('bar.conf');
    expect(got.config[1].parsed[0].block[3]).toEqual({ directive: 'include', line: 5, args: ['bar.conf'], includes: [] });
  });

  // Where nginx and crossplane disagree (see ../shared/corpus/README.md), conftune follows nginx.
  it.each([
    ['messy', '${var} followed by a space and escaped characters'],
    ['non-unicode', 'a \\n escape is unescaped'],
    ['comments-between-args', 'comments inside a directive are kept only with --include-comments'],
  ])('differs from crossplane on %s (%s)', (dir) => {
    expect(parse(dir).config[0].parsed).not.toEqual(expected(`${dir}.parse.json`).config[0].parsed);
  });

  it('keeps crossplane\'s tree but words syntax errors as nginx does (missing ";")', () => {
    const got = JSON.parse(conftune(['parse', 'broken-above.conf'], path.join(CROSSPLANE, 'configs/missing-semicolon')).stdout);
    const want = expected('missing-semicolon--broken-above.parse.json');
    expect(got.config[0].parsed).toEqual(want.config[0].parsed);
    expect(got.status).toBe('failed');
    expect(got.errors[0].error).toBe('unexpected "}" in broken-above.conf:5');
  });
});

describe('conftune check machine formats', () => {
  const conf = 'events {}\nhttp {\n    upstream a {\n        server 127.0.0.1:8000;\n    }\n    server {\n        location / {\n            proxy_pass http://a;\n        }\n    }\n}\n';
  const run = (format: string) => conftune(['check', '--nginx-version', '1.24', '--select', 'nginx/upstream-keepalive-missing', '--format', format, 'nginx.conf'], tempDir({ 'nginx.conf': conf }));

  it('prints GitHub workflow commands with --format github', () => {
    const r = run('github');
    expect(r.stdout).toBe('::warning file=nginx.conf,line=3,col=5,endLine=3,endColumn=17,title=nginx/upstream-keepalive-missing::' + JSON.parse(run('json').stdout).findings[0].message + '\n');
    expect(r.code).toBe(1);
  });

  it('prints a SARIF 2.1.0 log with --format sarif', () => {
    const log = JSON.parse(run('sarif').stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results[0].ruleId).toBe('nginx/upstream-keepalive-missing');
  });

  it('prints checkstyle XML with --format checkstyle', () => {
    expect(run('checkstyle').stdout).toMatch(/^<\?xml[^]*<error line="3" column="5" severity="warning"[^]*source="nginx\/upstream-keepalive-missing"/);
  });
});

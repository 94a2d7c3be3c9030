// `conftune check` as a user meets it: exit codes, formats, suppressions, config errors.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { conftune, REPO, tempDir } from '../helpers/cli.js';

const SEED = path.join(REPO, 'fixtures/seed/nginx.conf');
const dirs: string[] = [];
function scratch(files: Record<string, string>): string {
  const d = tempDir();
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), text);
  }
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const CLEAN = 'events {}\nhttp {\n    server {\n        listen 8080;\n        return 200;\n    }\n}\n';

describe('conftune check on the seed config', () => {
  it('reports the upstream that keeps no connections at its line, and exits 1', () => {
    const r = conftune(['check', '--select', 'nginx/upstream-keepalive-missing', SEED]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('fixtures/seed/nginx.conf:19:5: warning nginx/upstream-keepalive-missing upstream "app_server" keeps no idle connections');
    // The excerpt and caret point at the upstream line.
    expect(r.stdout).toContain('19 |     upstream app_server {');
  });

  it('says how to fix it', () => {
    const r = conftune(['check', '--select', 'nginx/upstream-keepalive-missing', SEED]);
    expect(r.stdout).toMatch(/keepalive 16;.*proxy_http_version 1\.1;.*Connection/);
    expect(r.stdout).toContain('[fix: --fix]');
  });
});

describe('exit codes', () => {
  it('exits 0 on a clean config', () => {
    const d = scratch({ 'nginx.conf': CLEAN });
    const r = conftune(['check', '--select', 'nginx/upstream-keepalive-missing,nginx/syntax', 'nginx.conf'], { cwd: d });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('exits 0 when findings are below --fail-level', () => {
    const r = conftune(['check', '--select', 'nginx/upstream-keepalive-missing', '--fail-level', 'error', SEED]);
    expect(r.code).toBe(0);
  });

  it('exits 2 with a one-line message for a missing file', () => {
    const r = conftune(['check', '/nonexistent/nginx.conf']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('No such file or directory');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an unknown option', () => {
    expect(conftune(['check', '--no-such-flag', SEED]).code).toBe(2);
  });
});

describe('broken configs give nginx\'s message with file:line:col and exit 2', () => {
  const cases: Array<[string, string, string]> = [
    ['unterminated quote', 'events {}\nhttp {\n    server_name "abc;\n}\n', 'unexpected end of file, expecting ";" or "}"'],
    ['missing }', 'events {}\nhttp {\n    server {\n        listen 80;\n}\n', 'nginx.conf:6:1: error nginx/syntax unexpected end of file, expecting "}"'],
    [';;', 'events {}\nhttp {\n    sendfile on;;\n}\n', 'nginx.conf:3:17: error nginx/syntax unexpected ";"'],
    ['missing ; before }', 'events {}\nhttp {\n    server { return 200 }\n}\n', 'nginx.conf:3:25: error nginx/syntax unexpected "}"'],
    ['missing ; at end of file', 'events {}\nworker_processes 1', 'unexpected end of file, expecting ";" or "}"'],
    ['text after a closing quote', 'events {}\nhttp { server_name "a"b; }\n', 'nginx.conf:2:23: error nginx/syntax unexpected "b"'],
    ['binary junk', '\u0000\u0001\u00ff{{{;;}}}\u0007', 'error nginx/syntax'],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const d = scratch({ 'nginx.conf': text });
      const r = conftune(['check', '--select', 'nginx/syntax', 'nginx.conf'], { cwd: d });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(expected);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('an include cycle is an error, not a hang', () => {
    const d = scratch({ 'nginx.conf': 'events {}\nhttp { include a.conf; }\n', 'a.conf': 'include b.conf;\n', 'b.conf': 'include a.conf;\n' });
    const r = conftune(['check', 'nginx.conf'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('include cycle');
  });
});

describe('formats', () => {
  it('json lists findings with positions and fixability', () => {
    const r = conftune(['check', '--format', 'json', '--select', 'nginx/upstream-keepalive-missing', SEED]);
    const out = JSON.parse(r.stdout);
    expect(out.findings[0]).toMatchObject({
      ruleId: 'nginx/upstream-keepalive-missing', severity: 'warning', category: 'performance',
      line: 19, column: 5, endLine: 19, fixable: true,
    });
    expect(out.errors).toEqual([]);
  });

  it('json carries syntax errors both as findings and errors', () => {
    const d = scratch({ 'nginx.conf': 'http {\n' });
    const r = conftune(['check', '--format', 'json', 'nginx.conf'], { cwd: d });
    const out = JSON.parse(r.stdout);
    expect(r.code).toBe(2);
    expect(out.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('nginx/syntax');
    expect(out.errors[0].message).toBe('unexpected end of file, expecting "}"');
  });

  it('stylish has no colour when piped', () => {
    const r = conftune(['check', SEED]);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('reads stdin with -', () => {
    const text = fs.readFileSync(SEED, 'utf8');
    const r = conftune(['check', '--select', 'nginx/upstream-keepalive-missing', '--stdin-filename', 'seed.conf', '-'], { input: text });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('seed.conf:19:5');
  });

  it('splits an nginx -T dump back into its files', () => {
    const dump = [
      'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok',
      '# configuration file /etc/nginx/nginx.conf:',
      'events {}',
      'http { include /etc/nginx/conf.d/*.conf; }',
      '',
      '# configuration file /etc/nginx/conf.d/app.conf:',
      'upstream app { server 127.0.0.1:8000; }',
      'server { location / { proxy_pass http://app; } }',
      '',
    ].join('\n');
    const r = conftune(['check', '--format', 'json', '--select', 'nginx/upstream-keepalive-missing', '-'], { input: dump });
    const out = JSON.parse(r.stdout);
    expect(out.findings[0]).toMatchObject({ file: '/etc/nginx/conf.d/app.conf', line: 1, column: 1 });
  });
});

describe('rule selection', () => {
  it('--ignore by prefix drops a whole target', () => {
    const r = conftune(['check', '--ignore', 'nginx/', SEED]);
    expect(r.stdout).not.toContain('nginx/');
  });

  it('--select by id keeps only that rule', () => {
    const r = conftune(['check', '--format', 'json', '--select', 'nginx/upstream-keepalive-missing', SEED]);
    const ids = new Set(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId));
    expect([...ids]).toEqual(['nginx/upstream-keepalive-missing']);
  });
});

describe('suppression comments', () => {
  const base = (comment: string, trailing = ''): string =>
    `events {}\nhttp {\n    ${comment}\n    upstream app { server 127.0.0.1:8000; }${trailing}\n    server { location / { proxy_pass http://app; } }\n}\n`;
  const run = (text: string, extra: string[] = []) => {
    const d = scratch({ 'nginx.conf': text });
    return conftune(['check', '--format', 'json', '--select', 'nginx/upstream-keepalive-missing', ...extra, 'nginx.conf'], { cwd: d });
  };

  it('disable-next-line silences the next line', () => {
    const r = run(base('# conftune-disable-next-line nginx/upstream-keepalive-missing'));
    const out = JSON.parse(r.stdout);
    expect(out.findings).toEqual([]);
    expect(out.suppressed).toHaveLength(1);
    expect(r.code).toBe(0);
  });

  it('disable-line silences its own line', () => {
    const r = run(base('', ' # conftune-disable-line nginx/upstream-keepalive-missing'));
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });

  it('disable … enable silences a range', () => {
    const r = run(base('# conftune-disable nginx/upstream-keepalive-missing').replace('    server {', '    # conftune-enable nginx/upstream-keepalive-missing\n    server {'));
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });

  it('a suppression for another rule does not silence this one', () => {
    const r = run(base('# conftune-disable-next-line nginx/gzip-level-high'));
    expect(JSON.parse(r.stdout).findings).toHaveLength(1);
  });

  it('--report-unused-disables reports a suppression that silences nothing', () => {
    const d = scratch({ 'nginx.conf': '# conftune-disable-next-line nginx/upstream-keepalive-missing\nevents {}\n' });
    const r = conftune(['check', '--format', 'json', '--select', 'nginx/upstream-keepalive-missing', '--report-unused-disables', 'nginx.conf'], { cwd: d });
    expect(JSON.parse(r.stdout).findings[0].ruleId).toBe('conftune/unused-disable');
  });
});

describe('conftune.json', () => {
  it('turns a rule off', () => {
    const d = scratch({ 'nginx.conf': fs.readFileSync(SEED, 'utf8'), 'conftune.json': '{"rules": {"nginx/upstream-keepalive-missing": "off"}}' });
    const r = conftune(['check', '--format', 'json', 'nginx.conf'], { cwd: d });
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('nginx/upstream-keepalive-missing');
  });

  it('changes a severity', () => {
    const d = scratch({ 'nginx.conf': fs.readFileSync(SEED, 'utf8'), 'conftune.json': '{"rules": {"nginx/upstream-keepalive-missing": "error"}}' });
    const r = conftune(['check', '--format', 'json', '--select', 'nginx/upstream-keepalive-missing', 'nginx.conf'], { cwd: d });
    expect(JSON.parse(r.stdout).findings[0].severity).toBe('error');
  });

  it('an unknown key is exit 2 naming the key', () => {
    const d = scratch({ 'nginx.conf': CLEAN, 'conftune.json': '{"failLvl": "error"}' });
    const r = conftune(['check', 'nginx.conf'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "failLvl"');
  });

  it('a wrong type is exit 2 naming the key', () => {
    const d = scratch({ 'nginx.conf': CLEAN, 'conftune.json': '{"failLevel": "loud"}' });
    const r = conftune(['check', 'nginx.conf'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"failLevel" must be one of');
  });

  it('invalid JSON is exit 2', () => {
    const d = scratch({ 'nginx.conf': CLEAN, 'conftune.json': '{"rules": ' });
    const r = conftune(['check', 'nginx.conf'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid JSON');
  });
});

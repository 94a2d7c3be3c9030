// conftune's four correctness rules against real `nginx -t` on configs broken on purpose: for each,
// nginx's one error (message and line) must be among conftune's findings, and conftune must report
// nothing else. nginx stops at its first error, so each config carries exactly one.

import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../src/nginx/load.js';
import { runRules } from '../../src/lint/engine.js';
import { rule as unknownDirective } from '../../rules/nginx/unknown-directive.js';
import { rule as directiveContext } from '../../rules/nginx/directive-context.js';
import { rule as directiveArguments } from '../../rules/nginx/directive-arguments.js';
import { rule as duplicateDirective } from '../../rules/nginx/duplicate-directive.js';

const RULES = [unknownDirective, directiveContext, directiveArguments, duplicateDirective];
const NGINX = spawnSync('nginx', ['-v']).status === 0;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-agree-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** `{{here}}` marks where the broken line goes inside a small valid configuration. */
const BASE = `events {
    {{events}}
}
{{main}}
http {
    {{http}}
    upstream app {
        server 127.0.0.1:8000;
        {{upstream}}
    }
    server {
        listen 127.0.0.1:8080;
        {{server}}
        location / {
            proxy_pass http://app;
            {{location}}
            if ($request_method = POST) {
                {{lif}}
            }
        }
    }
}
`;

type Slot = 'events' | 'main' | 'http' | 'upstream' | 'server' | 'location' | 'lif';

interface Broken {
  title: string;
  rule: string;
  at: Slot;
  text: string;
  /** Files next to nginx.conf (for includes). */
  extra?: Record<string, string>;
}

const BROKEN: Broken[] = [
  { title: 'misspelled proxy_pass', rule: 'nginx/unknown-directive', at: 'server', text: 'location /a { proxy_pas http://app; }' },
  { title: 'misspelled main directive', rule: 'nginx/unknown-directive', at: 'main', text: 'worker_proccesses 2;' },
  { title: 'misspelled events directive', rule: 'nginx/unknown-directive', at: 'events', text: 'worker_conections 64;' },
  { title: 'made-up directive', rule: 'nginx/unknown-directive', at: 'http', text: 'frobnicate on;' },
  { title: 'listen in http', rule: 'nginx/directive-context', at: 'http', text: 'listen 80;' },
  { title: 'proxy_pass in server', rule: 'nginx/directive-context', at: 'server', text: 'proxy_pass http://app;' },
  { title: 'worker_connections in http', rule: 'nginx/directive-context', at: 'http', text: 'worker_connections 64;' },
  { title: 'proxy_set_header inside if', rule: 'nginx/directive-context', at: 'lif', text: 'proxy_set_header X-A b;' },
  { title: 'server_name in location', rule: 'nginx/directive-context', at: 'location', text: 'server_name example.com;' },
  { title: 'set in http', rule: 'nginx/directive-context', at: 'http', text: 'set $a 1;' },
  { title: 'keepalive in server', rule: 'nginx/directive-context', at: 'server', text: 'keepalive 16;' },
  { title: 'location in http', rule: 'nginx/directive-context', at: 'http', text: 'location / { }' },
  { title: 'add_header with one argument', rule: 'nginx/directive-arguments', at: 'location', text: 'add_header X-Frame-Options;' },
  { title: 'keepalive_timeout with three arguments', rule: 'nginx/directive-arguments', at: 'server', text: 'keepalive_timeout 1 2 3;' },
  { title: 'return without arguments', rule: 'nginx/directive-arguments', at: 'server', text: 'return;' },
  { title: 'location without a uri', rule: 'nginx/directive-arguments', at: 'server', text: 'location { }' },
  { title: 'sendfile yes', rule: 'nginx/directive-arguments', at: 'http', text: 'sendfile yes;' },
  { title: 'gzip 1', rule: 'nginx/directive-arguments', at: 'location', text: 'gzip 1;' },
  { title: 'client_max_body_size 10mb', rule: 'nginx/directive-arguments', at: 'server', text: 'client_max_body_size 10mb;' },
  { title: 'proxy_read_timeout 5x', rule: 'nginx/directive-arguments', at: 'location', text: 'proxy_read_timeout 5x;' },
  { title: 'server without a block', rule: 'nginx/directive-arguments', at: 'http', text: 'server;' },
  { title: 'sendfile with a block', rule: 'nginx/directive-arguments', at: 'http', text: 'sendfile on { }' },
  { title: 'sendfile twice', rule: 'nginx/duplicate-directive', at: 'http', text: 'sendfile on;\n    sendfile off;' },
  { title: 'proxy_pass twice', rule: 'nginx/duplicate-directive', at: 'location', text: 'proxy_pass http://127.0.0.1:9000;' },
  { title: 'alias after root', rule: 'nginx/duplicate-directive', at: 'server', text: 'location /s/ { root /tmp; alias /tmp/; }' },
  { title: 'worker_processes twice', rule: 'nginx/duplicate-directive', at: 'main', text: 'worker_processes 1;\nworker_processes 2;' },
  { title: 'worker_connections twice', rule: 'nginx/duplicate-directive', at: 'events', text: 'worker_connections 64;\n    worker_connections 128;' },
  {
    title: 'client_max_body_size repeated through an include',
    rule: 'nginx/duplicate-directive',
    at: 'server',
    text: 'client_max_body_size 1m;\n        include limits.conf;',
    extra: { 'limits.conf': '# shared limits\nclient_max_body_size 2m;\n' },
  },
];

function build(b: Broken, dir: string): string {
  const text = BASE.replace(/\{\{(\w+)\}\}/g, (_, slot: string) => (slot === b.at ? b.text : ''));
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(b.extra ?? {})) fs.writeFileSync(path.join(dir, name), content);
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, text);
  return file;
}

/** nginx's first error: message, file and line. */
function nginxError(file: string, dir: string): { message: string; file: string; line: number } | null {
  const r = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', file, '-g', `pid ${dir}/n.pid; error_log stderr;`], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  const m = /\[emerg\] \d+#\d+: (.*) in (\S+):(\d+)/.exec(r.stderr);
  return m ? { message: m[1]!, file: m[2]!, line: Number(m[3]) } : null;
}

function conftune(file: string) {
  const config = loadConfig(file);
  const findings = runRules({ nginx: config, gunicorn: [], links: [], unlinkedTargets: [] }, RULES, {
    versions: { nginx: '1.22.1', gunicorn: '23.0.0' },
    cpus: 4,
    ruleOptions: {},
  });
  return { config, findings };
}

describe('agreement with nginx -t on configs broken on purpose', () => {
  it('has nginx available (required in CI)', () => {
    if (!NGINX) expect(process.env.CI, 'nginx must be installed in CI').toBeFalsy();
  });

  it('accepts the unbroken base configuration, and so does conftune', () => {
    const dir = path.join(tmpRoot, 'base');
    const file = build({ title: 'base', rule: '', at: 'main', text: '' }, dir);
    expect(conftune(file).findings).toEqual([]);
    if (NGINX) expect(nginxError(file, dir)).toBeNull();
  });

  let agreed = 0;
  afterAll(() => console.log(`nginx -t agreement: ${agreed}/${BROKEN.length} broken configs`));

  BROKEN.forEach((b, i) => {
    it(`${b.rule}: ${b.title}`, () => {
      const dir = path.join(tmpRoot, String(i));
      const file = build(b, dir);
      const { findings, config } = conftune(file);
      expect(config.diagnostics).toEqual([]);
      expect(findings.map((f) => f.ruleId)).toEqual([b.rule]);
      if (!NGINX) return;
      const err = nginxError(file, dir);
      expect(err, 'nginx -t must reject it').not.toBeNull();
      const f = findings[0]!;
      expect({ file: f.file, line: f.line, message: f.message.slice(0, err!.message.length) }).toEqual(err);
      agreed++;
    });
  });
});

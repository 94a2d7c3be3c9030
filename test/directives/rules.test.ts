// Behaviours of the four correctness rules beyond the fixtures: fragments, includes, opaque and
// unknown blocks, Lua bodies, fixes.

import { describe, expect, it } from 'vitest';
import { loadConfigFromText, memoryFileSystem } from '../../src/nginx/load.js';
import { runRules } from '../../src/lint/engine.js';
import type { Finding, Rule } from '../../src/lint/rule.js';
import { rule as unknownDirective } from '../../rules/nginx/unknown-directive.js';
import { rule as directiveContext } from '../../rules/nginx/directive-context.js';
import { rule as directiveArguments } from '../../rules/nginx/directive-arguments.js';
import { rule as duplicateDirective } from '../../rules/nginx/duplicate-directive.js';

const ALL = [unknownDirective, directiveContext, directiveArguments, duplicateDirective];

function run(text: string, rules: Rule[] = ALL, files: Record<string, string> = {}): Finding[] {
  const fs = memoryFileSystem(new Map(Object.entries(files)));
  const config = loadConfigFromText('/etc/nginx/nginx.conf', text, { fs });
  return runRules({ nginx: config, gunicorn: [], links: [], unlinkedTargets: [] }, rules, {
    versions: { nginx: '1.24.0', gunicorn: '23.0.0' },
    cpus: 4,
    ruleOptions: {},
  });
}
const brief = (fs: Finding[]) => fs.map((f) => `${f.line} ${f.ruleId} ${f.message}`);
const wrap = (http: string) => `events {}\nhttp {\n${http}\n}\n`;

describe('fragments', () => {
  it('checks a server fragment in server context', () => {
    expect(run('listen 80;\nserver_name a;\nlocation / { proxy_pass http://a; }\n')).toEqual([]);
  });

  it('checks a location-only fragment (try_files) without calling it misplaced', () => {
    expect(run('try_files $uri $uri/ /index.php?$args;\n')).toEqual([]);
  });

  it('still reports a directive no fragment context allows', () => {
    expect(brief(run('server_name a;\nworker_connections 10;\n'))).toEqual([
      '2 nginx/directive-context "worker_connections" directive is not allowed here (allowed in: events)',
    ]);
  });
});

describe('what is not a directive', () => {
  it('does not look inside map, types, geo, split_clients', () => {
    const text = wrap('map $a $b { proxy_pas 1; default 0; }\ntypes { text/x y; }\nsplit_clients $a $v { 50% one; * two; }');
    expect(run(text)).toEqual([]);
  });

  it('reports an unknown block once, not its children', () => {
    expect(brief(run(wrap('server { listen 80; my_module { anything goes; here 1 2 3; } }')))).toEqual([
      '3 nginx/unknown-directive unknown directive "my_module"',
    ]);
  });

  it('does not count a Lua body as an argument', () => {
    const text = wrap('server { location / { content_by_lua_block { ngx.say("}") } set_by_lua_block $x { return 1 } } }');
    expect(run(text)).toEqual([]);
  });
});

describe('unknown-directive', () => {
  it('offers the suggestion as a fix replacing only the name', () => {
    const [f] = run(wrap('sendfiel on;'), [unknownDirective]);
    expect(f!.message).toBe('unknown directive "sendfiel" (did you mean "sendfile"?)');
    expect(f!.fix!.edits).toEqual([{ file: '/etc/nginx/nginx.conf', start: 17, end: 25, text: 'sendfile' }]);
  });

  it('offers no fix for a quoted name', () => {
    const [f] = run(wrap('"sendfiel" on;'), [unknownDirective]);
    expect(f!.message).toContain('did you mean "sendfile"');
    expect(f!.fix).toBeUndefined();
  });
});

describe('directive-arguments', () => {
  it('reports a bad flag value on the argument', () => {
    const [f] = run(wrap('sendfile yes;'), [directiveArguments]);
    expect([f!.line, f!.column]).toEqual([3, 10]);
  });

  it('skips directives in the wrong context (nginx reports the context first)', () => {
    expect(run(wrap('listen;'), [directiveArguments])).toEqual([]);
  });
});

describe('duplicate-directive', () => {
  it('reports a repeat that comes from an included file, at the included line', () => {
    const found = run(wrap('sendfile on;\ninclude tuning.conf;'), [duplicateDirective], {
      '/etc/nginx/tuning.conf': '# tuning\nsendfile off;\n',
    });
    expect(found.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      '/etc/nginx/tuning.conf:2 "sendfile" directive is duplicate (first at /etc/nginx/nginx.conf:3)',
    ]);
  });

  it('treats http, server, location and if as separate blocks', () => {
    const text = wrap('sendfile on;\nserver { sendfile on; location / { sendfile on; if ($a) { sendfile on; } } }');
    expect(run(text, [duplicateDirective])).toEqual([]);
  });

  it('removes the later directive with its line', () => {
    const [f] = run(wrap('sendfile on;\nsendfile off;'), [duplicateDirective]);
    expect(f!.fix!.edits).toEqual([{ file: '/etc/nginx/nginx.conf', start: 30, end: 44, text: '' }]);
  });
});

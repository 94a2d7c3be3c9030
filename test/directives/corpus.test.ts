// The four correctness rules over real configurations: nginx's own test suite (every config that
// `nginx -t` 1.22 accepts must produce no finding) and OpenResty's lua-nginx-module tests (lua
// blocks and third-party modules; the configs its tests expect nginx to reject are reported).

import { expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/nginx/load.js';
import { runRules } from '../../src/lint/engine.js';
import type { Finding } from '../../src/lint/rule.js';
import { rule as unknownDirective } from '../../rules/nginx/unknown-directive.js';
import { rule as directiveContext } from '../../rules/nginx/directive-context.js';
import { rule as directiveArguments } from '../../rules/nginx/directive-arguments.js';
import { rule as duplicateDirective } from '../../rules/nginx/duplicate-directive.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const RULES = [unknownDirective, directiveContext, directiveArguments, duplicateDirective];
const CORPUS = sharedPath('corpus');
const NGINX_TESTS = path.join(CORPUS, 'nginx-tests');
const LUA_TESTS = path.join(CORPUS, 'lua-nginx-module');

/**
 * Accepted configs allowed to produce a finding, with the reason. Empty: every module the
 * accepted configs use is in the table. (Modules Debian's nginx lacks — perl, xslt, image_filter,
 * geoip… — make nginx reject those configs, so they are not in the accepted set at all.)
 */
const ACCEPTED_ALLOWANCE: Record<string, string> = {};

function check(file: string): Finding[] {
  const config = loadConfig(file);
  return runRules({ nginx: config, gunicorn: [], links: [], unlinkedTargets: [] }, RULES, {
    versions: { nginx: '1.22.1', gunicorn: '23.0.0' },
    cpus: 4,
    ruleOptions: {},
  });
}

const show = (f: Finding): string => `${path.relative(CORPUS, f.file)}:${f.line} ${f.ruleId} ${f.message}`;

describeShared('nginx-tests corpus', () => {
  const verdicts = fs
    .readFileSync(path.join(NGINX_TESTS, 'nginx-t-1.22.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const bar = line.indexOf('|');
      return { dir: line.slice(0, bar).replace(/\/$/, ''), verdict: line.slice(bar + 1) };
    });

  it('reports nothing on the configs nginx -t 1.22 accepts', () => {
    const accepted = verdicts.filter((v) => v.verdict === 'OK');
    const unexpected: string[] = [];
    let findings = 0;
    for (const { dir } of accepted) {
      const found = check(path.join(NGINX_TESTS, dir, 'nginx.conf'));
      findings += found.length;
      if (!(dir in ACCEPTED_ALLOWANCE)) unexpected.push(...found.map(show));
    }
    console.log(
      `nginx-tests: ${accepted.length} accepted configs checked, ${findings} findings ` +
        `(${Object.keys(ACCEPTED_ALLOWANCE).length} configs allowed)`,
    );
    expect(accepted.length).toBeGreaterThan(250);
    expect(unexpected).toEqual([]);
  });

  it('knows every directive nginx -t calls unknown in the rejected configs (newer or optional modules)', () => {
    const unknownToNginx = verdicts.filter((v) => v.verdict.startsWith('unknown directive'));
    const unknownToUs = unknownToNginx.flatMap(({ dir }) =>
      check(path.join(NGINX_TESTS, dir, 'nginx.conf'))
        .filter((f) => f.ruleId === 'nginx/unknown-directive')
        .map(show),
    );
    console.log(`nginx-tests: ${unknownToNginx.length} configs use modules Debian's nginx 1.22 lacks; unknown to conftune: ${unknownToUs.length}`);
    expect(unknownToUs).toEqual([]);
  });
});

describeShared('lua-nginx-module corpus', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(LUA_TESTS, 'manifest.json'), 'utf8')) as Array<{
    file: string;
    must_die: boolean;
    expected_error_log?: string;
  }>;

  it('reports nothing on the configs its tests expect nginx to load', () => {
    const loadable = manifest.filter((m) => !m.must_die);
    const found = loadable.flatMap((m) => check(path.join(LUA_TESTS, m.file)).map(show));
    console.log(`lua-nginx-module: ${loadable.length} loadable configs checked, ${found.length} findings`);
    expect(found).toEqual([]);
  });

  it('reports the context errors its tests expect nginx to die on', () => {
    const contextDeaths = manifest.filter((m) => m.must_die && /directive is not allowed here/.test(m.expected_error_log ?? ''));
    expect(contextDeaths.length).toBeGreaterThan(3);
    for (const m of contextDeaths) {
      const file = path.join(LUA_TESTS, m.file);
      // An unclosed Lua block is a syntax error here (nginx/syntax); the test harness's wrapping
      // turns it into a context error in nginx. Not this rule's business.
      if (loadConfig(file).diagnostics.length > 0) continue;
      const name = /"(\w+)" directive is not allowed here/.exec(m.expected_error_log!)![1]!;
      const messages = check(file).map((f) => f.message);
      expect(messages, m.file).toContainEqual(expect.stringContaining(`"${name}" directive is not allowed here`));
    }
  });
});

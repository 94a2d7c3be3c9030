// The engine walks the nginx tree once and hands each directive to the rules subscribed to it.
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check.js';
import type { Rule, RuleMeta } from '../../src/lint/rule.js';
import type { ContextName } from '../../src/nginx/directives.js';

const CONFIG = `events {}
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    upstream app { server 127.0.0.1:8000; }
    server {
        listen 80;
        location / { proxy_pass http://app; }
        location /other { proxy_pass http://127.0.0.1:9000; }
    }
}
stream {
    server { listen 9000; proxy_pass 127.0.0.1:9001; }
}
`;

// Whole-tree walks a check with every rule makes: the engine's one, plus one per shared fact
// (name index, proxy_passes, upstreams, regex sites, DNS targets). A rule walking on its own fails this.
const WALK_BUDGET = 6;

const meta = (id: string): RuleMeta => ({ id, category: 'correctness', severity: 'warning', fix: 'none', summary: id, needs: ['nginx'] });

function run(rules: Rule[], text = CONFIG) {
  return check({ paths: ['-'], stdin: text, stdinFilename: 'nginx.conf', rules, cwd: '/tmp' });
}

describe('the single walk', () => {
  it('visits every directive once, in document order, with its context', () => {
    const seen: string[] = [];
    run([{ meta: meta('test/every'), create: () => ({ directive: (d, context, inStreamOrMail) => void seen.push(`${d.name}@${context}${inStreamOrMail ? ' (stream/mail)' : ''}`) }) }]);
    expect(seen).toEqual([
      'events@main',
      'http@main',
      'map@http',
      // A map's entries are not directives: no context, but they are visited (findAll sees them too).
      'default@null',
      '@null', // the entry '' (names are unquoted)
      'upstream@http',
      'server@upstream',
      'server@http',
      'listen@server',
      'location@server',
      'proxy_pass@location',
      'location@server',
      'proxy_pass@location',
      'stream@main (stream/mail)',
      'server@stream (stream/mail)',
      'listen@stream_server (stream/mail)',
      'proxy_pass@stream_server (stream/mail)',
    ]);
  });

  it('dispatches by name and hands http proxy_passes resolved to their upstream', () => {
    const named: string[] = [];
    const passes: string[] = [];
    run([{
      meta: meta('test/named'),
      create: () => ({
        named: { location: (d) => void named.push(d.argValue(0) ?? '') },
        proxyPass: (pp) => void passes.push(`${pp.node.argValue(0)} -> ${pp.upstream?.argValue(0) ?? 'no upstream'}`),
      }),
    }]);
    expect(named).toEqual(['/', '/other']);
    // The stream proxy_pass is not an http one.
    expect(passes).toEqual(['http://app -> app', 'http://127.0.0.1:9000 -> no upstream']);
  });

  it('runs check before the walk and done after it, and joins findings in rule order', () => {
    const order: string[] = [];
    const rules: Rule[] = [
      {
        meta: meta('test/b'),
        check: () => void order.push('b.check'),
        create: (ctx) => ({
          named: { listen: (d) => ctx.report({ node: d, message: 'b on listen' }) },
          done: () => void order.push('b.done'),
        }),
      },
      {
        meta: meta('test/a'),
        create: (ctx) => {
          order.push('a.create');
          return { named: { listen: (d) => ctx.report({ node: d, message: 'a on listen' }) } };
        },
      },
    ];
    const r = run(rules);
    expect(order).toEqual(['b.check', 'a.create', 'b.done']);
    // Same place: sorted by rule id, then the order rules ran in.
    expect(r.findings.map((f) => `${f.line} ${f.ruleId} ${f.message}`)).toEqual(['6 test/a a on listen', '6 test/b b on listen', '12 test/a a on listen', '12 test/b b on listen']);
  });

  it('stops a rule that throws, reports it as an internal error, and keeps the others going', () => {
    let calls = 0;
    const rules: Rule[] = [
      { meta: meta('test/broken'), create: () => ({ directive: () => { calls++; throw new Error('boom'); } }) },
      { meta: meta('test/fine'), create: (ctx) => ({ named: { location: (d) => ctx.report({ node: d, message: 'location' }) } }) },
    ];
    const r = run(rules);
    expect(calls).toBe(1);
    expect(r.internalErrors.map((e) => e.ruleId)).toEqual(['test/broken']);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['test/fine', 'test/fine']);
  });

  it('gives a fragment its context', () => {
    const contexts: Array<ContextName | null> = [];
    run([{ meta: meta('test/frag'), create: () => ({ directive: (_d, c) => void contexts.push(c) }) }], 'location / { proxy_pass http://127.0.0.1:8000; }\n');
    expect(contexts).toEqual(['server', 'location']);
  });
});

describe('rules walk nothing themselves', () => {
  it('a check with every rule walks the whole tree only for the shared, cached facts', async () => {
    const { walkStats } = await import('../../src/nginx/tree.js');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../fixtures/seed/nginx.conf', import.meta.url), 'utf8');
    const before = walkStats.fromTop;
    const r = check({ paths: ['-'], stdin: text, stdinFilename: 'nginx.conf', select: ['all'], cwd: '/tmp' });
    expect(r.findings.length).toBeGreaterThan(0);
    // Shared facts (upstreams, proxy_passes, regex sites, variables…) are each collected once per
    // tree; before the single-walk engine every rule walked on its own (about 21 walks).
    expect(walkStats.fromTop - before).toBeLessThanOrEqual(WALK_BUDGET);
  });
});

import type { Rule } from '../../src/lint/rule.js';
import { firstChild } from '../../src/nginx/tree.js';
import { connectionEdits, httpVersionEdits, keepaliveEdit, upstreamProxyPasses } from '../../src/nginx/keepalive.js';
import { dedupeEdits } from '../../src/fix/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/upstream-keepalive-missing',
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'upstream used by proxy_pass keeps no idle connections',
    probe: 'throughput',
    since: { nginx: '<1.29.7' },
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const byUpstream = new Map<import('../../src/nginx/tree.js').Directive, ReturnType<typeof upstreamProxyPasses>>();
    for (const pp of upstreamProxyPasses(config)) {
      const list = byUpstream.get(pp.upstream) ?? [];
      list.push(pp);
      byUpstream.set(pp.upstream, list);
    }
    for (const [upstream, passes] of byUpstream) {
      if (firstChild(upstream.block, 'keepalive')) continue;
      const name = upstream.args[0]?.value ?? '';
      const edits = [];
      const ka = keepaliveEdit(upstream);
      if (ka) edits.push(ka);
      // One atomic fix: pooling only works with HTTP/1.1 and a cleared Connection header.
      for (const pp of passes) {
        edits.push(...httpVersionEdits(config, pp, ctx.options.versions.nginx));
        edits.push(...connectionEdits(config, pp));
      }
      ctx.report({
        node: upstream,
        message: `upstream "${name}" keeps no idle connections: nginx opens a new connection to the backend for every request (add "keepalive 16;", plus "proxy_http_version 1.1;" and "proxy_set_header Connection \\"\\";" where it is proxied)`,
        fix: { description: `add "keepalive 16;" to upstream ${name} and enable HTTP/1.1 keep-alive where it is proxied`, edits: dedupeEdits(edits) },
      });
    }
  },
};

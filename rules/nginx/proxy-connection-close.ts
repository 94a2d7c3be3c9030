import type { Rule } from '../../src/lint/rule.js';
import { connectionEdits, connectionHeader, upstreamPools, upstreamProxyPasses } from '../../src/nginx/keepalive.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/proxy-connection-close',
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'keepalive upstream but the Connection header is not cleared (nginx sends "Connection: close")',
    probe: 'throughput',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    for (const pp of upstreamProxyPasses(config)) {
      if (!upstreamPools(pp.upstream, ctx.options.versions.nginx)) continue;
      const c = connectionHeader(config, pp.node);
      if (c.state === 'cleared') continue;
      const name = pp.upstream.args[0]?.value ?? '';
      const fix = { description: 'clear the Connection header towards the upstream', edits: connectionEdits(config, pp) };
      if (c.state === 'map-close') {
        ctx.report({
          node: c.entry ?? c.map,
          message: `map ${c.map.args[1]?.value} yields "close" for requests without Upgrade, so plain requests to keepalive upstream "${name}" close the connection (map '' to "")`,
          fix,
        });
      } else if (c.state === 'literal') {
        ctx.report({ node: c.node, message: `"Connection: ${c.value}" towards keepalive upstream "${name}" prevents connection reuse`, fix });
      } else {
        ctx.report({
          node: pp.node,
          message: `nginx sends "Connection: close" to keepalive upstream "${name}" unless the header is cleared (add 'proxy_set_header Connection "";')`,
          fix,
        });
      }
    }
  },
};

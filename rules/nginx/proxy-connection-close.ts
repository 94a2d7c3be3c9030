import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { connectionEdits, connectionHeader, upstreamPools } from '../../src/analysis/keepalive.js';

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
  create(ctx) {
    const config = ctx.nginx!;
    // Thousands of proxy_passes may point at one map entry: the engine keeps the first finding per
    // place and message, so repeats are dropped here, before their message and fix are worked out.
    // A message depends only on the node reported and the upstream's name.
    const reported = new Map<Directive, Set<string>>();
    const firstTime = (node: Directive, upstreamName: string): boolean => {
      let names = reported.get(node);
      if (!names) reported.set(node, (names = new Set()));
      if (names.has(upstreamName)) return false;
      names.add(upstreamName);
      return true;
    };
    return {
      proxyPass(pp) {
        // proxy_passes to an upstream block over http(s), as upstreamProxyPasses lists them.
        if (!pp.upstream || (pp.scheme !== 'http' && pp.scheme !== 'https')) return;
        if (!upstreamPools(pp.upstream, ctx.options.versions.nginx)) return;
        const c = connectionHeader(config, pp.node);
        if (c.state === 'cleared') return;
        const name = pp.upstream.argValue(0) ?? '';
        const node = c.state === 'map-close' ? c.entry ?? c.map : c.state === 'literal' ? c.node : pp.node;
        if (!firstTime(node, name)) return;
        let message: string;
        if (c.state === 'map-close') {
          message = `map ${c.map.argValue(1)} yields "close" for requests without Upgrade, so plain requests to keepalive upstream "${name}" close the connection (map '' to "")`;
        } else if (c.state === 'literal') {
          message = `"Connection: ${c.value}" towards keepalive upstream "${name}" prevents connection reuse`;
        } else {
          message = `nginx sends "Connection: close" to keepalive upstream "${name}" unless the header is cleared (add 'proxy_set_header Connection "";')`;
        }
        const fix = { description: 'clear the Connection header towards the upstream', edits: connectionEdits(config, pp) };
        ctx.report({ node, message, fix });
      },
    };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { httpVersionEdits, upstreamPools } from '../../src/analysis/keepalive.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/proxy-http-version',
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'proxy_http_version is 1.0 where proxy_pass targets a keepalive upstream',
    probe: 'throughput',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    return {
      proxyPass(pp) {
        // proxy_passes to an upstream block over http(s), as upstreamProxyPasses lists them.
        if (!pp.upstream || (pp.scheme !== 'http' && pp.scheme !== 'https')) return;
        if (!upstreamPools(pp.upstream, version)) return;
        const v = effectiveValue(config, pp.node, 'proxy_http_version', version);
        if (v.args?.[0] === '1.1') return;
        const name = pp.upstream.args[0]?.value ?? '';
        ctx.report({
          node: v.node ?? pp.node,
          message: v.node
            ? `proxy_http_version ${v.args?.[0]} here disables connection reuse to keepalive upstream "${name}" (needs 1.1)`
            : `requests to keepalive upstream "${name}" go out as HTTP/1.0, so nginx closes every upstream connection (set "proxy_http_version 1.1;")`,
          fix: { description: 'use proxy_http_version 1.1', edits: httpVersionEdits(config, pp, version) },
        });
      },
    };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { httpVersionEdits, upstreamPools, upstreamProxyPasses } from '../../src/analysis/keepalive.js';

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
  check(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    for (const pp of upstreamProxyPasses(config)) {
      if (!upstreamPools(pp.upstream, version)) continue;
      const v = effectiveValue(config, pp.node, 'proxy_http_version', version);
      if (v.args?.[0] === '1.1') continue;
      const name = pp.upstream.args[0]?.value ?? '';
      ctx.report({
        node: v.node ?? pp.node,
        message: v.node
          ? `proxy_http_version ${v.args?.[0]} here disables connection reuse to keepalive upstream "${name}" (needs 1.1)`
          : `requests to keepalive upstream "${name}" go out as HTTP/1.0, so nginx closes every upstream connection (set "proxy_http_version 1.1;")`,
        fix: { description: 'use proxy_http_version 1.1', edits: httpVersionEdits(config, pp, version) },
      });
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { dnsTargets } from '../../src/analysis/security.js';
import { isInternalName } from '../../src/nginx/net.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/missing-resolver',
    aliases: ['missing_resolver'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: 'proxied public host name resolved only once at startup (stale IPs), or variables in *_pass with no resolver',
    needs: ['nginx'],
  },
  check(ctx) {
    for (const t of dnsTargets(ctx.nginx!, isInternalName)) {
      if (t.kind === 'static-public') {
        ctx.report({
          node: t.node,
          severity: t.cloud ? 'error' : undefined,
          message: `"${t.host}" is resolved once when nginx starts and never again${t.cloud ? ' (a cloud load balancer/CDN name whose addresses rotate)' : ''}: when its addresses change, nginx keeps sending traffic to the old ones (use "server … resolve" in an upstream, or a variable with a resolver)`,
        });
      } else if (t.kind === 'variable-without-resolver') {
        ctx.report({
          node: t.node,
          message: `${t.pass.name} uses variables, so nginx resolves the host per request, but no resolver is configured here: requests fail with "no resolver defined"`,
        });
      }
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { dnsTargets } from '../../src/nginx/security.js';
import { isInternalName } from '../../src/nginx/net.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/stale-dns-cache',
    aliases: ['stale_dns_cache'],
    category: 'security',
    severity: 'info',
    fix: 'none',
    summary: 'internal host names resolved only at startup, or `server … resolve` without a resolver (Gixy-Next)',
    needs: ['nginx'],
  },
  check(ctx) {
    // Public names are nginx/missing-resolver's: this rule covers what that one leaves out.
    for (const t of dnsTargets(ctx.nginx!, isInternalName)) {
      if (t.kind === 'static-internal') {
        ctx.report({
          node: t.node,
          message: `"${t.host}" is resolved once at startup: if the service moves (container restart, failover), nginx keeps the old address until reload`,
        });
      } else if (t.kind === 'resolve-without-resolver') {
        ctx.report({
          node: t.node,
          severity: 'warning',
          message: `"server ${t.host} resolve" needs a resolver in the http or upstream block: without one nginx cannot re-resolve it`,
        });
      }
    }
  },
};

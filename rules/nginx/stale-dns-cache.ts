import type { Rule } from '../../src/lint/rule.js';
import { dnsTargets, type DnsTarget } from '../../src/analysis/security.js';
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
    const internal: DnsTarget[] = [];
    for (const t of dnsTargets(ctx.nginx!, isInternalName)) {
      if (t.kind === 'static-internal') internal.push(t);
      else if (t.kind === 'resolve-without-resolver') {
        ctx.report({
          node: t.node,
          severity: 'warning',
          message: `"server ${t.host} resolve" needs a resolver in the http or upstream block: without one nginx cannot re-resolve it`,
        });
      }
    }
    // One finding per configuration: a compose setup proxies to every service by name, and the
    // remedy (a resolver + `resolve`, or reloading nginx when containers move) is one decision.
    if (internal.length === 0) return;
    const hosts = [...new Set(internal.map((t) => t.host))];
    const shown = hosts.slice(0, 5).map((h) => `"${h}"`).join(', ') + (hosts.length > 5 ? ` and ${hosts.length - 5} more` : '');
    const first = internal[0]!;
    ctx.report({
      node: first.node,
      message: `${shown} ${hosts.length === 1 ? 'is' : 'are'} resolved once at startup (${internal.length} place${internal.length === 1 ? '' : 's'}, first here): if a service moves (container restart, failover), nginx keeps the old address until reload`,
    });
  },
};

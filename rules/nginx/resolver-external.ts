import type { Rule } from '../../src/lint/rule.js';
import { isLocalAddress } from '../../src/nginx/net.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/resolver-external',
    aliases: ['resolver_external'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'resolver points at a public DNS server (responses can be spoofed; use a local resolver)',
    needs: ['nginx'],
  },
  create(ctx) {
    return {
      named: {
        resolver(d) {
          for (const a of d.args) {
            if (a.value.includes('=')) continue;
            if (isLocalAddress(a.value)) continue;
            ctx.report({
              node: a,
              file: d.file,
              message: `resolver ${a.value} is outside this host and network: nginx's stub resolver is easy to poison over the internet (no DNSSEC, predictable ports); run a local caching resolver and point nginx at it`,
            });
          }
        },
      },
    };
  },
};

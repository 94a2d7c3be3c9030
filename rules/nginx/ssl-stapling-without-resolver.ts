import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing } from '../../src/nginx/tree.js';
import { inScope, isTlsServer } from '../../src/analysis/security.js';
import { isIpAddress } from '../../src/nginx/net.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/ssl-stapling-without-resolver',
    aliases: ['ssl_stapling_without_resolver'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: 'ssl_stapling on with no resolver in scope: OCSP stapling silently fails',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const server = (server: Directive): void => {
      // Outermost server blocks (stream and mail ones too): a server nested in another is not read as one.
      if (!server.block || enclosing(server, 'server')) return;
      if (!isTlsServer(server)) return;
      const stapling = inScope(config, server, 'ssl_stapling') as Directive | undefined;
      if (stapling?.args[0]?.value !== 'on') return;
      if (inScope(config, server, 'ssl_stapling_file') || inScope(config, server, 'resolver')) return;
      const responder = inScope(config, server, 'ssl_stapling_responder')?.args[0]?.value;
      if (responder) {
        const host = responder.replace(/^https?:\/\//i, '').split('/')[0]!.replace(/:\d+$/, '');
        if (isIpAddress(host)) return;
      }
      ctx.report({
        node: stapling.parent === server ? stapling : server,
        message: `ssl_stapling is on${stapling.parent === server ? '' : ` (line ${stapling.line})`} but this TLS server has no resolver in scope: nginx cannot look up the OCSP responder, so stapling silently does nothing`,
      });
    };
    return { named: { server } };
  },
};

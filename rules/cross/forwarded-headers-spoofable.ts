import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import type { GunicornApp } from '../../src/gunicorn/types.js';
import { effectiveProxyHeaders } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { appLabel, describeOrigin, isLoopbackBind, list } from '../../src/model/gunicorn-query.js';
import { gunicornSide, passesFor, schemeHeaders, trustsNginx } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'cross/forwarded-headers-spoofable',
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: 'gunicorn trusts forwarded headers a client can forge',
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const apps = new Set<GunicornApp>();
    const seen = new Set<Directive>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          const app = link.app;
          // 1. gunicorn trusts every peer while it can be reached without nginx.
          if (!apps.has(app)) {
            apps.add(app);
            const exposed = app.binds.filter((b) => !isLoopbackBind(b));
            if (list(app, 'forwarded_allow_ips')?.includes('*') && exposed.length > 0) {
              const s = app.settings.get('forwarded_allow_ips')!;
              ctx.report({
                ...gunicornSide(s.origin, link.target.node),
                message: `${appLabel(app)} trusts scheme headers from any address (forwarded_allow_ips = "*", ${describeOrigin(s)}) while listening on ${exposed[0]!.raw}: a client connecting directly can claim https (list nginx's address instead, or bind 127.0.0.1/a unix socket)`,
              });
            }
          }
          // 2. nginx copies the client's own scheme header to a gunicorn that believes it.
          if (trustsNginx(app, link.target.address) !== true) continue;
          const secure = schemeHeaders(app);
          if (!secure) continue;
          for (const p of passesFor(link.target, all)) {
            for (const [name, d] of effectiveProxyHeaders(config, p.node)) {
              const value = d.args[1]?.value ?? '';
              if (seen.has(d) || !(name in secure) || !/^\$http_[a-z0-9_]+$/i.test(value)) continue;
              seen.add(d);
              ctx.report({
                node: d,
                message: `${d.args[0]!.value} is copied from the client's own request header (${value}) and ${appLabel(app)} trusts nginx, so any client can make the app believe the request came over https (send $scheme, or keep ${value} only when a trusted load balancer in front of nginx sets it)`,
              });
            }
          }
        }
      },
    };
  },
};

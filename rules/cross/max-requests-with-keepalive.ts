import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { appLabel, describeOrigin, keepsConnections, num, workerKind } from '../../src/model/gunicorn-query.js';
import { gunicornSide, passesFor, upstreamReuses } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'cross/max-requests-with-keepalive',
    category: 'reliability',
    severity: 'warning',
    fix: 'suggest',
    summary: 'max_requests restarts with a keepalive upstream and a single worker → periodic 502',
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const seen = new Set<Directive>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          const up = link.target.upstream;
          if (!up || seen.has(up)) continue;
          // Sync workers close every connection, so nginx holds none to lose.
          if (!keepsConnections(workerKind(link.app))) continue;
          if (!upstreamReuses(config, up, passesFor(link.target, all), ctx.options.versions.nginx)) continue;
          const max = num(link.app, 'max_requests');
          const workers = num(link.app, 'workers');
          if (!max || max <= 0 || workers !== 1) continue;
          seen.add(up);
          const s = link.app.settings.get('max_requests');
          ctx.report({
            ...gunicornSide(s?.origin, up),
            message: `${appLabel(link.app)} restarts its only worker every ${max} requests (max_requests, ${describeOrigin(s)}) while nginx keeps pooled connections to it in upstream "${up.args[0]?.value ?? ''}": each restart closes them under nginx and requests in flight or queued get 502 (run ≥ 2 workers so another serves during the restart, or set max_requests = 0)`,
          });
        }
      },
    };
  },
};

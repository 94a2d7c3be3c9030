import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { firstChild } from '../../src/nginx/tree.js';
import { appLabel, describeOrigin, workerKind } from '../../src/model/gunicorn-query.js';

export const rule: Rule = {
  meta: {
    id: 'cross/upstream-keepalive-with-sync',
    category: 'performance',
    severity: 'info',
    fix: 'none',
    summary: 'upstream keepalive toward sync workers (they close every connection)',
    needs: ['nginx', 'gunicorn'],
  },
  check(ctx) {
    const seen = new Set<Directive>();
    for (const link of ctx.model.links) {
      const up = link.target.upstream;
      if (!up || seen.has(up)) continue;
      const ka = firstChild(up.block, 'keepalive');
      if (!ka || workerKind(link.app) !== 'sync') continue;
      seen.add(up);
      ctx.report({
        node: ka,
        message: `${appLabel(link.app)} uses sync workers (${describeOrigin(link.app.settings.get('worker_class'))}), which answer every request with "Connection: close": this keepalive pool never holds a connection (switch to gthread/gevent workers to benefit from it, or drop it)`,
      });
    }
  },
};

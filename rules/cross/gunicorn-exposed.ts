import type { Rule } from '../../src/lint/rule.js';
import type { Bind } from '../../src/gunicorn/types.js';
import { appLabel, isWildcardBind } from '../../src/model/gunicorn-query.js';
import { gunicornSide, isLocalTarget } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'cross/gunicorn-exposed',
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: 'gunicorn binds a public address while nginx on the same host proxies it',
    supersedes: ['gunicorn/bind-all-interfaces'],
    needs: ['nginx', 'gunicorn'],
  },
  check(ctx) {
    const done = new Set<Bind>();
    for (const link of ctx.model.links) {
      // Only a loopback/unix target proves nginx shares gunicorn's host; a name like `web:8000`
      // (another container or machine) needs the wildcard bind.
      if (!isLocalTarget(link.target.address)) continue;
      for (const b of link.app.binds) {
        if (b.kind !== 'tcp' || done.has(b) || !isWildcardBind(b)) continue;
        done.add(b);
        const origin = b.origin.file ? `${b.origin.file.path.split('/').pop()}:${b.origin.line}` : b.origin.detail ? `from ${b.origin.detail}` : "gunicorn's default";
        ctx.report({
          ...gunicornSide(b.origin, link.target.node),
          message: `${appLabel(link.app)} listens on ${b.raw} (${origin}), reachable from other hosts, though nginx reaches it over loopback: clients can bypass nginx (its buffering, TLS, limits and headers) — bind 127.0.0.1:${b.port} or a unix socket`,
        });
      }
    }
  },
};

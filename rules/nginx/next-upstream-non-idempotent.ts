import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

const NEXT_UPSTREAM = ['proxy_next_upstream', 'fastcgi_next_upstream', 'uwsgi_next_upstream', 'scgi_next_upstream', 'grpc_next_upstream', 'memcached_next_upstream'];

export const rule: Rule = {
  meta: {
    id: 'nginx/next-upstream-non-idempotent',
    category: 'performance',
    severity: 'warning',
    fix: 'none',
    summary: 'proxy_next_upstream … non_idempotent retries POST and other non-idempotent requests',
    needs: ['nginx'],
  },
  create(ctx) {
    // All names in one walk: findings on different directives never share a position.
    const nextUpstream = (d: Directive): void => {
      const arg = d.args.find((a) => a.value === 'non_idempotent');
      if (!arg || d.args.some((a) => a.value === 'off')) return;
      ctx.report({
        node: d,
        message: `${d.name} … non_idempotent lets nginx resend POST, PATCH and LOCK requests to another server after an error or timeout, although the first server may already have acted on them (duplicate orders, payments, writes); remove non_idempotent and make the backend idempotent or retry in the client`,
      });
    };
    return { named: Object.fromEntries(NEXT_UPSTREAM.map((name) => [name, nextUpstream])) };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveList } from '../../src/nginx/effective.js';

const STATUS = new Set(['stub_status', 'status', 'vhost_traffic_status_display', 'api']);

/** auth_basic (not off) or auth_request in scope. */
function authenticated(at: Directive): boolean {
  for (let p: Directive | null = at; p; p = p.parent) {
    for (const d of p.block ?? []) {
      if (d.name === 'auth_request' && d.args[0]?.value !== 'off') return true;
      if (d.name === 'auth_basic') return d.args[0]?.value !== 'off';
    }
  }
  return false;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/status-page-exposed',
    aliases: ['status_page_exposed'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: 'stub_status (or another status page) reachable without an allow/deny restriction',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Only the status directives matter: by name instead of every directive.
    const statusPage = (d: Directive): void => {
      if (d.block) return;
      if (d.name === 'status' && d.parent?.name !== 'location') return;
      if (d.name === 'api' && d.parent?.name !== 'location') return;
      const at = d.parent;
      const acl = effectiveList(config, at, 'allow').nodes;
      const restricted = acl.some((a) => a.name === 'deny' && a.args[0]?.value === 'all');
      if (restricted || (at && authenticated(at))) return;
      ctx.report({
        node: d,
        message: `${d.name} is served to anyone: connection counts and traffic reveal load and internals (add "allow 127.0.0.1; deny all;" or authentication)`,
      });
    };
    return { named: Object.fromEntries([...STATUS].map((name) => [name, statusPage])) };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { findAll } from '../../src/nginx/tree.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/valid-referers',
    aliases: ['valid_referers'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: '`none` in valid_referers trusts requests without a Referer header',
    needs: ['nginx'],
  },
  check(ctx) {
    for (const d of findAll(ctx.nginx!, 'valid_referers')) {
      const none = d.args.find((a) => a.value === 'none');
      if (!none) continue;
      ctx.report({
        node: none,
        file: d.file,
        message: 'valid_referers trusts "none" (no Referer): an attacker can strip the header (meta referrer policy, https→http) and pass the check',
      });
    }
  },
};

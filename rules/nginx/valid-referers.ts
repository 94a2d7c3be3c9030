import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

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
  create(ctx) {
    const valid_referers = (d: Directive): void => {
      const none = d.args.find((a) => a.value === 'none');
      if (!none) return;
      ctx.report({
        node: none,
        file: d.file,
        message: 'valid_referers trusts "none" (no Referer): an attacker can strip the header (meta referrer policy, https→http) and pass the check',
      });
    };
    return { named: { valid_referers } };
  },
};

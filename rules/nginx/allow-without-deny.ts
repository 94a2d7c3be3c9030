import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { insertAfter } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/allow-without-deny',
    aliases: ['allow_without_deny'],
    category: 'security',
    severity: 'error',
    fix: 'suggest',
    summary: 'allow without a following `deny all` in the same block: everyone else is allowed too',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const blocks: Directive[][] = [config.root];
    const stack = [...config.root];
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (d.block) {
        blocks.push(d.block);
        stack.push(...d.block);
      }
    }
    for (const kids of blocks) {
      const allows = kids.filter((d) => d.name === 'allow' && d.args[0]?.value !== 'all');
      if (allows.length === 0) continue;
      const last = allows[allows.length - 1]!;
      const denyAll = kids.some((d) => d.name === 'deny' && d.args[0]?.value === 'all' && kids.indexOf(d) > kids.indexOf(last));
      if (denyAll) continue;
      ctx.report({
        node: allows[0]!,
        message: `allow ${allows[0]!.args[0]?.value ?? ''} is not followed by "deny all;" in this block: access rules end with an implicit allow, so every other client is allowed too`,
        fix: { description: 'add "deny all;" after the last allow', edits: [insertAfter(last, 'deny all;')] },
      });
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

/** `return` in this block or in its `if` blocks (not in nested locations, which have their own ACL). */
function returnsIn(block: Directive[]): Directive[] {
  const out: Directive[] = [];
  for (const d of block) {
    if (d.name === 'return') out.push(d);
    else if (d.name === 'if' && d.block) out.push(...returnsIn(d.block));
  }
  return out;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/return-bypasses-allow-deny',
    aliases: ['return_bypasses_allow_deny'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: '`return` next to allow/deny runs in the rewrite phase, before access checks: the ACL never applies',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const check = (block: Directive[]): void => {
      const acl = block.find((d) => d.name === 'allow' || d.name === 'deny');
      if (!acl) return;
      // `deny all; return 403;`: with no allow, an error return refuses everyone as the ACL would.
      const allows = block.some((d) => d.name === 'allow');
      for (const r of returnsIn(block)) {
        if (!allows && Number(r.args[0]?.value) >= 400) continue;
        ctx.report({
          node: r,
          message: `return runs in the rewrite phase, before the access phase where ${acl.name} (line ${acl.line}) is evaluated: every client gets this response regardless of the ACL`,
        });
      }
    };
    // The top level first, then each block with its own ACL in document order.
    check(config.root);
    const withAcl = (d: Directive): void => {
      if (d.block) check(d.block);
    };
    return { named: { location: withAcl, server: withAcl, limit_except: withAcl } };
  },
};

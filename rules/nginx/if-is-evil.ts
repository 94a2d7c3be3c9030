import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { findAll } from '../../src/nginx/tree.js';

/** The only directives the nginx wiki calls 100% safe inside `if` in a location. */
function isSafe(d: Directive): boolean {
  if (d.name === 'return') return true;
  if (d.name === 'rewrite') {
    const flag = d.args[2]?.value;
    return flag === 'last' || flag === 'redirect' || flag === 'permanent';
  }
  return false;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/if-is-evil',
    aliases: ['if_is_evil'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: '`if` in a location holds directives other than return / rewrite … last (If Is Evil)',
    needs: ['nginx'],
  },
  check(ctx) {
    // Only `if` blocks matter: the name index instead of a walk over every directive.
    findAll(ctx.nginx!, 'if').forEach((d) => {
      if (!d.block) return undefined;
      let inLocation = false;
      for (let p = d.parent; p; p = p.parent) {
        if (p.name === 'location') {
          inLocation = true;
          break;
        }
        if (p.name === 'server' || p.name === 'http') break;
      }
      if (!inLocation && !(d.parent === null && ctx.nginx!.rootContext === 'location')) return undefined;
      const unsafe = d.block.filter((k) => k.parent === d && !isSafe(k));
      if (unsafe.length === 0) return undefined;
      const names = [...new Set(unsafe.map((k) => k.name))];
      ctx.report({
        node: d,
        message: `"if" in a location holds ${names.map((n) => `"${n}"`).join(', ')}: inside a location, if creates a nested location whose content handlers and inheritance misbehave; only return and rewrite … last are safe`,
      });
      return undefined;
    });
  },
};

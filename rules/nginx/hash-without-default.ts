import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

/** Entries of map/geo that are parameters, not mappings. */
const PARAMS = new Set(['hostnames', 'volatile', 'include', 'ranges', 'delete', 'proxy', 'proxy_recursive']);

/** Inside the body of a map/geo block (its entries are values, not blocks to check). */
function inHashBody(d: Directive): boolean {
  for (let p = d.parent; p; p = p.parent) if ((p.name === 'map' || p.name === 'geo') && p.block) return true;
  return false;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/hash-without-default',
    aliases: ['hash_without_default'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: 'map/geo without a `default`: unmatched values map to "" (security checks built on it can be bypassed)',
    needs: ['nginx'],
  },
  create(ctx) {
    const hash = (d: Directive): void => {
      if (!d.block || inHashBody(d)) return;
      const entries = d.block.filter((e) => e.parent === d && !PARAMS.has(e.name));
      if (entries.some((e) => e.name === 'default')) return;
      // A one-entry map is a conditional assignment (`POST $binary_remote_addr;`): "" is the intended fallback.
      if (d.name === 'map' && entries.length <= 1) return;
      const out = d.args[d.args.length - 1]?.value ?? '';
      ctx.report({
        node: d,
        message: `${d.name} ${out} has no "default": every unmatched value yields an empty string, so checks such as "if (${out})" or allow-lists built on it silently fail open or closed`,
      });
    };
    return { named: { map: hash, geo: hash } };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { walk } from '../../src/nginx/tree.js';

/** Entries of map/geo that are parameters, not mappings. */
const PARAMS = new Set(['hostnames', 'volatile', 'include', 'ranges', 'delete', 'proxy', 'proxy_recursive']);

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
  check(ctx) {
    walk(ctx.nginx!.root, (d) => {
      if ((d.name !== 'map' && d.name !== 'geo') || !d.block) return undefined;
      const entries = d.block.filter((e) => e.parent === d && !PARAMS.has(e.name));
      if (entries.some((e) => e.name === 'default')) return false;
      // A one-entry map is a conditional assignment (`POST $binary_remote_addr;`): "" is the intended fallback.
      if (d.name === 'map' && entries.length <= 1) return false;
      const out = d.args[d.args.length - 1]?.value ?? '';
      ctx.report({
        node: d,
        message: `${d.name} ${out} has no "default": every unmatched value yields an empty string, so checks such as "if (${out})" or allow-lists built on it silently fail open or closed`,
      });
      return false;
    });
  },
};

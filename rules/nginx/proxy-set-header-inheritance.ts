import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveList } from '../../src/nginx/effective.js';
import { proxiesBelow } from '../../src/nginx/query.js';
import { insertBefore, sourceOf } from '../../src/edit/edits.js';

/** Headers whose loss breaks keepalive, routing or client identity: reported as errors. */
function isCritical(d: Directive): boolean {
  const name = (d.args[0]?.value ?? '').toLowerCase();
  if (name === 'connection') return (d.args[1]?.value ?? '') === '';
  return name === 'host' || name.startsWith('x-forwarded-');
}

export const rule: Rule = {
  meta: {
    id: 'nginx/proxy-set-header-inheritance',
    aliases: ['nginx/proxy-set-header-redefinition', 'proxy_set_header_redefinition'],
    category: 'correctness',
    severity: 'warning',
    fix: 'suggest',
    summary: "a level's own proxy_set_header silently drops headers set at an outer level",
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Every block is a level that may set its own headers (levels in document order, as before).
    const directive = (level: Directive): void => {
      if (!level.block || level.name === 'http' || level.name === 'upstream' || level.name === 'map') return;
      const own = level.block.filter((d) => d.name === 'proxy_set_header' && d.parent === level);
      if (own.length === 0 || !proxiesBelow(level)) return;
      const outer = effectiveList(config, level.parent, 'proxy_set_header');
      if (outer.nodes.length === 0) return;
      const ownNames = new Set(own.map((d) => (d.args[0]?.value ?? '').toLowerCase()));
      const dropped = outer.nodes.filter((d) => !ownNames.has((d.args[0]?.value ?? '').toLowerCase()));
      if (dropped.length === 0) return;
      const first = own[0]!;
      const names = dropped.map((d) => d.args[0]?.value ?? '');
      const where = outer.level ? `${outer.level.name} level (line ${outer.level.line})` : 'top level';
      const anchor = own.find((d) => d.file === level.file) ?? first;
      ctx.report({
        node: first,
        severity: dropped.some(isCritical) ? 'error' : undefined,
        message: `proxy_set_header in this ${level.name} drops ${names.map((n) => `"${n}"`).join(', ')} set at ${where}: nginx inherits proxy_set_header only when a level sets none`,
        fix: {
          description: `repeat the inherited header${dropped.length > 1 ? 's' : ''} ${names.join(', ')} here`,
          kind: 'suggest',
          edits: dropped.map((d) => insertBefore(anchor, sourceOf(d))),
        },
      });
    };
    return { directive };
  },
};

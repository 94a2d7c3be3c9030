import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { walk } from '../../src/nginx/tree.js';
import { effectiveList } from '../../src/nginx/effective.js';
import { insertBefore, sourceOf } from '../../src/fix/edits.js';

/** Response headers whose loss weakens the browser's defences. */
const SECURITY_HEADERS = [
  'content-security-policy', 'content-security-policy-report-only', 'strict-transport-security', 'x-frame-options',
  'x-content-type-options', 'x-xss-protection', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy',
  'cross-origin-embedder-policy', 'cross-origin-resource-policy', 'cache-control',
];

const LEVELS = new Set(['http', 'server', 'location', 'if', 'limit_except']);

function headerName(d: Directive): string {
  return (d.args[0]?.value ?? '').toLowerCase();
}

function inherits(level: Directive): boolean {
  const inherit = (level.block ?? []).find((d) => d.name === 'add_header_inherit');
  const v = inherit?.args[0]?.value;
  return v === 'on' || v === 'merge';
}

export const rule: Rule = {
  meta: {
    id: 'nginx/add-header-redefinition',
    aliases: ['add_header_redefinition'],
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: "a level's own add_header silently drops every add_header set at an outer level",
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const opts = (ctx.options.ruleOptions['nginx/add-header-redefinition'] ?? {}) as { headers?: string[] };
    const secure = new Set((opts.headers?.length ? opts.headers : SECURITY_HEADERS).map((h) => h.toLowerCase()));
    walk(config.root, (level) => {
      if (!level.block || !LEVELS.has(level.name)) return undefined;
      const own = level.block.filter((d) => d.name === 'add_header' && d.parent === level);
      if (own.length === 0 || inherits(level)) return undefined;
      const outer = effectiveList(config, level.parent, 'add_header');
      if (outer.nodes.length === 0) return undefined;
      const ownNames = new Set(own.map(headerName));
      const dropped = outer.nodes.filter((d) => !ownNames.has(headerName(d)));
      if (dropped.length === 0) return undefined;
      const names = dropped.map((d) => d.args[0]?.value ?? '');
      const droppedSecure = dropped.filter((d) => secure.has(headerName(d)));
      const where = outer.level ? `${outer.level.name} level (line ${outer.level.line})` : 'top level';
      const anchor = own.find((d) => d.file === level.file) ?? own[0]!;
      ctx.report({
        node: own[0]!,
        severity: droppedSecure.length > 0 ? 'warning' : 'info',
        message: `add_header in this ${level.name} drops ${names.map((n) => `"${n}"`).join(', ')} set at ${where}: nginx inherits add_header only when a level sets none${droppedSecure.length > 0 ? ' (security headers are lost here)' : ''}`,
        fix: {
          description: `repeat the inherited header${dropped.length > 1 ? 's' : ''} ${names.join(', ')} here`,
          edits: dropped.map((d) => insertBefore(anchor, sourceOf(d))),
        },
      });
      return undefined;
    });
  },
};

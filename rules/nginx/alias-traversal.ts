import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { hasChar, firstSet } from '../../src/analysis/regex.js';
import { literalRegexLocation, locationRegex, parseScript, varModelOf } from '../../src/analysis/security.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/alias-traversal',
    aliases: ['alias_traversal'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'alias reachable with "..": prefix location without a trailing slash, or a regex capture that may start with a dot',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const visitAlias = (alias: Directive): void => {
      const loc = alias.parent;
      const target = alias.args[0];
      if (!loc || loc.name !== 'location' || !target) return;
      // A regex written without "~" never matches as meant: nginx/location-missing-regex-modifier says so.
      if (literalRegexLocation(loc)) return;
      const lr = locationRegex(loc);
      if (!lr) {
        const a0 = loc.args[0]?.value;
        const path = a0 === '^~' ? loc.args[1]?.value : loc.args.length === 1 ? a0 : undefined;
        if (path === undefined || path.startsWith('@') || path.endsWith('/')) return;
        const slashed = target.value.endsWith('/');
        ctx.report({
          node: alias,
          severity: slashed ? 'error' : 'warning',
          message: slashed
            ? `location "${path}" has no trailing slash but its alias does: "${path}../" maps to "${target.value}../" (path traversal to the parent directory)`
            : `location "${path}" has no trailing slash: "${path}<suffix>" maps to "${target.value}<suffix>", reaching sibling paths that start with "${target.value.split('/').pop()}"`,
        });
        return;
      }
      // Regex location: a capture that may start with "." placed right after a non-slash.
      const vars = varModelOf(config);
      const regex = vars.regex(lr.pattern, lr.caseInsensitive);
      const parts = parseScript(target.value);
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if ('lit' in p) continue;
        const index = /^[0-9]$/.test(p.v) ? Number(p.v) : regex.names.get(p.v);
        const group = index ? regex.groups[index - 1] : undefined;
        if (!group) continue;
        const first = firstSet(group.node);
        if (!hasChar(first, '.')) continue;
        const before = parts[i - 1];
        const aliasSlash = before !== undefined && 'lit' in before && before.lit.endsWith('/');
        const regexSlash = regex.source[group.node.start - 1] === '/';
        if (aliasSlash && regexSlash) continue;
        ctx.report({
          node: alias,
          severity: aliasSlash ? 'error' : 'warning',
          message: `alias uses "$${p.v}", which may start with ".." (it is not preceded by "/" in ${regexSlash ? 'the alias' : 'the location regex'}): requests can escape "${target.value.split('$')[0]}"`,
        });
        break;
      }
    };
    return { named: { alias: visitAlias } };
  },
};

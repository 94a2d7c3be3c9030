import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/alias-trailing-slash',
    category: 'correctness',
    severity: 'warning',
    fix: 'safe',
    summary: 'location ends with "/" but its alias does not (files resolve to the wrong path)',
    needs: ['nginx'],
  },
  create(ctx) {
    const visitAlias = (alias: Directive): void => {
      const loc = alias.parent;
      if (!loc || loc.name !== 'location') return;
      const args = loc.args.map((a) => a.value);
      // Prefix locations only: regex locations build the path from captures, `=` replaces the whole URI.
      const prefix = args.length === 1 ? args[0]! : args.length === 2 && args[0] === '^~' ? args[1]! : null;
      const target = alias.args[0];
      if (prefix === null || !target || args[0] === '@' || !prefix.endsWith('/') || target.value.endsWith('/') || target.value.includes('$')) return;
      const example = `${prefix}app.css`;
      ctx.report({
        node: alias,
        message: `location ${prefix} ends with "/" but alias ${target.value} does not: nginx replaces the location prefix with the alias, so ${example} maps to ${target.value}app.css instead of ${target.value}/app.css (404s); end the alias with "/"`,
        fix: { description: `add a trailing "/" to alias ${target.value}`, edits: [{ file: alias.file.path, start: target.end - (target.quote ? 1 : 0), end: target.end - (target.quote ? 1 : 0), text: '/' }] },
      });
    };
    return { named: { alias: visitAlias } };
  },
};

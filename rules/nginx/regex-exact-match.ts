import type { Rule } from '../../src/lint/rule.js';
import { exactLiteral } from '../../src/analysis/regex.js';
import { regexSites, varModelOf } from '../../src/analysis/security.js';
import { quoteIfNeeded } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/regex-exact-match',
    aliases: ['regex_exact_match'],
    category: 'security',
    severity: 'info',
    fix: 'suggest',
    summary: 'location ~ ^/path$ matches one URI: `location = /path` is exact, faster and wins before regexes',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const vars = varModelOf(config);
    for (const site of regexSites(config)) {
      if (site.kind !== 'location' || site.caseInsensitive) continue;
      const literal = exactLiteral(vars.regex(site.pattern, false));
      if (literal === null || !literal.startsWith('/')) continue;
      const loc = site.node;
      const first = loc.args[0]!;
      ctx.report({
        node: loc,
        message: `location regex "${site.pattern}" only matches "${literal}": use "location = ${literal}" (no regex evaluation, and exact matches take precedence)`,
        fix: {
          description: `use location = ${literal}`,
          edits: [{ file: loc.file.path, start: first.start, end: site.arg.end, text: `= ${quoteIfNeeded(literal)}` }],
        },
      });
    }
  },
};

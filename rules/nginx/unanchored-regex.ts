import type { Rule } from '../../src/lint/rule.js';
import { isEndAnchored, isStartAnchored } from '../../src/analysis/regex.js';
import { regexSites, varModelOf } from '../../src/analysis/security.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/unanchored-regex',
    aliases: ['unanchored_regex'],
    category: 'security',
    severity: 'info',
    fix: 'none',
    // In real configs unanchored location regexes are mostly deliberate (match under any prefix):
    // off by default, enabled by name.
    optIn: true,
    summary: 'regex location without ^ or $: it matches anywhere in the URI (over-broad, slower)',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const vars = varModelOf(config);
    for (const site of regexSites(config)) {
      if (site.kind !== 'location') continue;
      const regex = vars.regex(site.pattern, site.caseInsensitive);
      if (regex.errors.length > 0 || isStartAnchored(regex) || isEndAnchored(regex)) continue;
      ctx.report({
        node: site.arg,
        file: site.node.file,
        message: `location regex "${site.pattern}" has neither ^ nor $: it matches the pattern anywhere in the URI, which is usually broader than intended (anchor it with ^ and/or $)`,
      });
    }
  },
};

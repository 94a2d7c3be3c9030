import type { Rule } from '../../src/lint/rule.js';
import { findRedos } from '../../src/analysis/regex.js';
import { patternRange, regexSites, varModelOf } from '../../src/analysis/security.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/regex-redos',
    aliases: ['regex_redos'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'regex prone to catastrophic backtracking (nested or overlapping quantifiers): a crafted URI burns CPU',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const vars = varModelOf(config);
    for (const site of regexSites(config)) {
      const regex = vars.regex(site.pattern, site.caseInsensitive);
      if (regex.errors.length > 0) continue; // nginx/invalid-regex reports it
      for (const f of findRedos(regex)) {
        const what = f.kind === 'nested'
          ? `nested quantifier: ${f.detail}, so a failing match tries exponentially many splits`
          : f.kind === 'alternation'
            ? `${f.detail}: each character can be matched by either branch, so a failing match backtracks exponentially`
            : f.kind === 'adjacent'
              ? `adjacent quantifiers: ${f.detail}, so a failing match backtracks polynomially (quadratic or worse)`
              : `nested quantifier (star height 2): ${f.detail}; iterations are separated here so backtracking stays polynomial, but the construct is fragile`;
        ctx.report({
          at: patternRange(site, f.start, f.end),
          severity: f.kind === 'adjacent' ? 'warning' : f.kind === 'nested-separated' ? 'info' : undefined,
          message: `regex "${site.pattern}" (${site.kind}): ${what}`,
        });
      }
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { CONTEXT_LABELS, allowedContexts, allowedIn, lookupDirective, type ContextName } from '../../src/nginx/directives.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/directive-context',
    category: 'correctness',
    severity: 'error',
    fix: 'none',
    summary: 'directive not allowed in the block it is written in',
    needs: ['nginx'],
  },
  create(ctx) {
    const directive = (d: Directive, context: ContextName | null): void => {
      // Bodies nginx does not read as directives (map, types, Lua…) are not checked.
      if (context === null) return;
      const spec = lookupDirective(d.name);
      if (!spec || allowedIn(spec, context)) return;
      const where = allowedContexts(spec).map((c) => CONTEXT_LABELS[c]);
      const hint = where.length > 0 && where.length <= 6 ? ` (allowed in: ${where.join(', ')})` : '';
      ctx.report({ node: d, message: `"${d.name}" directive is not allowed here${hint}` });
    };
    return { directive };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { removeDirective } from '../../src/edit/edits.js';
import { allowedIn, lookupDirective, rejectsDuplicate, slotKey, type ContextName } from '../../src/nginx/directives.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/duplicate-directive',
    category: 'correctness',
    severity: 'error',
    fix: 'suggest',
    summary: 'a single-value directive repeated in one block (nginx rejects it)',
    needs: ['nginx'],
  },
  create(ctx) {
    // First directive seen per (block, slot): includes are expanded, so a repeat in an included
    // file counts, while `if`/`location`/`limit_except` blocks are separate slots, as in nginx.
    const firstSeen = new Map<Directive | null, Map<string, Directive>>();
    const directive = (d: Directive, context: ContextName | null): void => {
      if (context === null || !rejectsDuplicate(d.name, context)) return;
      const spec = lookupDirective(d.name);
      if (!spec || !allowedIn(spec, context)) return;
      const slot = slotKey(d.name);
      let seen = firstSeen.get(d.parent);
      if (!seen) firstSeen.set(d.parent, (seen = new Map()));
      const first = seen.get(slot);
      if (!first) {
        seen.set(slot, d);
        return;
      }
      const earlier = first.name !== d.name ? `, "${first.name}" directive was specified earlier` : '';
      const where = first.file === d.file ? `line ${first.line}` : `${first.file.path}:${first.line}`;
      ctx.report({
        node: d,
        message: `"${d.name}" directive is duplicate${earlier} (first at ${where})`,
        fix: { description: `remove this "${d.name}" (the one at ${where} stays)`, edits: [removeDirective(d)] },
      });
    };
    return { directive };
  },
};

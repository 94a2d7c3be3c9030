import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { encodeLatin1 } from '../../src/nginx/tree.js';
import { lookupDirective, suggestDirective, type ContextName } from '../../src/nginx/directives.js';

/** The byte range of a directive's name as written, when it is written bare (not quoted). */
function nameRange(d: Directive): { start: number; end: number } | null {
  const raw = encodeLatin1(d.name);
  return d.file.text.startsWith(raw, d.start) ? { start: d.start, end: d.start + raw.length } : null;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/unknown-directive',
    category: 'correctness',
    severity: 'error',
    fix: 'suggest',
    summary: 'directive not in nginx\'s table (nor a known third-party module\'s), with "did you mean"',
    needs: ['nginx'],
  },
  create(ctx) {
    const directive = (d: Directive, context: ContextName | null): void => {
      // Not the bodies of map/types/geo… nor of unknown blocks (no context): no cascades.
      if (context === null || lookupDirective(d.name)) return;
      const suggestion = suggestDirective(d.name);
      const range = suggestion ? nameRange(d) : null;
      ctx.report({
        node: d,
        message: `unknown directive "${d.name}"` + (suggestion ? ` (did you mean "${suggestion}"?)` : ''),
        fix:
          suggestion && range
            ? {
                description: `rename "${d.name}" to "${suggestion}"`,
                edits: [{ file: d.file.path, start: range.start, end: range.end, text: suggestion }],
              }
            : undefined,
      });
    };
    return { directive };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import {
  CONF_BLOCK,
  checkArity,
  checksLoneValue,
  countedArgc,
  formFor,
  hasBlockSyntax,
  lookupDirective,
  type ContextName,
} from '../../src/nginx/directives.js';

/** Passed when no value is checked (one shared array, not one per directive). */
const NO_VALUES: readonly string[] = [];

export const rule: Rule = {
  meta: {
    id: 'nginx/directive-arguments',
    category: 'correctness',
    severity: 'error',
    fix: 'none',
    summary: 'wrong number of arguments, a block where none belongs (or none where one does), bad on/off, size or time',
    needs: ['nginx'],
  },
  create(ctx) {
    const directive = (d: Directive, context: ContextName | null): void => {
      // Bodies nginx does not read as directives (map, types, Lua…) are not checked.
      if (context === null) return;
      const spec = lookupDirective(d.name);
      const form = spec && formFor(spec, context);
      // Unknown or misplaced directives belong to the other rules (nginx stops there first).
      if (!spec || !form) return;
      const wantsBlock = (form.type & CONF_BLOCK) !== 0;
      if (wantsBlock !== hasBlockSyntax(d)) {
        ctx.report({
          node: d,
          message: wantsBlock ? `directive "${d.name}" has no opening "{"` : `directive "${d.name}" is not terminated by ";"`,
        });
        return;
      }
      // Only a lone argument's value is ever checked (on/off, size, time): the rest are counted,
      // and the value is read only for directives that have such a check.
      const count = countedArgc(d);
      const problem = checkArity(spec, count, count === 1 && checksLoneValue(spec, form) ? [d.argValue(0)!] : NO_VALUES, context);
      if (!problem) return;
      if (problem.kind === 'count') ctx.report({ node: d, message: problem.message });
      else ctx.report({ node: d.args[problem.argIndex]!, file: d.file, message: problem.message });
    };
    return { directive };
  },
};

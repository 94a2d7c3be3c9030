import type { Rule } from '../../src/lint/rule.js';
import {
  CONF_BLOCK,
  checkArity,
  countedArgs,
  formFor,
  hasBlockSyntax,
  lookupDirective,
  walkContexts,
} from '../../src/nginx/directives.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/directive-arguments',
    category: 'correctness',
    severity: 'error',
    fix: 'none',
    summary: 'wrong number of arguments, a block where none belongs (or none where one does), bad on/off, size or time',
    needs: ['nginx'],
  },
  check(ctx) {
    walkContexts(ctx.nginx!, (d, context) => {
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
      const args = countedArgs(d);
      const problem = checkArity(spec, args.length, args, context);
      if (!problem) return;
      if (problem.kind === 'count') ctx.report({ node: d, message: problem.message });
      else ctx.report({ node: d.args[problem.argIndex]!, file: d.file, message: problem.message });
    });
  },
};

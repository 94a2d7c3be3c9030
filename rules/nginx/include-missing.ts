import type { Rule } from '../../src/lint/rule.js';

// Include problems are found while reading (the loader resolves includes before rules run);
// the engine reports them under this id. See nginx/syntax for why this rule body is empty.
export const rule: Rule = {
  meta: {
    id: 'nginx/include-missing',
    category: 'correctness',
    severity: 'error',
    fix: 'none',
    summary: '`include` of a plain path that does not exist; include cycles',
    needs: ['nginx'],
  },
  check() {},
};

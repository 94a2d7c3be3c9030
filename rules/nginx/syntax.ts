import type { Rule } from '../../src/lint/rule.js';

// Syntax errors come from the parser, not from a rule pass: the engine turns every parse
// diagnostic into a finding of this id, so every output format shows them. This entry gives
// the id its meta and docs, and lets --select/--ignore name it.
export const rule: Rule = {
  meta: {
    id: 'nginx/syntax',
    category: 'correctness',
    severity: 'error',
    fix: 'none',
    summary: 'lexer/parser errors, in nginx\'s wording',
    needs: ['nginx'],
  },
  check() {},
};

import type { Edit, Rule } from '../../src/lint/rule.js';
import { literalRegexLocation } from '../../src/analysis/security.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/location-missing-regex-modifier',
    category: 'correctness',
    severity: 'warning',
    fix: 'suggest',
    summary: 'location path written as a regex (groups, anchors, $1…) without `~`: nginx compares it literally, it never matches as meant',
    needs: ['nginx'],
  },
  create(ctx) {
    return {
      named: {
        location(loc) {
          const hit = literalRegexLocation(loc);
          if (!hit) return;
          const path = hit.arg.value;
          const never = !path.startsWith('/');
          const uses = hit.captures.length > 0 ? ` and ${hit.captures.join(', ')} used here ${hit.captures.length > 1 ? 'are' : 'is'} always empty` : '';
          const edits: Edit[] = [];
          if (!hit.modifier) edits.push({ file: loc.file.path, start: hit.arg.start, end: hit.arg.start, text: '~ ' });
          else if (hit.modifier.value === '^~') edits.push({ file: loc.file.path, start: hit.modifier.start, end: hit.modifier.end, text: '~' });
          ctx.report({
            node: loc,
            message: `location "${path}" looks like a regex but has no "~": nginx ${never ? 'compares it as a literal prefix, and no URI begins with "' + path[0] + '", so it never matches' : 'matches it as a literal string'}${uses} (write "location ~ ${path}")`,
            fix: edits.length > 0 ? { description: `make it a regex location: location ~ ${path}`, edits } : undefined,
          });
        },
      },
    };
  },
};

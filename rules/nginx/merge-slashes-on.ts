import type { Rule } from '../../src/lint/rule.js';
import { replaceArg } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/merge-slashes-on',
    aliases: ['merge_slashes_on'],
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: 'merge_slashes on: nginx matches locations on a path the backend never sees (path confusion)',
    needs: ['nginx'],
  },
  create(ctx) {
    return {
      named: {
        merge_slashes(d) {
          const v = d.args[0];
          if (v?.value !== 'on') return;
          ctx.report({
            node: d,
            message: 'merge_slashes on: locations and ACLs match "/a//b" as "/a/b" while a proxied backend receives the original path, so access rules and backend routing can disagree',
            fix: { description: 'set merge_slashes off', edits: [replaceArg(d.file, v, 'off')] },
          });
        },
      },
    };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { BALANCING_METHODS, httpUpstreams } from '../../src/nginx/query.js';
import { moveBefore } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/upstream-lb-after-keepalive',
    category: 'correctness',
    severity: 'error',
    fix: 'safe',
    summary: 'a balancing method written after keepalive in an upstream',
    needs: ['nginx'],
  },
  check(ctx) {
    for (const up of httpUpstreams(ctx.nginx!)) {
      const kids = up.block ?? [];
      const ka = kids.find((d) => d.name === 'keepalive');
      if (!ka) continue;
      for (const d of kids.slice(kids.indexOf(ka) + 1)) {
        if (!BALANCING_METHODS.includes(d.name)) continue;
        ctx.report({
          node: d,
          message: `"${d.name}" after "keepalive" in upstream "${up.args[0]?.value ?? ''}": the balancing method replaces the keepalive handler, so connections are not cached (move it above keepalive)`,
          fix: d.file === ka.file ? { description: `move "${d.name}" above "keepalive"`, edits: moveBefore(d, ka) } : undefined,
        });
      }
    }
  },
};

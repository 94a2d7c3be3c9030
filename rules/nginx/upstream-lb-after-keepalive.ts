import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing } from '../../src/nginx/tree.js';
import { BALANCING_METHODS } from '../../src/nginx/query.js';
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
  create(ctx) {
    // The upstreams httpUpstreams() lists: blocks outside stream.
    const upstream = (up: Directive): void => {
      if (!up.block || enclosing(up, 'stream')) return;
      const kids = up.block;
      const ka = kids.find((d) => d.name === 'keepalive');
      if (!ka) return;
      for (const d of kids.slice(kids.indexOf(ka) + 1)) {
        if (!BALANCING_METHODS.includes(d.name)) continue;
        ctx.report({
          node: d,
          message: `"${d.name}" after "keepalive" in upstream "${up.args[0]?.value ?? ''}": the balancing method replaces the keepalive handler, so connections are not cached (move it above keepalive)`,
          fix: d.file === ka.file ? { description: `move "${d.name}" above "keepalive"`, edits: moveBefore(d, ka) } : undefined,
        });
      }
    };
    return { named: { upstream } };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { num } from '../../src/model/gunicorn-query.js';
import { complete, removeSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/jitter-without-max-requests',
    category: 'correctness',
    severity: 'info',
    fix: 'safe',
    summary: 'max_requests_jitter with max_requests = 0 has no effect',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const s = written(app, 'max_requests_jitter');
      const jitter = num(app, 'max_requests_jitter');
      if (!s || jitter === undefined || jitter <= 0 || num(app, 'max_requests') !== 0) continue;
      const edit = removeSetting(app, 'max_requests_jitter');
      ctx.report({
        origin: s.origin,
        message: `max_requests_jitter ${jitter} has no effect: max_requests is 0, so workers are never restarted`,
        ...(edit ? { fix: { description: 'remove max_requests_jitter', edits: [edit] } } : {}),
      });
    }
  },
};

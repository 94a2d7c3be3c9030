import type { Rule } from '../../src/lint/rule.js';
import { num } from '../../src/model/gunicorn-query.js';
import { addSetting, complete, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/max-requests-no-jitter',
    category: 'reliability',
    severity: 'info',
    fix: 'safe',
    summary: 'max_requests without max_requests_jitter restarts all workers at the same time',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const s = written(app, 'max_requests');
      const max = num(app, 'max_requests');
      const jitter = num(app, 'max_requests_jitter');
      if (!s || max === undefined || max <= 0 || jitter !== 0) continue;
      const suggested = Math.max(1, Math.round(max * 0.05));
      const edit = addSetting(app, 'max_requests_jitter', suggested, 'max_requests');
      ctx.report({
        origin: s.origin,
        message: `max_requests ${max} without max_requests_jitter: workers started together reach the limit together and restart at once; add a jitter of about 5% (${suggested})`,
        ...(edit ? { fix: { description: `set max_requests_jitter to ${suggested}`, edits: [edit] } } : {}),
      });
    }
  },
};

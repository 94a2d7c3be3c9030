import type { Rule } from '../../src/lint/rule.js';
import { bool } from '../../src/model/gunicorn-query.js';
import { removeSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/reload-enabled',
    category: 'reliability',
    severity: 'warning',
    fix: 'safe',
    summary: 'reload is on: a development option (restarts on file changes, incompatible with preload_app)',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      const s = written(app, 'reload');
      if (!s || s.value !== true) continue;
      const preload = bool(app, 'preload_app') === true ? ' and it does not work together with preload_app' : '';
      const edit = removeSetting(app, 'reload');
      ctx.report({
        origin: s.origin,
        message: `reload is on: workers restart whenever a watched file changes (a development option that costs CPU on file polling)${preload}`,
        ...(edit ? { fix: { description: 'remove reload', edits: [edit] } } : {}),
      });
    }
  },
};

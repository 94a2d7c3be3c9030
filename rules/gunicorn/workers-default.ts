import type { Rule } from '../../src/lint/rule.js';
import { appLabel, bool, isAsync, workerKind } from '../../src/model/gunicorn-query.js';
import { complete, reportAt, setSetting } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/workers-default',
    category: 'performance',
    severity: 'warning',
    fix: 'suggest',
    summary: 'gunicorn runs its default single worker in a production setup',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const w = app.settings.get('workers');
      if (!w || !w.isDefault || w.value !== 1) continue;
      // `--reload` marks a development server, where one worker is normal.
      if (bool(app, 'reload') === true) continue;
      const kind = workerKind(app);
      const suggested = isAsync(kind) ? app.cpus : 2 * app.cpus + 1;
      const where = reportAt(app, 'workers');
      if (!where) continue;
      const edit = setSetting(app, 'workers', suggested, 'worker_class');
      ctx.report({
        ...where,
        message: `${appLabel(app)} runs 1 worker (gunicorn's default): one process serves every request and uses one of ${app.cpus} cores; use about ${isAsync(kind) ? 'one per core' : '2 × cores + 1'} = ${suggested}`,
        ...(edit ? { fix: { description: `set workers to ${suggested}`, edits: [edit] } } : {}),
      });
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { appLabel, workerKind } from '../../src/model/gunicorn-query.js';
import { complete, removeSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/worker-connections-ignored',
    category: 'correctness',
    severity: 'info',
    fix: 'suggest',
    summary: 'worker_connections set with sync workers (only gthread, gevent and eventlet use it)',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const s = written(app, 'worker_connections');
      if (!s || workerKind(app) !== 'sync') continue;
      const edit = removeSetting(app, 'worker_connections');
      ctx.report({
        origin: s.origin,
        message: `worker_connections ${String(s.value)} has no effect: ${appLabel(app)} uses sync workers, which handle one connection at a time`,
        ...(edit ? { fix: { description: 'remove worker_connections', edits: [edit] } } : {}),
      });
    }
  },
};

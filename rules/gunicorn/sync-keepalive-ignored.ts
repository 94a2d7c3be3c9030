import type { Rule } from '../../src/lint/rule.js';
import { appLabel, workerKind } from '../../src/model/gunicorn-query.js';
import { complete, removeSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/sync-keepalive-ignored',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'keepalive set with sync workers, which close every connection after one response',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const s = written(app, 'keepalive');
      if (!s || workerKind(app) !== 'sync' || typeof s.value !== 'number' || s.value === 0) continue;
      const edit = removeSetting(app, 'keepalive');
      ctx.report({
        origin: s.origin,
        message: `keepalive ${s.value} has no effect: ${appLabel(app)} uses sync workers, which send "Connection: close" and never keep a connection open (use gthread or an async worker class to keep connections)`,
        ...(edit ? { fix: { description: 'remove keepalive', edits: [edit] } } : {}),
      });
    }
  },
};

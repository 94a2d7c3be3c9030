import type { Rule } from '../../src/lint/rule.js';
import { workerKind } from '../../src/model/gunicorn-query.js';
import { complete, removeSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/preload-with-gevent',
    category: 'reliability',
    severity: 'warning',
    fix: 'suggest',
    summary: 'preload_app with gevent/eventlet workers: the app is imported before monkey-patching',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const s = written(app, 'preload_app');
      const kind = workerKind(app);
      if (!s || s.value !== true || (kind !== 'gevent' && kind !== 'eventlet')) continue;
      const edit = removeSetting(app, 'preload_app');
      ctx.report({
        origin: s.origin,
        message: `preload_app with ${kind} workers: the app (and the modules it imports) is loaded in the master before the worker monkey-patches the standard library, so sockets, locks and SSL created at import time stay blocking; drop preload_app or patch at the top of the app`,
        ...(edit ? { fix: { description: 'remove preload_app', edits: [edit] } } : {}),
      });
    }
  },
};

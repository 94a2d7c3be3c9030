import type { Rule } from '../../src/lint/rule.js';
import { isDynamic, num } from '../../src/model/gunicorn-query.js';
import { complete, setSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/sync-threads-implicit-gthread',
    category: 'correctness',
    severity: 'info',
    fix: 'safe',
    summary: 'sync worker class with threads > 1 silently runs gthread workers',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const cls = app.settings.get('worker_class')?.value;
      const threads = num(app, 'threads');
      const t = written(app, 'threads');
      if (isDynamic(cls) || typeof cls !== 'string' || cls !== 'sync' || threads === undefined || threads <= 1 || !t) continue;
      const edit = setSetting(app, 'worker_class', 'gthread', 'threads');
      ctx.report({
        origin: t.origin,
        message: `threads ${threads} with the sync worker class: gunicorn silently switches to gthread workers (which also keep connections alive); name gthread so the configuration says what runs`,
        ...(edit ? { fix: { description: 'set worker_class to gthread', edits: [edit] } } : {}),
      });
    }
  },
};

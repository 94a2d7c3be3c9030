import type { Rule } from '../../src/lint/rule.js';
import { appLabel, isAsync, num, workerKind } from '../../src/model/gunicorn-query.js';
import { complete, place, setSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/workers-range',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'sync workers fewer than the cores, or any worker class above 4 × cores',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const workers = num(app, 'workers');
      const kind = workerKind(app);
      const s = written(app, 'workers');
      if (workers === undefined || kind === undefined || !s) continue;
      const cores = app.cpus;
      if (cores === null) continue;
      let message: string | undefined;
      let suggested: number | undefined;
      if (kind === 'sync' && workers < cores && workers > 1) {
        suggested = 2 * cores + 1;
        message = `${appLabel(app)} runs ${workers} sync workers on ${cores} cores (${place(s)}): sync workers serve one request each, so cores sit idle; gunicorn suggests 2 × cores + 1 = ${suggested}`;
      } else if (workers > 4 * cores) {
        suggested = isAsync(kind) ? cores : 2 * cores + 1;
        message = `${appLabel(app)} runs ${workers} ${kind} workers on ${cores} cores (${place(s)}): more than 4 × cores only adds memory and context switches; about ${suggested} is enough`;
      }
      if (!message || suggested === undefined) continue;
      const edit = setSetting(app, 'workers', suggested);
      ctx.report({ origin: s.origin, message, ...(edit ? { fix: { description: `set workers to ${suggested}`, edits: [edit] } } : {}) });
    }
  },
};

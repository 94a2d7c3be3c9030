import type { Rule } from '../../src/lint/rule.js';
import { appLabel, str } from '../../src/model/gunicorn-query.js';
import { complete, reportAt, setSetting } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/worker-tmp-dir',
    category: 'reliability',
    severity: 'info',
    fix: 'suggest',
    summary: 'container deployment without a tmpfs worker_tmp_dir (worker heartbeats can block on disk)',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      if (app.launcher !== 'docker' && app.launcher !== 'compose') continue;
      const dir = str(app, 'worker_tmp_dir');
      const value = app.settings.get('worker_tmp_dir')?.value;
      if (value !== null && value !== undefined && dir === undefined) continue; // dynamic
      if (dir && (dir.startsWith('/dev/shm') || dir.startsWith('/run') || dir.startsWith('/tmp'))) continue;
      const where = reportAt(app, 'worker_tmp_dir');
      if (!where) continue;
      const edit = setSetting(app, 'worker_tmp_dir', '/dev/shm');
      ctx.report({
        ...where,
        message: `${appLabel(app)} runs in a container with worker_tmp_dir ${dir ?? 'unset (the image /tmp)'}: each worker's heartbeat file is updated on every request, and on an overlay filesystem that can block workers for seconds; use a tmpfs such as /dev/shm`,
        ...(edit ? { fix: { description: 'set worker_tmp_dir to /dev/shm', edits: [edit] } } : {}),
      });
    }
  },
};

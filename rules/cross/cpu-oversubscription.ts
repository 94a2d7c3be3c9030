import type { Rule } from '../../src/lint/rule.js';
import type { Origin } from '../../src/gunicorn/types.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { appLabel, isAsync, num, workerKind } from '../../src/model/gunicorn-query.js';
import { nginxWorkers } from './keepalive-pool-vs-capacity.js';

export const rule: Rule = {
  meta: {
    id: 'cross/cpu-oversubscription',
    supersedes: ['nginx/worker-processes'],
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: "nginx workers + gunicorn workers far above the host's cores",
    probe: 'throughput',
    needs: ['nginx', 'gunicorn'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const cpus = ctx.options.cpus;
    if (cpus === null) return; // the deployment's cores are unknown: no budget to compare with
    const wp = effectiveValue(config, null, 'worker_processes');
    const nginxCount = nginxWorkers(wp.args?.[0], cpus);
    if (nginxCount === undefined) return;
    const apps = [...new Set(ctx.model.links.map((l) => l.app))];
    if (apps.length === 0) return;
    let gunicornCount = 0;
    let allAsync = true;
    let workersOrigin: Origin | undefined;
    for (const app of apps) {
      const w = num(app, 'workers');
      if (w === undefined) return; // computed: don't guess
      const s = app.settings.get('workers');
      if (!workersOrigin && s?.origin.file) workersOrigin = s.origin;
      gunicornCount += w;
      allAsync &&= isAsync(workerKind(app));
    }
    // "Far above": nginx ≈ cores, plus gunicorn's own upper guide — 2-4 × cores for sync/gthread
    // workers that spend time blocked, about 2 × cores for async workers whose loops each keep a core busy.
    const budget = allAsync ? 3 * cpus : 5 * cpus;
    const total = nginxCount + gunicornCount;
    if (total <= budget) return;
    // Point at nginx's worker_processes when written, else at gunicorn's workers line.
    const where = wp.node ? { node: wp.node } : workersOrigin ? { origin: workersOrigin } : config.root[0] ? { node: config.root[0] } : { at: { file: config.main, start: 0, end: 0 } };
    ctx.report({
      ...where,
      message: `${nginxCount} nginx worker${nginxCount > 1 ? 's' : ''} + ${gunicornCount} gunicorn worker${gunicornCount > 1 ? 's' : ''} (${apps.map(appLabel).join(', ')}) compete for ${cpus} core${cpus > 1 ? 's' : ''}: context switches cost throughput (measure fewer with conftune tune --search; a starting point is worker_processes ≈ cores beside ${allAsync ? 'async workers ≈ cores' : 'sync workers ≈ 2 × cores + 1'})`,
    });
  },
};

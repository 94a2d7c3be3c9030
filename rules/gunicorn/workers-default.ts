import type { Rule } from '../../src/lint/rule.js';
import type { Dynamic, GunicornApp, Launcher } from '../../src/gunicorn/types.js';
import { appLabel, bool, describeOrigin, isAsync, isDynamic, num, workerKind } from '../../src/model/gunicorn-query.js';
import { complete, reportAt, setSetting } from './_shared.js';

/** Launchers that run a service for real (not a shell script that may be a developer's helper). */
const PRODUCTION: Launcher[] = ['systemd', 'supervisord', 'docker', 'compose', 'procfile'];

/** What to suggest: a number when the cores are known, else the formula. */
function suggestion(app: GunicornApp, async: boolean): { text: string; value?: number } {
  const formula = async ? 'one per core' : '2 × cores + 1';
  if (app.cpus === null) return { text: `use about ${formula} (pass --cpus for a number)` };
  const value = async ? app.cpus : 2 * app.cpus + 1;
  return { text: `use about ${formula} = ${value}`, value };
}

export const rule: Rule = {
  meta: {
    id: 'gunicorn/workers-default',
    category: 'performance',
    severity: 'warning',
    fix: 'suggest',
    summary: 'gunicorn runs a single worker in a production setup (its default, or an explicit 1 sync worker)',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const w = app.settings.get('workers');
      if (!w) continue;
      // `--reload` marks a development server, where one worker is normal.
      if (bool(app, 'reload') === true) continue;
      const kind = workerKind(app);
      const async = isAsync(kind);
      const cores = app.cpus === null ? 'the host\'s cores' : `${app.cpus} cores`;
      let message: string | undefined;
      // A launch script inherits the environment of whatever runs it (a container, a unit the
      // repository does not hold): gunicorn then takes WEB_CONCURRENCY from there, unseen.
      if (w.isDefault && app.launcher === 'shell') continue;
      if (w.isDefault && w.value === 1) {
        message = `${appLabel(app)} runs 1 worker (gunicorn's default): one process serves every request and uses one of ${cores}`;
      } else if (isDynamic(w.value) && w.origin.kind === 'env' && !w.origin.file && (w.value as Dynamic).fallback === 1 && (w.value as Dynamic).env?.includes('WEB_CONCURRENCY')) {
        // gunicorn's default, unless a variable the deployment does not show sets WEB_CONCURRENCY.
        message = `${appLabel(app)} runs 1 worker (gunicorn's default) unless ${w.value.reason.replace(/ may be set by /, ' is set by ')}: one process serves every request and uses one of ${cores}`;
      } else if (!w.isDefault && num(app, 'workers') === 1 && kind === 'sync' && PRODUCTION.includes(app.launcher)) {
        // An explicit single sync worker: one request at a time. Async workers (gevent, eventlet,
        // uvicorn) serve many connections per process, where one per core is a normal choice.
        message = `${appLabel(app)} runs 1 sync worker, set explicitly (${describeOrigin(w)}): it serves one request at a time and uses one of ${cores}`;
      }
      if (!message) continue;
      const where = reportAt(app, 'workers');
      if (!where) continue;
      const s = suggestion(app, async);
      const edit = s.value !== undefined ? setSetting(app, 'workers', s.value, 'worker_class') : null;
      ctx.report({
        ...where,
        message: `${message}; ${s.text}`,
        ...(edit ? { fix: { description: `set workers to ${s.value}`, edits: [edit] } } : {}),
      });
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { removeSetting, written } from './_shared.js';

const SUPERVISED: Record<string, string> = {
  systemd: 'systemd',
  supervisord: 'supervisord',
  docker: 'Docker',
  compose: 'docker compose',
  procfile: 'the Procfile runner',
};

export const rule: Rule = {
  meta: {
    id: 'gunicorn/daemon-under-supervisor',
    category: 'reliability',
    severity: 'error',
    fix: 'safe',
    summary: 'daemon is on while systemd, supervisord or a container runtime runs gunicorn',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      const s = written(app, 'daemon');
      const by = SUPERVISED[app.launcher];
      if (!s || s.value !== true || !by) continue;
      const edit = removeSetting(app, 'daemon');
      ctx.report({
        origin: s.origin,
        message: `daemon is on but ${by} runs gunicorn: gunicorn forks into the background and the process ${by} started exits, so it is seen as stopped (restart loops, or a container that exits at once)`,
        ...(edit ? { fix: { description: 'remove daemon', edits: [edit] } } : {}),
      });
    }
  },
};

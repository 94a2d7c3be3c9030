import type { Rule } from '../../src/lint/rule.js';
import { num, workerKind } from '../../src/model/gunicorn-query.js';
import { complete, setSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/timeout-disabled-sync',
    category: 'reliability',
    severity: 'warning',
    fix: 'suggest',
    summary: 'timeout = 0 with sync workers: a stuck request blocks its worker forever',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const s = written(app, 'timeout');
      if (!s || num(app, 'timeout') !== 0 || workerKind(app) !== 'sync') continue;
      const edit = setSetting(app, 'timeout', 30);
      ctx.report({
        origin: s.origin,
        message: 'timeout 0 disables the worker timeout: with sync workers a request that hangs (slow upstream, deadlock) holds its worker forever and the pool drains; keep a timeout (default 30)',
        ...(edit ? { fix: { description: 'set timeout to 30', edits: [edit] } } : {}),
      });
    }
  },
};

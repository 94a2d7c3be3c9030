import type { Rule } from '../../src/lint/rule.js';
import { diagnosticFile } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/invalid-value',
    category: 'correctness',
    severity: 'error',
    fix: 'none',
    summary: "a value gunicorn's validator rejects (gunicorn does not start)",
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      for (const d of app.diagnostics) {
        if (d.kind !== 'invalid-value' && d.kind !== 'syntax') continue;
        const file = diagnosticFile(app, d);
        if (!file) continue;
        // A conf.py that does not parse is rejected as a whole: gunicorn prints "Failed to read config file".
        const message = d.kind === 'syntax' ? `gunicorn cannot load this file: SyntaxError: ${d.message}` : d.message;
        ctx.report({ at: { file, start: d.start, end: d.end }, message });
      }
    }
  },
};

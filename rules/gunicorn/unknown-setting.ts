import type { Rule } from '../../src/lint/rule.js';
import { encodeLatin1 } from '../../src/nginx/tree.js';
import { diagnosticFile } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/unknown-setting',
    category: 'correctness',
    severity: 'warning',
    fix: 'suggest',
    summary: 'a name that is not a gunicorn setting (gunicorn ignores it in conf.py, refuses it as a flag)',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      for (const d of app.diagnostics) {
        if (d.kind !== 'unknown-setting') continue;
        const file = diagnosticFile(app, d);
        if (!file) continue;
        let fix;
        if (d.suggestion) {
          // Rename just the name (conf.py) or the flag part before `=` (command line).
          const written = file.text.slice(d.start, d.end);
          const eq = written.indexOf('=');
          const end = written.startsWith('-') && eq > 0 ? d.start + eq : d.end;
          fix = { description: `rename to ${d.suggestion}`, edits: [{ file: file.path, start: d.start, end, text: encodeLatin1(d.suggestion) }] };
        }
        ctx.report({ at: { file, start: d.start, end: d.end }, message: d.message, ...(fix ? { fix } : {}) });
      }
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { replaceArg } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/error-log-off',
    aliases: ['error_log_off'],
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: '`error_log off` writes to a file named "off" instead of disabling the log',
    needs: ['nginx'],
  },
  create(ctx) {
    return {
      named: {
        error_log(d) {
          const a = d.args[0];
          if (a?.value !== 'off') return;
          ctx.report({
            node: a,
            file: d.file,
            message: 'error_log has no "off" value: nginx logs to a file named "off" in its prefix directory (use "/dev/null crit" to discard, or keep a real log)',
            fix: { description: 'log to /dev/null at level crit', edits: [replaceArg(d.file, a, '/dev/null'), ...(d.args[1] ? [] : [{ file: d.file.path, start: a.end, end: a.end, text: ' crit' }])] },
          });
        },
      },
    };
  },
};

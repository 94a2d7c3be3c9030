import type { Rule } from '../../src/lint/rule.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { replaceArg } from '../../src/edit/edits.js';
import { intArg, outerLevelsUnknown, setsBelow } from './_perf.js';

const SUGGESTED = 5;

export const rule: Rule = {
  meta: {
    id: 'nginx/gzip-level-high',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'gzip_comp_level 7 or more spends CPU for little gain',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    return {
      named: {
        gzip_comp_level(d) {
          const arg = d.args[0];
          const level = intArg(arg?.value);
          if (!arg || !Number.isFinite(level) || level < 7) return;
          // Inert when gzip is off here and nowhere below (unless a file we can't see turns it on).
          const gzip = effectiveValue(config, d.parent, 'gzip', ctx.options.versions.nginx);
          if (gzip.args?.[0] !== 'on' && !setsBelow(d.parent, config, 'gzip', 'on') && !(gzip.isDefault && outerLevelsUnknown(config, d.parent))) return;
          ctx.report({
            node: d,
            message: `gzip_comp_level ${level} costs several times the CPU of level ${SUGGESTED} per response for a few percent smaller output, and nginx compresses on every request (use 4-6; pre-compress static files with gzip_static)`,
            fix: { description: `set gzip_comp_level ${SUGGESTED}`, edits: [replaceArg(d.file, arg, String(SUGGESTED))] },
          });
        },
      },
    };
  },
};

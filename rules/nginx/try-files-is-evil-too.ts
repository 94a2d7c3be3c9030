import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { inScope } from '../../src/analysis/security.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/try-files-is-evil-too',
    aliases: ['try_files_is_evil_too'],
    category: 'performance',
    severity: 'info',
    fix: 'none',
    summary: 'try_files without open_file_cache: every request pays extra stat() calls',
    needs: ['nginx'],
    // gixy-ng parity, one finding per try_files: nginx/open-file-cache-missing asks for the same
    // cache once per http block, so this one runs only when selected by name.
    optIn: true,
  },
  create(ctx) {
    const config = ctx.nginx!;
    const try_files = (d: Directive): void => {
      const cache = inScope(config, d, 'open_file_cache');
      if (cache && cache.args[0]?.value !== 'off') return;
      ctx.report({
        node: d,
        message: `try_files checks the file system for each candidate on every request, and open_file_cache is ${cache ? 'off' : 'not set'} here: enable "open_file_cache max=… inactive=…;" to cache those lookups`,
      });
    };
    return { named: { try_files } };
  },
};

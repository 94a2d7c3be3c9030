import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { insertIntoBlock } from '../../src/edit/edits.js';
import { httpBlocks, httpServers, inheritsFromOpaque, listPlaces, staticScopes } from './_perf.js';

const SUGGESTED = 'open_file_cache max=10000 inactive=30s;';

export const rule: Rule = {
  meta: {
    id: 'nginx/open-file-cache-missing',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'static files served without open_file_cache',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    // The http level is where the cache belongs; a fragment's http level is in a file we don't have.
    for (const http of httpBlocks(config)) {
      const servers = httpServers(config).filter((s) => s.parent === http || (s.parent !== null && isInside(s, http)));
      const uncached = staticScopes(config, servers).filter((scope) => {
        if (inheritsFromOpaque(config, scope)) return false;
        const v = effectiveValue(config, scope, 'open_file_cache', version).args?.[0];
        return v === undefined || v === 'off';
      });
      if (uncached.length === 0) continue;
      const edit = insertIntoBlock(http, SUGGESTED, ['sendfile', 'tcp_nopush', 'tcp_nodelay']);
      const list = listPlaces(uncached, http);
      ctx.report({
        node: http,
        message: `static files are served (${list}) without open_file_cache: every request re-opens and stats the file (add "${SUGGESTED}" here)`,
        fix: edit ? { description: `add "${SUGGESTED}" to http`, edits: [edit] } : undefined,
      });
    }
  },
};

function isInside(d: Directive, block: Directive): boolean {
  for (let p = d.parent; p; p = p.parent) if (p === block) return true;
  return false;
}

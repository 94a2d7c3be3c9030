import type { Rule } from '../../src/lint/rule.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { childrenNamed } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { inheritsFromOpaque, isHttpServer, locationsUnder, serverLevelReachable } from './_perf.js';

/** Handlers that never read from the document root. */
const NO_ROOT = new Set(['proxy_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass', 'return', 'alias', 'stub_status', 'empty_gif']);

/** A location that would serve from nginx's compiled-in default root (`html` under the prefix). */
function usesDefaultRoot(config: NginxConfig, loc: Directive): boolean {
  if (loc.args[0]?.value.startsWith('@') && !(loc.block ?? []).some((d) => d.name === 'try_files' || d.name === 'fastcgi_pass')) return false;
  const kids = loc.block ?? [];
  if (kids.some((d) => NO_ROOT.has(d.name) || (d.name === 'if' && (d.block ?? []).some((c) => c.name === 'return')))) return false;
  // `location ^~ /backups/ { internal; }`: a block for outside requests (404), nothing it serves.
  const LOGGING = new Set(['internal', 'access_log', 'log_not_found', 'error_log']);
  if (kids.some((d) => d.name === 'internal') && kids.every((d) => LOGGING.has(d.name))) return false;
  // `deny all` answers 403 before any file is looked up.
  if (kids.some((d) => d.name === 'deny' && d.args[0]?.value === 'all') && !kids.some((d) => d.name === 'allow')) return false;
  // Nested locations decide for themselves.
  if (kids.some((d) => d.name === 'location') && !kids.some((d) => d.name === 'try_files' || d.name === 'fastcgi_pass' || d.name === 'index')) return false;
  return effectiveValue(config, loc, 'root').node === null;
}

/** A server block httpServers() lists: http's, not below stream/mail/upstream/map/events or another server. */
function label(loc: Directive): string {
  return `location ${loc.args.map((a) => a.value).join(' ')} (line ${loc.line})`;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/root-in-location',
    category: 'correctness',
    severity: 'info',
    fix: 'none',
    summary: 'root set only inside locations while other requests fall through to the default root',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const server = (server: Directive): void => {
      if (!isHttpServer(config, server)) return;
      if (effectiveValue(config, server, 'root').node !== null || inheritsFromOpaque(config, server)) return;
      const locs = locationsUnder(server.block ?? []);
      const withRoot = locs.filter((l) => childrenNamed(l.block, 'root').length > 0);
      if (withRoot.length === 0) return;
      const fallers = locs.filter((l) => !inheritsFromOpaque(config, l) && usesDefaultRoot(config, l));
      const serverFalls = serverLevelReachable(server);
      if (fallers.length === 0 && !serverFalls) return;
      const what = [
        ...(serverFalls ? ['requests matching no location'] : []),
        ...fallers.slice(0, 3).map(label),
        ...(fallers.length > 3 ? [`${fallers.length - 3} more`] : []),
      ].join(', ');
      ctx.report({
        node: server,
        message: `root is set only inside locations (${withRoot.slice(0, 2).map(label).join(', ')}${withRoot.length > 2 ? ', …' : ''}); ${what} fall back to nginx's compiled-in root (html under the prefix) and serve the wrong files or 404 (set root once at server level and override it only where needed)`,
      });
    };
    return { named: { server } };
  },
};

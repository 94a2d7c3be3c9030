import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveProxyHeaders } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { replaceArg } from '../../src/edit/edits.js';
import { appLabel, describeOrigin, list, str } from '../../src/model/gunicorn-query.js';
import { dynamicSetting, passesFor, trustsNginx } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'cross/underscore-header-dropped',
    category: 'correctness',
    severity: 'warning',
    fix: 'suggest',
    summary: 'proxy_set_header with "_" in the name toward gunicorn ≥ 22 (it drops such headers)',
    since: { gunicorn: '>=22' },
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const seen = new Set<Directive>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          if (dynamicSetting(link.app, 'header_map') || dynamicSetting(link.app, 'forwarder_headers')) continue;
          const mode = (str(link.app, 'header_map') ?? 'drop').toLowerCase();
          if (mode === 'dangerous') continue;
          // From a trusted peer gunicorn keeps the names in forwarder_headers (SCRIPT_NAME, PATH_INFO).
          const trusted = trustsNginx(link.app, link.target.address);
          const forwarders = (list(link.app, 'forwarder_headers') ?? []).map((h) => h.toUpperCase());
          for (const p of passesFor(link.target, all)) {
            for (const d of effectiveProxyHeaders(config, p.node).values()) {
              const name = d.args[0]?.value ?? '';
              // An empty value means nginx does not send the header at all.
              if (!name.includes('_') || seen.has(d) || (d.args[1]?.value ?? '') === '') continue;
              // Kept when trusted; unknown trust: don't guess.
              if ((forwarders.includes('*') || forwarders.includes(name.toUpperCase())) && trusted !== false) continue;
              seen.add(d);
              const dashed = name.replace(/_/g, '-');
              const effect = mode === 'refuse' ? 'rejects every request carrying it with 400 (header_map = "refuse")' : `drops it silently (header_map = "drop", ${describeOrigin(link.app.settings.get('header_map'))}), so the app never sees it`;
              ctx.report({
                node: d,
                message: `header "${name}" contains "_": ${appLabel(link.app)} (gunicorn ${link.app.version}) ${effect} — rename it "${dashed}" (the app reads HTTP_${dashed.toUpperCase().replace(/-/g, '_')} either way)`,
                fix: { description: `rename the header to ${dashed}`, edits: [replaceArg(d.file, d.args[0]!, dashed)] },
              });
            }
          }
        }
      },
    };
  },
};

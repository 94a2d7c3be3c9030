import type { Rule } from '../../src/lint/rule.js';
import { effectiveValue, parseNginxSize, type EffectiveValue } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { appLabel, describeOrigin, num, workerKind } from '../../src/model/gunicorn-query.js';
import { gunicornSide, passesFor } from './_shared.js';

/** gunicorn's ceiling for limit_request_line. */
const GUNICORN_MAX_LINE = 8190;

export const rule: Rule = {
  meta: {
    id: 'cross/request-line-limits',
    category: 'reliability',
    severity: 'info',
    fix: 'suggest',
    summary: "nginx's header buffers admit request lines gunicorn rejects (limit_request_line) → 400",
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const reported = new Set<unknown>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          // uvicorn's and other ASGI workers parse requests themselves: limit_request_line does not apply.
          if (workerKind(link.app) === 'asgi') continue;
          const limit = num(link.app, 'limit_request_line');
          if (limit === undefined || limit <= 0) continue; // 0 = unlimited; computed: don't guess
          // The buffer applies in the server that receives the request: look where each proxy_pass lives.
          let widest: { v: EffectiveValue; bytes: number } | undefined;
          for (const p of passesFor(link.target, all)) {
            const v = effectiveValue(config, p.node, 'large_client_header_buffers', ctx.options.versions.nginx);
            const bytes = parseNginxSize(v.args?.[1] ?? '8k');
            if (!Number.isNaN(bytes) && (!widest || bytes > widest.bytes)) widest = { v, bytes };
          }
          // A request line fills one buffer with its CRLF.
          if (!widest || widest.bytes - 2 <= limit) continue;
          const { v, bytes } = widest;
          const s = link.app.settings.get('limit_request_line');
          // Both programs' defaults (8k vs 4094): a 4–8 KB URL gets gunicorn's 400 instead of nginx's
          // 414, nobody chose either limit, and nothing is worth changing. Report a limit set by hand.
          if (v.isDefault && (!s || s.isDefault)) continue;
          // Point at whichever side was set by hand: gunicorn's line first, then nginx's, else the target.
          const at = s && !s.isDefault && s.origin.file ? gunicornSide(s.origin, link.target.node) : { node: v.node ?? link.target.node };
          // One finding per gunicorn app, unless nginx's own directive is the place to look.
          const key = !at.origin && v.node ? v.node : link.app;
          if (reported.has(key)) continue;
          reported.add(key);
          const raise = Math.min(GUNICORN_MAX_LINE, bytes - 2);
          ctx.report({
            ...at,
            message: `nginx accepts request lines up to ${v.args?.[1] ?? '8k'} (large_client_header_buffers${v.isDefault ? ", nginx's default" : ''}) but ${appLabel(link.app)} rejects lines over limit_request_line ${limit} bytes (${describeOrigin(s)}): long URLs pass nginx and get a 400 from gunicorn (raise limit_request_line to ${raise}${bytes - 2 > GUNICORN_MAX_LINE ? ', its maximum, and lower nginx\'s buffer to 8k' : ''}, or lower large_client_header_buffers)`,
          });
        }
      },
    };
  },
};

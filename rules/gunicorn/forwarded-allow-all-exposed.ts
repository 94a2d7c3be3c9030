import type { Rule } from '../../src/lint/rule.js';
import { appLabel, isLoopbackBind, list } from '../../src/model/gunicorn-query.js';
import { complete, setSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/forwarded-allow-all-exposed',
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: "forwarded_allow_ips = '*' while gunicorn listens on a non-loopback address",
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      if (!complete(app)) continue;
      const ips = list(app, 'forwarded_allow_ips');
      const s = app.settings.get('forwarded_allow_ips');
      if (!ips || !ips.includes('*') || !s?.origin.file) continue;
      const exposed = app.binds.filter((b) => b.kind === 'tcp' && !isLoopbackBind(b));
      if (exposed.length === 0) continue;
      const edit = written(app, 'forwarded_allow_ips') ? setSetting(app, 'forwarded_allow_ips', '127.0.0.1') : null;
      ctx.report({
        origin: s.origin,
        message: `${appLabel(app)} trusts X-Forwarded-* from any address ('*') and listens on ${exposed.map((b) => b.raw).join(', ')}: a client that reaches it directly can claim any IP or https; list only the proxy's address`,
        ...(edit ? { fix: { description: "set forwarded_allow_ips to the proxy's address (127.0.0.1)", edits: [edit] } } : {}),
      });
    }
  },
};

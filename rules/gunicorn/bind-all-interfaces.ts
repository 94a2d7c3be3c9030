import type { Rule } from '../../src/lint/rule.js';
import type { Bind } from '../../src/gunicorn/types.js';
import { appLabel, isWildcardBind } from '../../src/model/gunicorn-query.js';
import { replaceFlagValue, replaceConfValue, pyLiteral } from '../../src/edit/gunicorn-edits.js';
import { complete } from './_shared.js';

function loopbackFor(b: Bind): string {
  return b.kind === 'tcp' && b.host.includes(':') ? `[::1]:${b.port}` : b.kind === 'tcp' ? `127.0.0.1:${b.port}` : b.raw;
}

export const rule: Rule = {
  meta: {
    id: 'gunicorn/bind-all-interfaces',
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: 'gunicorn binds 0.0.0.0/[::] although nginx on the same host fronts it',
    needs: ['nginx', 'gunicorn'],
  },
  check(ctx) {
    for (const link of ctx.model.links) {
      const b = link.bind;
      // In a container the wildcard bind is how the proxy reaches gunicorn.
      if (!complete(link.app) || !isWildcardBind(b) || link.app.launcher === 'docker' || link.app.launcher === 'compose') continue;
      const addr = link.target.address;
      if (addr.kind !== 'tcp' || !/^(127\.|localhost$|::1$|\[::1\]$)/.test(addr.host)) continue;
      const o = b.origin;
      if (!o.file || o.start === undefined) continue;
      const replacement = loopbackFor(b);
      const edit = o.kind === 'conf.py'
        ? (o.file.text.slice(o.start, o.end).trim().startsWith('bind') ? replaceConfValue(o, pyLiteral(replacement)) : { file: o.file.path, start: o.start, end: o.end ?? o.start, text: pyLiteral(replacement) })
        : o.kind === 'cli' || o.kind === 'GUNICORN_CMD_ARGS' ? replaceFlagValue(o, replacement) : null;
      ctx.report({
        origin: o,
        message: `${appLabel(link.app)} binds ${b.raw} (every interface) but nginx on this host reaches it at ${addr.host}:${addr.port}: the backend is also open to the network, bypassing nginx; bind ${replacement}`,
        ...(edit ? { fix: { description: `bind ${replacement}`, edits: [edit] } } : {}),
      });
    }
  },
};

import type { Rule } from '../../src/lint/rule.js';
import { enclosing, findAll } from '../../src/nginx/tree.js';
import { nginxDefault, parseNginxTime } from '../../src/nginx/effective.js';
import { replaceArg } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/client-keepalive-off',
    category: 'performance',
    severity: 'warning',
    fix: 'suggest',
    summary: 'keepalive_timeout 0 disables keep-alive towards clients',
    needs: ['nginx'],
  },
  check(ctx) {
    const def = nginxDefault('keepalive_timeout', ctx.options.versions.nginx)?.[0] ?? '75s';
    for (const d of findAll(ctx.nginx!, 'keepalive_timeout')) {
      // Inside an upstream block it is the idle time of pooled backend connections, not clients'.
      if (d.parent?.name === 'upstream' || enclosing(d, 'stream', 'mail')) continue;
      const arg = d.args[0];
      if (!arg || parseNginxTime(arg.value) !== 0) continue;
      ctx.report({
        node: d,
        message: `keepalive_timeout ${arg.value} closes every client connection after one response: each request pays a new TCP (and TLS) handshake and HTTP/2 loses multiplexing across requests (use nginx's default ${def}, or a shorter non-zero value such as 15s)`,
        fix: { description: `set keepalive_timeout ${def}`, edits: [replaceArg(d.file, arg, def)] },
      });
    }
  },
};

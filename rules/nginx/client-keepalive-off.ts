import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
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
  create(ctx) {
    const def = nginxDefault('keepalive_timeout', ctx.options.versions.nginx)?.[0] ?? '75s';
    const visit = (d: Directive, _context: unknown, inStreamOrMail: boolean): void => {
      // Inside an upstream block it is the idle time of pooled backend connections, not clients'.
      if (d.parent?.name === 'upstream' || inStreamOrMail) return;
      const arg = d.args[0];
      if (!arg || parseNginxTime(arg.value) !== 0) return;
      ctx.report({
        node: d,
        message: `keepalive_timeout ${arg.value} closes every client connection after one response: each request pays a new TCP (and TLS) handshake and HTTP/2 loses multiplexing across requests (use nginx's default ${def}, or a shorter non-zero value such as 15s)`,
        fix: { description: `set keepalive_timeout ${def}`, edits: [replaceArg(d.file, arg, def)] },
      });
    };
    return { named: { keepalive_timeout: visit } };
  },
};

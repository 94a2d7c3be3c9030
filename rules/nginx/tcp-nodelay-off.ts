import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { replaceArg } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/tcp-nodelay-off',
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'tcp_nodelay off adds Nagle delays to small responses and streams',
    needs: ['nginx'],
  },
  create(ctx) {
    const tcp_nodelay = (d: Directive): void => {
      const arg = d.args[0];
      if (arg?.value !== 'off') return;
      ctx.report({
        node: d,
        message: 'tcp_nodelay off lets Nagle\'s algorithm hold back the last small packet of a response until the peer\'s delayed ACK arrives (40-200 ms per response on keep-alive connections, worse for streams and WebSockets); nginx defaults to on (set "tcp_nodelay on;")',
        fix: { description: 'set tcp_nodelay on', edits: [replaceArg(d.file, arg, 'on')] },
      });
    };
    return { named: { tcp_nodelay } };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing, walk } from '../../src/nginx/tree.js';
import { indentUnit, insertAfter } from '../../src/edit/edits.js';

function has421(server: Directive): boolean {
  let found = false;
  walk(server.block ?? [], (d) => {
    if (d.name === 'location' && d.args.length === 1 && d.args[0]!.value === '/' && (d.block ?? []).some((r) => r.name === 'return' && r.args[0]?.value === '421')) found = true;
    return undefined;
  });
  return found;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/http2-misdirected-request',
    aliases: ['http2_misdirected_request'],
    category: 'security',
    severity: 'info',
    fix: 'suggest',
    summary: 'TLS default_server with ssl_reject_handshake and HTTP/2 lacks `location / { return 421; }`',
    needs: ['nginx'],
  },
  create(ctx) {
    const server = (server: Directive): void => {
      // A server block nested in another one is not looked at (the outer one is judged whole).
      if (!server.block || enclosing(server, 'server')) return;
      const reject = server.block.find((d) => d.name === 'ssl_reject_handshake' && d.args[0]?.value === 'on');
      if (!reject) return;
      const listens = server.block.filter((d) => d.name === 'listen');
      if (!listens.some((l) => l.args.some((a) => a.value === 'default_server' || a.value === 'default'))) return;
      let http2 = listens.some((l) => l.args.some((a) => a.value === 'http2'));
      for (let p: Directive | null = server; p && !http2; p = p.parent) {
        const h = (p.block ?? []).find((d) => d.name === 'http2');
        if (h) {
          http2 = h.args[0]?.value === 'on';
          break;
        }
      }
      if (!http2 || has421(server)) return;
      ctx.report({
        node: reject,
        message: 'HTTP/2 clients reuse connections across host names, so requests can reach this handshake-rejecting default server anyway: add "location / { return 421; }" to answer them with Misdirected Request',
        fix: { description: 'add location / { return 421; }', edits: [insertAfter(reject, `location / {${reject.file.newline}${indentUnit(reject.file)}return 421;${reject.file.newline}}`)] },
      });
    };
    return { named: { server } };
  },
};

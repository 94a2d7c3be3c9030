import type { Rule, Edit } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { insertIntoBlock } from '../../src/edit/edits.js';
import { isHttpServer, isTlsServer, outerLevelsUnknown, tlsListens } from './_perf.js';

/** A server block httpServers() lists: http's, not below stream/mail/upstream/map/events or another server. */
function replaceArgsEdit(d: Directive, text: string): Edit {
  return { file: d.file.path, start: d.args[0]!.start, end: d.args[d.args.length - 1]!.end, text };
}

export const rule: Rule = {
  meta: {
    id: 'nginx/ssl-session-cache',
    category: 'performance',
    severity: 'info',
    fix: 'safe',
    summary: 'TLS server without a shared ssl_session_cache',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Reuse a shared zone declared elsewhere (one zone name with two sizes is a configuration
    // error): the first one anywhere, so servers are reported once the walk has seen them all.
    let sharedSpec: string | null = null;
    const servers: Directive[] = [];
    const ssl_session_cache = (d: Directive): void => {
      if (sharedSpec !== null) return;
      const shared = d.args.find((a) => a.value.startsWith('shared:'));
      if (shared) sharedSpec = shared.value;
    };
    const server = (d: Directive): void => {
      if (isHttpServer(config, d) && isTlsServer(d)) servers.push(d);
    };
    const check = (server: Directive, spec: string): void => {
      const v = effectiveValue(config, server, 'ssl_session_cache', ctx.options.versions.nginx);
      if (v.args?.some((a) => a.startsWith('shared:'))) return;
      const at = tlsListens(server)[0] ?? server;
      const tickets = effectiveValue(config, server, 'ssl_session_tickets', ctx.options.versions.nginx).args?.[0] !== 'off';
      const consequence = tickets
        ? 'only clients using session tickets can resume, the others repeat the full TLS handshake on every new connection'
        : 'with ssl_session_tickets off no client can resume a session, so every new connection repeats the full TLS handshake';
      if (v.node && v.node.args.length > 0) {
        const what = v.args!.join(' ');
        ctx.report({
          node: at,
          message: `ssl_session_cache ${what} (line ${v.node.line}) ${what.startsWith('builtin') ? 'is per worker, so a client resumes only when it lands on the same worker' : 'disables session resumption'}: ${consequence} (use "ssl_session_cache ${spec};")`,
          fix: { description: `set ssl_session_cache ${spec}`, edits: [replaceArgsEdit(v.node, spec)] },
        });
        return;
      }
      if (outerLevelsUnknown(config, server)) return;
      const http = enclosing(server, 'http');
      const edit = http ? insertIntoBlock(http, `ssl_session_cache ${spec};`, ['ssl_protocols', 'ssl_ciphers', 'ssl_prefer_server_ciphers', 'ssl_session_timeout', 'ssl_session_tickets']) : null;
      ctx.report({
        node: at,
        message: `TLS server without ssl_session_cache (nginx's default is none): ${consequence} (add "ssl_session_cache ${spec};" at http level)`,
        fix: edit ? { description: `add "ssl_session_cache ${spec};" to http`, edits: [edit] } : undefined,
      });
    };
    const done = (): void => {
      const spec = sharedSpec ?? 'shared:SSL:10m';
      for (const server of servers) check(server, spec);
    };
    return { named: { ssl_session_cache, server }, done };
  },
};

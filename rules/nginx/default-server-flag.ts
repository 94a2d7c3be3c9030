import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing } from '../../src/nginx/tree.js';

/** Normalised address:port of a listen directive (`80` → `*:80`). */
function socketOf(listen: Directive): string | null {
  const a = listen.args[0]?.value;
  if (!a) return null;
  if (a.startsWith('unix:')) return a;
  if (/^\d+$/.test(a)) return `*:${a}`;
  const v6 = /^(\[[^\]]+\])(?::(\d+))?$/.exec(a);
  if (v6) return `${v6[1]}:${v6[2] ?? '80'}`;
  const hp = /^([^:]+)(?::(\d+))?$/.exec(a);
  if (hp) return `${hp[1] === '0.0.0.0' ? '*' : hp[1]}:${hp[2] ?? '80'}`;
  return a;
}

function isDefault(listen: Directive): boolean {
  return listen.args.some((x) => x.value === 'default_server' || x.value === 'default');
}

export const rule: Rule = {
  meta: {
    id: 'nginx/default-server-flag',
    aliases: ['default_server_flag'],
    category: 'security',
    severity: 'info',
    fix: 'none',
    summary: 'several servers share a listen socket and none is marked default_server (the first one silently is)',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Servers are grouped per http block (or the fragment's top level).
    const scopes: Directive[][] = [config.root];
    const http = (d: Directive): void => {
      if (d.block && !enclosing(d, 'stream')) scopes.push(d.block);
    };
    const done = (): void => {
      for (const scope of scopes) {
        const bySocket = new Map<string, Array<{ server: Directive; listen: Directive }>>();
        // Servers already listed per socket: thousands of servers often share one socket.
        const listed = new Map<string, Set<Directive>>();
        for (const server of scope.filter((d) => d.name === 'server' && d.block)) {
          for (const listen of server.block!.filter((d) => d.name === 'listen')) {
            const key = socketOf(listen);
            if (!key) continue;
            const list = bySocket.get(key) ?? [];
            let servers = listed.get(key);
            if (!servers) listed.set(key, (servers = new Set()));
            if (!servers.has(server)) {
              servers.add(server);
              list.push({ server, listen });
            }
            bySocket.set(key, list);
          }
        }
        for (const [socket, list] of bySocket) {
          if (list.length < 2 || list.some((e) => e.server.block!.some((l) => l.name === 'listen' && socketOf(l) === socket && isDefault(l)))) continue;
          const first = list[0]!;
          ctx.report({
            node: first.listen,
            message: `${list.length} servers listen on ${socket} and none is marked default_server: requests with an unknown Host go to this first one (line ${first.server.line}) by position alone`,
          });
        }
      }
    };
    return { named: { http }, done };
  },
};

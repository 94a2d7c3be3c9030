import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { firstChild } from '../../src/nginx/tree.js';
import { nginxDefault, parseNginxTime } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { insertAfter, insertIntoBlock, replaceArg } from '../../src/edit/edits.js';
import { appLabel, describeOrigin, keepsConnections, num, workerKind } from '../../src/model/gunicorn-query.js';
import { passesFor, upstreamReuses } from './_shared.js';

/** An nginx time strictly below gunicorn's keep-alive, in nginx syntax. */
export function timeoutBelow(seconds: number): string {
  if (seconds >= 2) return `${Math.floor(seconds) - (Number.isInteger(seconds) ? 1 : 0)}s`;
  return `${Math.max(100, Math.round(seconds * 500))}ms`;
}

export const rule: Rule = {
  meta: {
    id: 'cross/keepalive-timeout-race',
    category: 'reliability',
    severity: 'warning',
    fix: 'safe',
    summary: "nginx's upstream keepalive_timeout is not below gunicorn's keepalive: sporadic 502 on reused connections",
    probe: 'idle-gap',
    since: { nginx: '>=1.15.3' },
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const reported = new Set<Directive>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          const up = link.target.upstream;
          if (!up || reported.has(up)) continue;
          if (!keepsConnections(workerKind(link.app))) continue;
          // No reuse, no race: nginx must actually send requests on pooled connections.
          if (!upstreamReuses(config, up, passesFor(link.target, all), version)) continue;
          const gk = num(link.app, 'keepalive');
          // keepalive 0: gunicorn answers "Connection: close", so nginx never pools the connection.
          if (gk === undefined || gk <= 0) continue;
          const kt = firstChild(up.block, 'keepalive_timeout');
          const nginxSeconds = kt ? parseNginxTime(kt.args[0]?.value ?? '') : parseNginxTime(nginxDefault('upstream:keepalive_timeout', version)![0]!);
          if (Number.isNaN(nginxSeconds) || nginxSeconds < gk) continue;
          reported.add(up);
          const target = timeoutBelow(gk);
          const ka = firstChild(up.block, 'keepalive');
          const edit = kt?.args[0]
            ? replaceArg(kt.file, kt.args[0], target)
            : ka ? insertAfter(ka, `keepalive_timeout ${target};`) : insertIntoBlock(up, `keepalive_timeout ${target};`, ['server', 'zone', 'resolver', 'resolver_timeout']);
          ctx.report({
            node: kt ?? ka ?? up,
            message: `upstream "${up.args[0]?.value ?? ''}" keeps idle connections ${nginxSeconds}s${kt ? '' : " (nginx's default keepalive_timeout)"} but ${appLabel(link.app)} closes them after keepalive ${gk}s (${describeOrigin(link.app.settings.get('keepalive'))}): nginx can send a request on a socket gunicorn is closing → sporadic 502 (set keepalive_timeout below ${gk}s, e.g. ${target})`,
            fix: edit ? { description: `set the upstream keepalive_timeout to ${target}`, edits: [edit] } : undefined,
          });
        }
      },
    };
  },
};

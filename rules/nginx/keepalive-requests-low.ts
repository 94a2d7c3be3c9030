import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { firstChild } from '../../src/nginx/tree.js';
import { nginxDefault } from '../../src/nginx/effective.js';
import { httpUpstreams } from '../../src/nginx/query.js';
import { insertAfter, insertIntoBlock, replaceArg } from '../../src/edit/edits.js';
import { compareVersions } from '../../src/util/version.js';
import { httpBlocks, intArg } from './_perf.js';

const RECOMMENDED = 1000;

export const rule: Rule = {
  meta: {
    id: 'nginx/keepalive-requests-low',
    aliases: ['nginx/low-keepalive-requests', 'low_keepalive_requests'],
    category: 'performance',
    severity: 'info',
    fix: 'safe',
    summary: 'client or upstream keepalive_requests below 1000',
    probe: 'throughput',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    const keepalive_requests = (d: Directive): void => {
      const arg = d.args[0];
      const n = intArg(arg?.value);
      if (!arg || !Number.isFinite(n) || n >= RECOMMENDED) return;
      const upstream = d.parent?.name === 'upstream';
      const side = upstream ? `upstream "${d.parent!.args[0]?.value ?? ''}"` : 'clients';
      const cost = upstream ? 'nginx reconnects to the backend' : 'busy clients reconnect, with a new TLS handshake on https,';
      ctx.report({
        node: d,
        message: `keepalive_requests ${n} closes each keep-alive connection to ${side} after ${n} requests: ${cost} every ${n} requests (raise it to ${RECOMMENDED}, nginx's default since 1.19.10)`,
        fix: { description: `set keepalive_requests ${RECOMMENDED}`, edits: [replaceArg(d.file, arg, String(RECOMMENDED))] },
      });
    };
    // Missing directives, after the walk: upstreams (a cached list) and http blocks (top level).
    const done = (): void => {
      // Before 1.19.10 the default itself was 100.
      const def = intArg(nginxDefault('keepalive_requests', version)?.[0]);
      if (!(def < RECOMMENDED)) return;
      for (const up of httpUpstreams(config)) {
        const ka = firstChild(up.block, 'keepalive');
        // The upstream-level directive exists from 1.15.3; without keepalive it does not matter.
        if (!ka || firstChild(up.block, 'keepalive_requests') || compareVersions(version, '1.15.3') < 0) continue;
        ctx.report({
          node: up,
          message: `upstream "${up.args[0]?.value ?? ''}" keeps connections alive for only ${def} requests (nginx ${version}'s default): each pooled connection is closed and re-opened every ${def} requests (add "keepalive_requests ${RECOMMENDED};")`,
          fix: { description: `add "keepalive_requests ${RECOMMENDED};" to the upstream`, edits: [insertAfter(ka, `keepalive_requests ${RECOMMENDED};`)] },
        });
      }
      for (const http of httpBlocks(config)) {
        if (firstChild(http.block, 'keepalive_requests')) continue;
        const edit = insertIntoBlock(http, `keepalive_requests ${RECOMMENDED};`, ['keepalive_timeout']);
        ctx.report({
          node: http,
          message: `clients may send only ${def} requests per keep-alive connection (nginx ${version}'s default keepalive_requests): busy clients reconnect, with a new TLS handshake, every ${def} requests (add "keepalive_requests ${RECOMMENDED};")`,
          fix: edit ? { description: `add "keepalive_requests ${RECOMMENDED};" to http`, edits: [edit] } : undefined,
        });
      }
    };
    return { named: { keepalive_requests }, done };
  },
};

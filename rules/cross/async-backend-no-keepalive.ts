import type { Edit, Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { connectionEdits, connectionHeader, httpVersionEdits, keepaliveEdit, upstreamPools } from '../../src/analysis/keepalive.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { dedupeEdits } from '../../src/edit/edits.js';
import { compareVersions } from '../../src/util/version.js';
import { appLabel, keepsConnections, workerKind } from '../../src/model/gunicorn-query.js';
import { POOLING_DEFAULT_FROM, describeWorkers, passesFor } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'cross/async-backend-no-keepalive',
    category: 'performance',
    severity: 'error',
    fix: 'safe',
    summary: 'async/gthread gunicorn reached without working upstream keepalive',
    probe: 'throughput',
    needs: ['nginx', 'gunicorn'],
    // Same upstream line, more specific (names the worker class): the general finding folds in.
    supersedes: ['nginx/upstream-keepalive-missing'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    // From 1.29.7 nginx pools and speaks HTTP/1.1 by default and no longer needs Connection cleared.
    const modern = compareVersions(version, POOLING_DEFAULT_FROM) >= 0;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const reported = new Set<Directive>();
    const reportedAddresses = new Set<string>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          const kind = workerKind(link.app);
          if (!keepsConnections(kind)) continue;
          const upstream = link.target.upstream;
          const workers = describeWorkers(link.app, kind);
          if (!upstream) {
            // A literal address has no `keepalive` to set; whether 1.29.7's default pool covers it is not documented: stay silent there.
            // One finding per backend address: the fix (an upstream block) serves all its proxy_passes.
            const address = JSON.stringify(link.target.address);
            if (modern || reported.has(link.target.node) || reportedAddresses.has(address)) continue;
            reported.add(link.target.node);
            reportedAddresses.add(address);
            // Over a unix socket a new connection costs far less than over TCP (no handshake, no
            // TIME_WAIT): still worth pooling for these workers, but not an error.
            const unix = link.target.address.kind === 'unix';
            ctx.report({
              node: link.target.node,
              ...(unix ? { severity: 'warning' as const } : {}),
              message: `${appLabel(link.app)} runs ${workers} that keep connections open, but this proxy_pass names an address, not an upstream with "keepalive": nginx opens a new connection per request (proxy to an upstream block with "keepalive 16;", "proxy_http_version 1.1;" and "proxy_set_header Connection \\"\\";")`,
            });
            continue;
          }
          if (reported.has(upstream)) continue;
          const mine = passesFor(link.target, all).filter((p) => p.scheme === 'http' || p.scheme === 'https');
          if (mine.length === 0) continue;
          const pools = upstreamPools(upstream, version);
          const oldHttp = mine.filter((p) => !['1.1', '2'].includes(effectiveValue(config, p.node, 'proxy_http_version', version).args?.[0] ?? ''));
          const closing = mine.filter((p) => {
            const state = connectionHeader(config, p.node).state;
            return state === 'literal' || state === 'map-close' || (state === 'unset' && !modern);
          });
          const missing: string[] = [];
          if (!pools) missing.push('"keepalive" in the upstream');
          if (oldHttp.length > 0) missing.push('"proxy_http_version 1.1"');
          if (closing.length > 0) missing.push('a cleared Connection header');
          if (missing.length === 0) continue;
          reported.add(upstream);
          const edits: Edit[] = [];
          if (!pools) {
            const e = keepaliveEdit(upstream);
            if (e) edits.push(e);
          }
          for (const p of oldHttp) edits.push(...httpVersionEdits(config, p, version));
          for (const p of closing) edits.push(...connectionEdits(config, p));
          ctx.report({
            node: upstream,
            message: `${appLabel(link.app)} runs ${workers} built to keep connections open, but upstream "${upstream.args[0]?.value ?? ''}" lacks ${missing.join(', ')}: nginx opens a new connection per request, the main cause of "slower behind nginx than raw gunicorn"`,
            fix: { description: 'enable upstream keepalive (keepalive, HTTP/1.1, Connection "")', edits: dedupeEdits(edits) },
          });
        }
      },
    };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { firstChild } from '../../src/nginx/tree.js';
import { connectionEdits, connectionHeader, findMap, httpVersionEdits, keepaliveEdit } from '../../src/analysis/keepalive.js';
import { effectiveProxyHeaders, effectiveValue } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { workerKind } from '../../src/model/gunicorn-query.js';
import { dedupeEdits } from '../../src/edit/edits.js';

/**
 * Whether this proxy_pass serves websocket (or long-lived streaming) connections only: it forwards
 * `Upgrade $http_upgrade` and either sends `Connection: upgrade` on every request, or takes it from
 * a `map $http_upgrade` and streams unbuffered. A pool toward such a location holds nothing.
 */
function upgradesOnly(config: NginxConfig, pp: ProxyPass): boolean {
  const headers = effectiveProxyHeaders(config, pp.node);
  const upgrade = headers.get('upgrade')?.argValue(1);
  if (upgrade === undefined || !/^\$http_upgrade$/i.test(upgrade)) return false;
  const conn = headers.get('connection')?.argValue(1) ?? '';
  if (conn.toLowerCase() === 'upgrade') return true;
  const m = /^\$([A-Za-z0-9_]+)$/.exec(conn);
  if (!m) return false;
  const map = findMap(config, m[1]!);
  if (!map || map.argValue(0)?.toLowerCase() !== '$http_upgrade') return false;
  return effectiveValue(config, pp.node, 'proxy_buffering').args?.[0] === 'off';
}

/**
 * Every server of the upstream is a unix socket: a connect() there costs no TCP handshake, no
 * ephemeral port and no TIME_WAIT, and the app servers usually behind one (Unicorn, Pitchfork)
 * close every connection anyway: a pool saves next to nothing.
 */
function unixOnly(upstream: Directive): boolean {
  const servers = (upstream.block ?? []).filter((d) => d.name === 'server' && d.parent === upstream);
  return servers.length > 0 && servers.every((s) => /^unix:/i.test(s.argValue(0) ?? ''));
}

export const rule: Rule = {
  meta: {
    id: 'nginx/upstream-keepalive-missing',
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'upstream used by proxy_pass keeps no idle connections',
    probe: 'throughput',
    since: { nginx: '<1.29.7' },
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // http(s) proxy_passes to an upstream (as upstreamProxyPasses lists them), per upstream.
    const byUpstream = new Map<Directive, ProxyPass[]>();
    const proxyPass = (pp: ProxyPass): void => {
      if (!pp.upstream || (pp.scheme !== 'http' && pp.scheme !== 'https')) return;
      const list = byUpstream.get(pp.upstream) ?? [];
      list.push(pp);
      byUpstream.set(pp.upstream, list);
    };
    const done = (): void => {
      // Upstreams whose servers all reach sync gunicorn workers: those close every connection
      // (cross/upstream-keepalive-with-sync says the opposite of this rule there).
      const kinds = new Map<Directive, Set<string>>();
      for (const link of ctx.model.links) {
        if (!link.target.upstream) continue;
        const set = kinds.get(link.target.upstream) ?? new Set<string>();
        set.add(workerKind(link.app) ?? 'unknown');
        kinds.set(link.target.upstream, set);
      }
      for (const [upstream, passes] of byUpstream) {
        if (firstChild(upstream.block, 'keepalive')) continue;
        const linked = kinds.get(upstream);
        if (linked && linked.size === 1 && linked.has('sync')) continue;
        if (passes.every((pp) => upgradesOnly(config, pp))) continue;
        if (unixOnly(upstream)) continue;
        const name = upstream.args[0]?.value ?? '';
        const edits = [];
        const ka = keepaliveEdit(upstream);
        if (ka) edits.push(ka);
        // One atomic fix: pooling only works with HTTP/1.1 and a cleared Connection header.
        for (const pp of passes) {
          if (upgradesOnly(config, pp)) continue;
          edits.push(...httpVersionEdits(config, pp, ctx.options.versions.nginx));
          edits.push(...connectionEdits(config, pp));
        }
        // `proxy_set_header Connection $connection_upgrade` from `map $http_upgrade … { '' close; }`:
        // the map's entry for plain requests is what must be cleared.
        const maps = [...new Set(passes.map((pp) => connectionHeader(config, pp.node)).flatMap((c) => (c.state === 'map-close' ? [c.map] : [])))];
        const connection = maps.length > 0
          ? `"'' \\"\\";" instead of close in ${maps.map((m) => `"map ${m.argValue(0)} ${m.argValue(1)}"`).join(', ')}, so plain requests send an empty Connection header`
          : `"proxy_set_header Connection \\"\\";" where it is proxied`;
        ctx.report({
          node: upstream,
          message: `upstream "${name}" keeps no idle connections: nginx opens a new connection to the backend for every request (add "keepalive 16;", plus "proxy_http_version 1.1;" and ${connection})`,
          fix: { description: `add "keepalive 16;" to upstream ${name} and enable HTTP/1.1 keep-alive where it is proxied`, edits: dedupeEdits(edits) },
        });
      }
    };
    return { proxyPass, done };
  },
};

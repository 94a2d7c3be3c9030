// Which nginx target reaches which gunicorn bind.

import * as path from 'node:path';
import type { Bind, GunicornApp } from '../gunicorn/types.js';
import type { NginxConfig } from '../nginx/tree.js';
import { proxyPasses, upstreamByName, servers } from '../nginx/query.js';
import type { Link, NginxTarget } from './types.js';

/** Addresses a client connecting to `host` may reach (`localhost` resolves to both loopbacks). */
function hostAliases(host: string): string[] {
  const h = host.toLowerCase();
  if (h === 'localhost') return ['127.0.0.1', '::1'];
  return [h];
}

/** Whether a connection to `target` reaches a socket bound to `bind` (gunicorn's address rules). */
export function reaches(target: NginxTarget['address'], bind: Bind): boolean {
  if (target.kind === 'unix') return bind.kind === 'unix' && path.posix.normalize(bind.path) === path.posix.normalize(target.path);
  if (target.kind !== 'tcp' || bind.kind !== 'tcp') return false;
  if (target.port !== bind.port) return false;
  const bh = bind.host.toLowerCase().replace(/^\[|\]$/g, '');
  return hostAliases(target.host).some((h) => {
    // gunicorn binds an empty host and `localhost` as IPv4 (0.0.0.0 / 127.0.0.1).
    if (bh === '0.0.0.0' || bh === '') return !h.includes(':');
    if (bh === '::') return true; // dual-stack by default on Linux
    if (bh === 'localhost') return h === '127.0.0.1';
    return h === bh;
  });
}

/** Every place nginx proxies to: upstream members and literal proxy_pass addresses. */
export function nginxTargets(config: NginxConfig): NginxTarget[] {
  const out: NginxTarget[] = [];
  const ups = upstreamByName(config);
  const used = new Set<string>();
  for (const pp of proxyPasses(config, ups)) {
    if (pp.upstream) {
      used.add(pp.upstream.args[0]?.value ?? '');
      continue;
    }
    if (pp.unixPath !== null) out.push({ node: pp.node, address: { kind: 'unix', path: pp.unixPath } });
    else if (pp.host !== null) {
      const port = pp.port ?? (pp.scheme === 'https' ? 443 : 80);
      out.push({ node: pp.node, address: { kind: 'tcp', host: pp.host, port } });
    } else out.push({ node: pp.node, address: { kind: 'unresolved', raw: pp.node.args[0]?.value ?? '' } });
  }
  for (const [name, up] of ups) {
    if (!used.has(name)) continue;
    for (const s of servers(up)) {
      const addr = s.args[0]?.value ?? '';
      out.push({ node: s, upstream: up, address: parseServerAddress(addr) });
    }
  }
  return out;
}

export function parseServerAddress(addr: string): NginxTarget['address'] {
  if (addr.startsWith('unix:')) return { kind: 'unix', path: addr.slice(5) };
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(addr);
  if (!m) return { kind: 'unresolved', raw: addr };
  return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 80 };
}

export function linkTargets(targets: NginxTarget[], apps: GunicornApp[]): { links: Link[]; unlinked: NginxTarget[] } {
  const links: Link[] = [];
  const unlinked: NginxTarget[] = [];
  for (const t of targets) {
    let found = false;
    for (const app of apps) {
      for (const bind of app.binds) {
        if (reaches(t.address, bind)) {
          links.push({ target: t, app, bind });
          found = true;
        }
      }
    }
    if (!found) unlinked.push(t);
  }
  return { links, unlinked };
}

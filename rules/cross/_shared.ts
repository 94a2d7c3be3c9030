// Questions several cross rules ask: which proxy_pass feeds a link, whether pooled connections are
// really reused, whether gunicorn trusts nginx's forwarded headers, and where to point a finding.
// Not a rule (the leading `_` keeps it out of rules/index.ts).

import { posix as posixPath } from 'node:path';
import type { Bind, GunicornApp, Origin } from '../../src/gunicorn/types.js';
import type { ReportInput } from '../../src/lint/rule.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { connectionHeader, upstreamPools } from '../../src/analysis/keepalive.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import type { NginxTarget } from '../../src/model/types.js';
import { describeOrigin, isDynamic, list } from '../../src/model/gunicorn-query.js';
import { compareVersions } from '../../src/util/version.js';

/** nginx 1.29.7 pools upstream connections and speaks HTTP/1.1 to them by default. */
export const POOLING_DEFAULT_FROM = '1.29.7';

/** The proxy_pass directives that send requests to `target` (its upstream's, or the literal one). */
export function passesFor(target: NginxTarget, all: ProxyPass[]): ProxyPass[] {
  return target.upstream ? all.filter((p) => p.upstream === target.upstream) : all.filter((p) => p.node === target.node);
}

/**
 * Whether requests through this proxy_pass can reuse a pooled connection: HTTP/1.1 (or 2) and a
 * Connection header that is not `close` (nginx sends `close` by default before 1.29.7).
 */
export function passReuses(config: NginxConfig, pp: ProxyPass, nginxVersion: string): boolean {
  const http = effectiveValue(config, pp.node, 'proxy_http_version', nginxVersion).args?.[0];
  if (http !== '1.1' && http !== '2') return false;
  const c = connectionHeader(config, pp.node).state;
  if (c === 'cleared') return true;
  return c === 'unset' && compareVersions(nginxVersion, POOLING_DEFAULT_FROM) >= 0;
}

/** Whether nginx actually keeps idle connections to this upstream open and reuses them. */
export function upstreamReuses(config: NginxConfig, upstream: Directive, passes: ProxyPass[], nginxVersion: string): boolean {
  return upstreamPools(upstream, nginxVersion) && passes.some((p) => passReuses(config, p, nginxVersion));
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** A target nginx reaches over loopback or a unix socket: nginx and gunicorn share a host (or a container). */
export function isLocalTarget(address: NginxTarget['address']): boolean {
  if (address.kind === 'unix') return true;
  return address.kind === 'tcp' && isLoopbackHost(address.host);
}

/** Whether an entry of forwarded_allow_ips matches `ip` (exact, or a CIDR that contains a loopback). */
function allowEntryMatches(entry: string, ip: string): boolean {
  const e = entry.trim().toLowerCase();
  if (e === ip) return true;
  if (ip.startsWith('127.') && /^127\.\d+\.\d+\.\d+\/([89]|[12]\d|3[0-2])$/.test(e)) return true;
  return ip === '::1' && (e === '::1/128' || e === '::/0');
}

/**
 * Whether gunicorn applies `secure_scheme_headers` to requests nginx sends over `target`:
 * always over a unix socket; over TCP when nginx's source address is in forwarded_allow_ips.
 * undefined when it can't be told (computed setting, or a non-loopback peer whose address we
 * don't know while the list names non-loopback addresses).
 */
export function trustsNginx(app: GunicornApp, target: NginxTarget['address']): boolean | undefined {
  if (target.kind === 'unix') return true;
  if (target.kind !== 'tcp') return undefined;
  if (isDynamic(app.settings.get('forwarded_allow_ips')?.value)) return undefined;
  const allowed = list(app, 'forwarded_allow_ips');
  if (!allowed) return undefined;
  if (allowed.includes('*')) return true;
  const host = target.host.toLowerCase().replace(/^\[|\]$/g, '');
  if (isLoopbackHost(host)) {
    // nginx connects from the loopback address it targets (`localhost`: either one).
    const peers = host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
    return peers.some((ip) => allowed.some((a) => allowEntryMatches(a, ip)));
  }
  // A non-loopback peer: trusted only via an address we can't check; untrusted when the list is all loopback.
  return allowed.every((a) => isLoopbackHost(a.split('/')[0]!)) ? false : undefined;
}

/** The report position for a gunicorn value: its origin when it has a file, else an nginx node. */
export function gunicornSide(origin: Origin | undefined, fallback: Directive): Pick<ReportInput, 'origin' | 'node'> {
  return origin?.file ? { origin } : { node: fallback };
}

/** Whether a setting holds a value the static evaluator could not decide. */
export function dynamicSetting(app: GunicornApp, name: string): boolean {
  return isDynamic(app.settings.get(name)?.value);
}

// ---- reachability (stricter than the model's links: used to tell a mismatch) ------------------

/** Hosts a connection to `host` may use: nginx resolves `localhost` to both loopbacks and tries each. */
function targetHosts(host: string): string[] {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' ? ['127.0.0.1', '::1'] : [h];
}

/**
 * Whether nginx connecting to `target` reaches a socket bound to `bind`, the way gunicorn binds:
 * a host that is not an IPv6 literal gets an IPv4 socket, so `localhost` and `''` mean 127.0.0.1
 * and 0.0.0.0; `::` is dual-stack on Linux (gunicorn sets no IPV6_V6ONLY).
 */
export function bindReached(target: NginxTarget['address'], bind: Bind): boolean {
  if (target.kind === 'unix') return bind.kind === 'unix' && posixPath.normalize(bind.path) === posixPath.normalize(target.path);
  if (target.kind !== 'tcp' || bind.kind !== 'tcp' || target.port !== bind.port) return false;
  let b = bind.host.toLowerCase().replace(/^\[|\]$/g, '');
  if (b === 'localhost') b = '127.0.0.1';
  return targetHosts(target.host).some((h) => {
    if (b === '::') return true;
    if (b === '0.0.0.0' || b === '') return !h.includes(':');
    return h === b;
  });
}

/**
 * gunicorn's `secure_scheme_headers`, keys lowercased, values as gunicorn compares them (exactly);
 * undefined when computed.
 */
export function schemeHeaders(app: GunicornApp): Record<string, string> | undefined {
  const raw = app.settings.get('secure_scheme_headers')?.value as unknown;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw) || isDynamic(raw as never)) return undefined;
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** `gevent workers (-k, Procfile:1)`; a sync class turned gthread by `threads` says so. */
export function describeWorkers(app: GunicornApp, kind: string | undefined): string {
  const wc = app.settings.get('worker_class');
  const threads = app.settings.get('threads');
  if (kind === 'gthread' && (wc?.isDefault || String(wc?.value).toLowerCase() === 'sync') && threads) {
    return `gthread workers (sync with threads > 1: ${describeOrigin(threads)})`;
  }
  return `${kind ?? 'unknown'} workers (${describeOrigin(wc)})`;
}

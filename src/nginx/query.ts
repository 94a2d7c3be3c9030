// Common questions rules ask of an nginx tree: upstreams, proxy_pass targets, locations.

import type { Directive, NginxConfig } from './tree.js';
import { childrenNamed, enclosing, walk } from './tree.js';

export interface ProxyPass {
  node: Directive;
  /** `http`, `https`, `grpc`… ; null when the URL is a variable. */
  scheme: string | null;
  /** Host part of the URL (an upstream name or an address), null when variable. */
  host: string | null;
  port: number | null;
  /** `unix:/path` targets. */
  unixPath: string | null;
  /** URI part after the host, '' when absent. */
  uri: string;
  /** The upstream block the host names, if any. */
  upstream: Directive | null;
  /** Innermost location/if/server block holding the proxy_pass. */
  location: Directive | null;
}

// Many rules ask for the same upstreams and proxy_passes; a loaded tree never changes, so the
// answers are kept per top-level array (callers get fresh arrays, never the cached ones).
const upstreamCache = new WeakMap<Directive[], Directive[]>();
const proxyPassCache = new WeakMap<Directive[], ProxyPass[]>();
const upstreamMapCache = new WeakMap<Directive[], ReadonlyMap<string, Directive>>();

/** `upstream NAME { … }` blocks inside http (stream upstreams are ignored). */
export function httpUpstreams(config: NginxConfig): Directive[] {
  let cached = upstreamCache.get(config.root);
  if (!cached) upstreamCache.set(config.root, (cached = collectHttpUpstreams(config)));
  return cached.slice();
}

function collectHttpUpstreams(config: NginxConfig): Directive[] {
  const out: Directive[] = [];
  walk(config.root, (d) => {
    if (d.name === 'stream') return false;
    if (d.name === 'upstream' && d.block) out.push(d);
    return d.block ? undefined : false;
  });
  return out;
}

/** http upstreams by name (the first of a name wins); one shared, read-only map per tree. */
export function upstreamByName(config: NginxConfig): ReadonlyMap<string, Directive> {
  let map = upstreamMapCache.get(config.root);
  if (map) return map;
  const byName = new Map<string, Directive>();
  for (const u of httpUpstreams(config)) {
    const name = u.args[0]?.value;
    if (name !== undefined && !byName.has(name)) byName.set(name, u);
  }
  upstreamMapCache.set(config.root, (map = byName));
  return map;
}

const URL_RE = /^([a-z][a-z0-9+.-]*):\/\/(unix:([^:]*):?|\[[^\]]*\]|[^/:?]*)(?::(\d+))?(.*)$/i;

export function parseProxyUrl(url: string): Pick<ProxyPass, 'scheme' | 'host' | 'port' | 'unixPath' | 'uri'> {
  const m = URL_RE.exec(url);
  if (!m) return { scheme: null, host: null, port: null, unixPath: null, uri: '' };
  const scheme = m[1]!.toLowerCase();
  if (m[3] !== undefined) return { scheme, host: null, port: null, unixPath: m[3], uri: m[5] ?? '' };
  let host = m[2]!;
  if (host.includes('$')) return { scheme, host: null, port: null, unixPath: null, uri: m[5] ?? '' };
  if (host.startsWith('[')) host = host.slice(1, -1);
  return { scheme, host, port: m[4] ? Number(m[4]) : null, unixPath: null, uri: m[5] ?? '' };
}

/** Every `proxy_pass` in http context, resolved to its upstream when it names one. */
export function proxyPasses(config: NginxConfig, upstreams?: ReadonlyMap<string, Directive>): ProxyPass[] {
  if (upstreams && upstreams !== upstreamByName(config)) return collectProxyPasses(config, upstreams);
  let cached = proxyPassCache.get(config.root);
  if (!cached) proxyPassCache.set(config.root, (cached = collectProxyPasses(config, upstreamByName(config))));
  return cached.slice();
}

function collectProxyPasses(config: NginxConfig, upstreams: ReadonlyMap<string, Directive>): ProxyPass[] {
  const out: ProxyPass[] = [];
  walk(config.root, (d) => {
    if (d.name === 'stream' || d.name === 'mail') return false;
    if (d.name !== 'proxy_pass' || d.args.length === 0) return undefined;
    const parsed = parseProxyUrl(d.args[0]!.value);
    // An upstream name is used verbatim; an explicit port means a host, not an upstream.
    const upstream = parsed.host !== null && parsed.port === null ? upstreams.get(parsed.host) ?? null : null;
    out.push({ node: d, ...parsed, upstream, location: enclosing(d, 'location', 'if', 'server', 'limit_except') ?? null });
    return undefined;
  });
  return out;
}

export function isBlock(d: Directive, name: string): boolean {
  return d.name === name && d.block !== null;
}

export const BALANCING_METHODS = ['least_conn', 'hash', 'ip_hash', 'random', 'least_time', 'sticky', 'ntlm'];

export function servers(upstream: Directive): Directive[] {
  return childrenNamed(upstream.block, 'server');
}

/** Whether a block (server, location, if…) proxies anything at any depth below it. */
export function proxiesBelow(level: Directive): boolean {
  let found = false;
  walk(level.block ?? [], (d) => {
    if (found) return false;
    if (d.name === 'proxy_pass') found = true;
    return undefined;
  });
  return found;
}

// Upstream keepalive: which proxy_pass uses a pooled upstream, and the edits that make pooling work.
//
// nginx only reuses upstream connections when three things hold (nginx docs, "keepalive" in
// ngx_http_upstream_module): the upstream has `keepalive N`, the request goes out as HTTP/1.1
// (`proxy_http_version 1.1`), and the `Connection` header is cleared (nginx sends
// `Connection: close` by default).

import type { Directive, NginxConfig } from '../nginx/tree.js';
import { enclosing, findAll, firstChild } from '../nginx/tree.js';
import { effectiveList, effectiveProxyHeaders, effectiveValue, nginxDefault } from '../nginx/effective.js';
import { BALANCING_METHODS, proxyPasses, type ProxyPass } from '../nginx/query.js';
import type { Edit } from '../lint/rule.js';
import { insertAfter, insertBefore, insertIntoBlock, replaceArg } from '../edit/edits.js';

/** Whether the upstream keeps idle connections (explicit `keepalive`, or nginx ≥ 1.29.7's default). */
export function upstreamPools(upstream: Directive, nginxVersion: string): boolean {
  const ka = firstChild(upstream.block, 'keepalive');
  if (ka) return (ka.args[0]?.value ?? '0') !== '0';
  return nginxDefault('upstream:keepalive', nginxVersion) !== undefined;
}

/** proxy_pass directives that send to an upstream block (http or https), with their upstream. */
export function upstreamProxyPasses(config: NginxConfig): Array<ProxyPass & { upstream: Directive }> {
  return proxyPasses(config).filter((p): p is ProxyPass & { upstream: Directive } => p.upstream !== null && (p.scheme === 'http' || p.scheme === 'https'));
}

/**
 * How the `Connection` header reaches a pooled upstream at `at`: cleared (""), a literal other
 * value, a map variable whose value for plain requests is `close`, or unset (nginx's `close`).
 */
export type ConnectionHeader =
  | { state: 'cleared'; node: Directive }
  | { state: 'unset' }
  | { state: 'literal'; node: Directive; value: string }
  | { state: 'map-close'; node: Directive; map: Directive; entry: Directive | null };

export function connectionHeader(config: NginxConfig, at: Directive): ConnectionHeader {
  const headers = effectiveProxyHeaders(config, at);
  const node = headers.get('connection');
  if (!node) return { state: 'unset' };
  const value = node.argValue(1) ?? '';
  if (value === '') return { state: 'cleared', node };
  const varMatch = /^\$([A-Za-z0-9_]+)$/.exec(value);
  if (varMatch) {
    const map = findMap(config, varMatch[1]!);
    if (!map) return { state: 'cleared', node }; // a variable we can't see: don't guess
    const plain = mapValueForEmpty(map);
    if (plain && plain.value.toLowerCase() === 'close') return { state: 'map-close', node, map, entry: plain.entry };
    return { state: 'cleared', node };
  }
  if (value.toLowerCase() === 'keep-alive' || value.toLowerCase() === 'upgrade') return { state: 'cleared', node };
  return { state: 'literal', node, value };
}

/** `map $src $name { … }` defining `$name` (indexed once per configuration: rules ask per location). */
export function findMap(config: NginxConfig, name: string): Directive | undefined {
  let index = mapIndex.get(config);
  if (!index) {
    index = new Map();
    // The last map of a name in tree order wins; a `map` line inside a map's body is an entry.
    for (const d of findAll(config, 'map')) {
      if (enclosing(d, 'map')) continue;
      const v = d.argValue(1);
      if (v?.startsWith('$')) index.set(v.slice(1), d);
    }
    mapIndex.set(config, index);
  }
  return index.get(name);
}

const mapIndex = new WeakMap<NginxConfig, Map<string, Directive>>();

/** The value a map yields when its source is empty (a request without `Upgrade`). */
export function mapValueForEmpty(map: Directive): { value: string; entry: Directive | null } | undefined {
  let def: { value: string; entry: Directive | null } | undefined;
  for (const e of map.block ?? []) {
    const key = e.name;
    const value = e.args[0]?.value;
    if (value === undefined) continue;
    // `'' close;`: the entry for an empty source value (the parser reads `''` as an empty name).
    if (key === '') return { value, entry: e };
    if (key === 'default') def = { value, entry: e };
  }
  return def ?? { value: '', entry: null };
}

/**
 * The block where a location's proxy headers live: the innermost level that sets any
 * `proxy_set_header`, or the proxy_pass's own block when none does.
 */
export function headerLevel(config: NginxConfig, pp: ProxyPass): Directive | null {
  const list = effectiveList(config, pp.node, 'proxy_set_header');
  if (list.level !== undefined) return list.level;
  return pp.node.parent;
}

/** Last own `proxy_set_header` of `level` written in `level`'s file (or the include that brought it). */
function headerAnchor(level: Directive | null, config: NginxConfig): Directive | undefined {
  const kids = level ? level.block ?? [] : config.root;
  let anchor: Directive | undefined;
  for (const d of kids) {
    if (d.name !== 'proxy_set_header') continue;
    let a: Directive | null = d;
    // Written in an included file: anchor on the include line in the level's own file.
    while (a && a.includedBy && (level ? a.file !== level.file : a.file !== config.main)) a = a.includedBy;
    if (a) anchor = a;
  }
  return anchor;
}

/** Edits making `proxy_http_version 1.1` effective for this proxy_pass, or [] when it already is. */
export function httpVersionEdits(config: NginxConfig, pp: ProxyPass, nginxVersion: string): Edit[] {
  const v = effectiveValue(config, pp.node, 'proxy_http_version', nginxVersion);
  if (v.args?.[0] === '1.1') return [];
  if (v.node && v.node.args[0]) return [replaceArg(v.node.file, v.node.args[0], '1.1')];
  const level = headerLevel(config, pp);
  const anchor = headerAnchor(level, config);
  if (anchor) return [insertAfter(anchor, 'proxy_http_version 1.1;')];
  return [insertBefore(pp.node, 'proxy_http_version 1.1;')];
}

/** Edits clearing `Connection` for this proxy_pass, or [] when it already is. */
export function connectionEdits(config: NginxConfig, pp: ProxyPass): Edit[] {
  const c = connectionHeader(config, pp.node);
  if (c.state === 'cleared') return [];
  if (c.state === 'map-close') {
    if (c.entry && c.entry.args[0]) return [replaceArg(c.entry.file, c.entry.args[0], '')];
    // No entry for plain requests: add one after the map's first line.
    const e = insertIntoBlock(c.map, "'' \"\";");
    return e ? [e] : [];
  }
  if (c.state === 'literal') return [replaceArg(c.node.file, c.node.args[1]!, '')];
  const level = headerLevel(config, pp);
  const anchor = headerAnchor(level, config);
  if (anchor) return [insertAfter(anchor, 'proxy_set_header Connection "";')];
  return [insertBefore(pp.node, 'proxy_set_header Connection "";')];
}

/** Edit adding `keepalive 16;` to an upstream, after its servers and any balancing method. */
export function keepaliveEdit(upstream: Directive): Edit | null {
  return insertIntoBlock(upstream, 'keepalive 16;', ['server', 'zone', 'resolver', 'resolver_timeout', ...BALANCING_METHODS]);
}

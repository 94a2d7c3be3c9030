// Shared questions for the nginx performance rules: which blocks serve files, which servers speak
// TLS, whether a level can be fully seen. Not a rule (the `_` prefix keeps it out of the registry).

import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { childrenNamed, enclosing, firstChild, walk } from '../../src/nginx/tree.js';
import { effectiveList, effectiveValue, levelsOf } from '../../src/nginx/effective.js';
import { insertAfter, insertBefore } from '../../src/edit/edits.js';
import type { Edit } from '../../src/lint/rule.js';

/** Directives that hand a request to a backend instead of the file system. */
export const PASS_DIRECTIVES = ['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass'];

/** Content handlers that answer without reading files (besides the *_pass ones). */
const NON_FILE_HANDLERS = new Set([
  ...PASS_DIRECTIVES, 'return', 'stub_status', 'empty_gif', 'content_by_lua', 'content_by_lua_block',
  'content_by_lua_file', 'js_content', 'perl', 'echo', 'api', 'status', 'ssi_last',
]);

/** Includes that never hold settings these rules look for, even when their file is missing here. */
const HARMLESS_INCLUDE = /(^|\/)(mime\.types|[^/]*\.types|modules-(enabled|available)\/.*|koi-(utf|win)|win-utf|fastcgi_params|fastcgi\.conf|uwsgi_params|scgi_params)$/;

/**
 * An `include` whose content we could not read (missing file, single-file mode). A glob that
 * matched nothing is read as nginx reads it: it includes nothing.
 */
export function isOpaqueInclude(d: Directive): boolean {
  if (d.name !== 'include') return false;
  const pattern = d.args[0]?.value ?? '';
  if (d.included && (d.included.length > 0 || /[*?[]/.test(pattern))) return false;
  return !HARMLESS_INCLUDE.test(pattern);
}

/** Whether any level `at` inherits from holds an include we could not read (its settings are unknown). */
export function inheritsFromOpaque(config: NginxConfig, at: Directive | null): boolean {
  for (const level of levelsOf(at)) {
    const kids = level ? level.block ?? [] : config.root;
    // Through the block's name index: rules ask per location, and an http level has thousands of children.
    if (childrenNamed(kids, 'include').some((d) => isOpaqueInclude(d) && d.parent === level)) return true;
  }
  return false;
}

/** A fragment (no `http {}` in sight): outer levels live in files we were not given. */
export function isFragment(config: NginxConfig): boolean {
  return config.rootContext !== 'main';
}

/**
 * Whether a setting missing at `at` may be set somewhere we cannot see: an unreadable include on
 * the way up, or a fragment whose outer levels are elsewhere.
 */
export function outerLevelsUnknown(config: NginxConfig, at: Directive | null): boolean {
  return isFragment(config) || inheritsFromOpaque(config, at);
}

/** `http` blocks (a fragment's top level counts as http when it holds servers). */
export function httpBlocks(config: NginxConfig): Directive[] {
  return config.root.filter((d) => d.name === 'http' && d.block !== null);
}

// A fact several rules ask for: collected once per parsed tree (a loaded tree never changes).
const httpServerCache = new WeakMap<Directive[], { rootContext: string; rootLength: number; servers: Directive[] }>();

/** `server` blocks of the http module (not stream/mail), includes expanded. */
export function httpServers(config: NginxConfig): Directive[] {
  const cached = httpServerCache.get(config.root);
  if (cached && cached.rootContext === config.rootContext && cached.rootLength === config.root.length) return cached.servers.slice();
  const servers = collectHttpServers(config);
  httpServerCache.set(config.root, { rootContext: config.rootContext, rootLength: config.root.length, servers });
  return servers.slice();
}

function collectHttpServers(config: NginxConfig): Directive[] {
  const out: Directive[] = [];
  if (config.rootContext === 'server' || config.rootContext === 'location' || config.rootContext === 'stream') return out;
  walk(config.root, (d) => {
    if (d.name === 'stream' || d.name === 'mail' || d.name === 'upstream' || d.name === 'map' || d.name === 'events') return false;
    if (d.name === 'server' && d.block) {
      out.push(d);
      return false;
    }
    return d.block ? undefined : false;
  });
  return out;
}

/** Whether `d` is one of the blocks `httpServers` lists: the walk's test, for a rule visiting `server`s. */
export function isHttpServer(config: NginxConfig, d: Directive): boolean {
  if (!d.block || config.rootContext === 'server' || config.rootContext === 'location' || config.rootContext === 'stream') return false;
  return !enclosing(d, 'stream', 'mail', 'upstream', 'map') && !enclosing(d, 'events', 'server');
}

/** Every `location` block under `scope`, nested ones included. */
export function locationsUnder(scope: Directive[]): Directive[] {
  const out: Directive[] = [];
  walk(scope, (d) => {
    if (d.name === 'location' && d.block) out.push(d);
    return d.block ? undefined : false;
  });
  return out;
}

/** Own children of a block plus those of its `if` blocks (same scope for content handlers). */
function ownAndIfChildren(block: Directive): Directive[] {
  const out: Directive[] = [];
  for (const d of block.block ?? []) {
    out.push(d);
    if (d.name === 'if' && d.block) out.push(...d.block);
  }
  return out;
}

/** Argument values, read without building Arg objects (these helpers run per location and listen). */
function argValuesOf(d: Directive): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.argc; i++) out.push(d.argValue(i)!);
  return out;
}

/** Whether a location answers from the file system: no backend or `return`, and a root/alias/try_files. */
export function locationServesFiles(config: NginxConfig, loc: Directive): boolean {
  const kids = ownAndIfChildren(loc);
  if (kids.some((d) => NON_FILE_HANDLERS.has(d.name))) return false;
  // `deny all` answers 403 before any file is read; ACME challenges are a handful of tiny files.
  if (kids.some((d) => d.name === 'deny' && d.args[0]?.value === 'all') && !kids.some((d) => d.name === 'allow')) return false;
  if (argValuesOf(loc).some((v) => v.includes('acme-challenge'))) return false;
  if (kids.some((d) => d.name === 'alias' || d.name === 'try_files')) return true;
  // An explicit root somewhere up the chain (nginx's compiled-in `html` is not a real site).
  return effectiveValue(config, loc, 'root').node !== null;
}

/** Whether requests can reach the server level itself (no catch-all `location /`, no server-level return). */
export function serverLevelReachable(server: Directive): boolean {
  const kids = server.block ?? [];
  if (kids.some((d) => d.name === 'return' && d.parent === server)) return false;
  return !childrenNamed(kids, 'location').some((l) => isCatchAll(l));
}

/** `location /` or `location ^~ /` (every URI that no other location takes). */
export function isCatchAll(loc: Directive): boolean {
  const a = argValuesOf(loc);
  return (a.length === 1 && a[0] === '/') || (a.length === 2 && a[0] === '^~' && a[1] === '/');
}

/** Blocks (locations, or the server itself) under `servers` that serve static files. */
export function staticScopes(config: NginxConfig, servers: Directive[]): Directive[] {
  const out: Directive[] = [];
  for (const server of servers) {
    const kids = server.block ?? [];
    if (serverLevelReachable(server) && !kids.some((d) => NON_FILE_HANDLERS.has(d.name) && d.parent === server)) {
      if (kids.some((d) => d.name === 'try_files') || effectiveValue(config, server, 'root').node !== null) out.push(server);
    }
    for (const loc of locationsUnder(kids)) if (locationServesFiles(config, loc)) out.push(loc);
  }
  return out;
}

/** `listen` lines of a server that accept TLS (`ssl`, or `quic` for HTTP/3). */
export function tlsListens(server: Directive): Directive[] {
  return childrenNamed(server.block, 'listen').filter((l) => argValuesOf(l).slice(1).some((v) => v === 'ssl' || v === 'quic'));
}

/** Whether a server terminates TLS: an `ssl`/`quic` listen or the old `ssl on`. */
export function isTlsServer(server: Directive): boolean {
  if (tlsListens(server).length > 0) return true;
  const ssl = firstChild(server.block, 'ssl');
  return ssl?.args[0]?.value === 'on';
}

/**
 * Edit adding a main-level directive (e.g. `worker_rlimit_nofile`): before `events`, else before
 * `http`, else before the first directive of the main file.
 */
export function insertAtMain(config: NginxConfig, text: string, preferAfter: readonly string[] = []): Edit | null {
  const own = config.root.filter((d) => d.file === config.main);
  let anchor: Directive | undefined;
  for (const d of own) if (preferAfter.includes(d.name) && !d.block) anchor = d;
  if (anchor) return insertAfter(anchor, text);
  const before = own.find((d) => d.name === 'events') ?? own.find((d) => d.name === 'http') ?? own[0];
  return before ? insertBefore(before, text) : null;
}

/** The value as nginx writes it back (for messages). */
export function shown(args: string[] | null | undefined): string {
  return (args ?? []).join(' ');
}

/** Last own `proxy_set_header` of a level, seen from the level's own file (the include line if it came from one). */
export function headerAnchor(level: Directive | null, config: NginxConfig): Directive | undefined {
  const kids = level ? level.block ?? [] : config.root;
  const ownFile = level ? level.file : config.main;
  let anchor: Directive | undefined;
  for (const d of kids) {
    if (d.name !== 'proxy_set_header') continue;
    let a: Directive | null = d;
    while (a && a.includedBy && a.file !== ownFile) a = a.includedBy;
    if (a && a.file === ownFile) anchor = a;
  }
  return anchor;
}

/** Edit adding a `proxy_set_header` line where the effective list at `pass` lives (so nothing inherited is dropped). */
export function addProxyHeaderEdit(config: NginxConfig, pass: Directive, line: string): Edit | null {
  const list = effectiveList(config, pass, 'proxy_set_header');
  if (list.level !== undefined) {
    const anchor = headerAnchor(list.level, config);
    if (anchor) return insertAfter(anchor, line);
  }
  return insertBefore(pass, line);
}

/** Whether some block under `scope` (inclusive) sets `name` to `value` as its own directive. */
export function setsBelow(scope: Directive | null, config: NginxConfig, name: string, value: string): boolean {
  let found = false;
  walk(scope ? [scope] : config.root, (d) => {
    if (found) return false;
    if (d.name === name && d.args[0]?.value === value) found = true;
    return undefined;
  });
  return found;
}

/** 2 → "2", 1024 → "1024": integer argument or NaN. */
export function intArg(v: string | undefined): number {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : NaN;
}

/** `location /static/ (line 12)` or `server example.com (site.conf:3)`, for messages listing places. */
export function describeBlock(block: Directive, from: Directive | null = null): string {
  const where = from && from.file !== block.file ? `${block.file.path.split('/').pop()}:${block.line}` : `line ${block.line}`;
  if (block.name === 'location') return `location ${block.args.map((a) => a.value).join(' ')} (${where})`;
  const name = firstChild(block.block, 'server_name')?.args[0]?.value;
  return `${block.name}${name ? ' ' + name : ''} (${where})`;
}

/** The first few places of a list, for a message. */
export function listPlaces(blocks: Directive[], from: Directive | null = null, max = 3): string {
  const shown = blocks.slice(0, max).map((b) => describeBlock(b, from)).join(', ');
  return blocks.length > max ? `${shown} and ${blocks.length - max} more` : shown;
}

// Effective values: what nginx actually uses at a given place after inheritance and defaults.
//
// nginx merges each directive from the outer level only when the inner level sets none of it.
// For list directives (`proxy_set_header`, `add_header`, …) that means all-or-nothing: one
// `proxy_set_header` in a location drops every header set at server or http level.

import type { Directive, NginxConfig } from './tree.js';
import { childrenNamed, firstChild } from './tree.js';
import { compareVersions } from '../util/version.js';

/** `allow`/`deny` are one list in nginx (the access module's rules). */
const SAME_LIST: Record<string, string[]> = { allow: ['allow', 'deny'], deny: ['allow', 'deny'] };

export interface EffectiveValue {
  /** Arguments of the directive that applies, or the default's; null when unset with no default. */
  args: string[] | null;
  /** The directive that applies (null for defaults). */
  node: Directive | null;
  /** Block where it was found: a location/server/http block, or null for the top level. */
  level: Directive | null;
  isDefault: boolean;
}

export interface EffectiveList {
  /** Directives that apply (all from one level), empty when none. */
  nodes: Directive[];
  /** Block holding them (null = top level), or undefined when no level sets any. */
  level: Directive | null | undefined;
}

/** Blocks whose settings apply at `at`, innermost first (null = the configuration's top level). */
export function levelsOf(at: Directive | null): Array<Directive | null> {
  const out: Array<Directive | null> = [];
  for (let p: Directive | null = at && !at.block ? at.parent : at; p; p = p.parent) {
    // `upstream`, `map`, … do not pass settings to their children.
    out.push(p);
  }
  out.push(null);
  return out;
}

function ownChildren(level: Directive | null, config: NginxConfig): Directive[] {
  return level ? level.block ?? [] : config.root;
}

/** First block `levelsOf(at)` would yield (null: only the top level). */
function innermostLevel(at: Directive | null): Directive | null {
  return at && !at.block ? at.parent : at;
}

/** The single-valued directive `name` in effect at `at` (a block, or a directive inside one). */
export function effectiveValue(config: NginxConfig, at: Directive | null, name: string, nginxVersion = '1.24.0'): EffectiveValue {
  // Same order as levelsOf(at), without building the list: this runs for every location of big configs.
  // nginx keeps the last value only for a few directives; most reject duplicates. Take the first.
  for (let level = innermostLevel(at); ; level = level.parent) {
    const found = firstChild(ownChildren(level, config), name);
    if (found) return { args: valuesOf(found), node: found, level, isDefault: false };
    if (!level) break;
  }
  const def = nginxDefault(name, nginxVersion);
  return { args: def ?? null, node: null, level: null, isDefault: true };
}

/** Argument values of `d`, read without building its Arg objects (callers ask per location). */
function valuesOf(d: Directive): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.argc; i++) out.push(d.argValue(i)!);
  return out;
}

/** Directives of `kids` named one of `names`, in order (long blocks answer through their index). */
function namedIn(kids: Directive[], names: string[]): Directive[] {
  if (names.length === 1) return childrenNamed(kids, names[0]!);
  if (names.every((n) => firstChild(kids, n) === undefined)) return [];
  return kids.filter((d) => names.includes(d.name));
}

/** The list directive `name` (e.g. `proxy_set_header`) in effect at `at`: the innermost level that sets any. */
export function effectiveList(config: NginxConfig, at: Directive | null, name: string): EffectiveList {
  const names = SAME_LIST[name] ?? [name];
  for (let level = innermostLevel(at); ; level = level.parent) {
    const nodes = namedIn(ownChildren(level, config), names);
    if (nodes.length > 0) return { nodes, level };
    if (!level) break;
  }
  return { nodes: [], level: undefined };
}

/** Effective proxy headers at `at`, as a lowercase-name → directive map (last one wins, like nginx's hash). */
export function effectiveProxyHeaders(config: NginxConfig, at: Directive | null): ReadonlyMap<string, Directive> {
  // Thousands of locations share the few levels that set headers: one map per level, shared (read-only).
  for (let level = innermostLevel(at); ; level = level.parent) {
    const kids = ownChildren(level, config);
    if (firstChild(kids, 'proxy_set_header')) {
      let map = headerMaps.get(kids);
      if (!map) headerMaps.set(kids, (map = headerMap(childrenNamed(kids, 'proxy_set_header'))));
      return map;
    }
    if (!level) break;
  }
  return NO_HEADERS;
}

const headerMaps = new WeakMap<Directive[], ReadonlyMap<string, Directive>>();
const NO_HEADERS: ReadonlyMap<string, Directive> = new Map();

function headerMap(nodes: Directive[]): Map<string, Directive> {
  const map = new Map<string, Directive>();
  for (const d of nodes) {
    const h = d.argValue(0);
    if (h !== undefined) map.set(h.toLowerCase(), d);
  }
  return map;
}

// ---- defaults -----------------------------------------------------------------------------------

interface DefaultEntry {
  value: string[];
  /** Version from which this default applies (entries for one name sorted oldest first). */
  from?: string;
}

const DEFAULTS: Record<string, DefaultEntry[]> = {
  proxy_http_version: [{ value: ['1.0'] }, { value: ['1.1'], from: '1.29.7' }],
  keepalive_requests: [{ value: ['100'] }, { value: ['1000'], from: '1.19.10' }],
  keepalive_timeout: [{ value: ['75s'] }],
  keepalive_time: [{ value: ['1h'] }],
  proxy_buffering: [{ value: ['on'] }],
  proxy_request_buffering: [{ value: ['on'] }],
  proxy_read_timeout: [{ value: ['60s'] }],
  proxy_send_timeout: [{ value: ['60s'] }],
  proxy_connect_timeout: [{ value: ['60s'] }],
  proxy_next_upstream: [{ value: ['error', 'timeout'] }],
  proxy_buffer_size: [{ value: ['4k'] }],
  proxy_buffers: [{ value: ['8', '4k'] }],
  sendfile: [{ value: ['off'] }],
  tcp_nopush: [{ value: ['off'] }],
  tcp_nodelay: [{ value: ['on'] }],
  worker_processes: [{ value: ['1'] }],
  worker_connections: [{ value: ['512'] }],
  gzip: [{ value: ['off'] }],
  gzip_comp_level: [{ value: ['1'] }],
  server_tokens: [{ value: ['on'] }],
  merge_slashes: [{ value: ['on'] }],
  client_header_buffer_size: [{ value: ['1k'] }],
  large_client_header_buffers: [{ value: ['4', '8k'] }],
  client_max_body_size: [{ value: ['1m'] }],
  client_body_buffer_size: [{ value: ['16k'] }],
  access_log: [{ value: ['logs/access.log', 'combined'] }],
  error_log: [{ value: ['logs/error.log', 'error'] }],
  open_file_cache: [{ value: ['off'] }],
  ssl_session_cache: [{ value: ['none'] }],
  ssl_protocols: [{ value: ['TLSv1', 'TLSv1.1', 'TLSv1.2'] }, { value: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], from: '1.23.4' }, { value: ['TLSv1.2', 'TLSv1.3'], from: '1.27.3' }],
  http2: [{ value: ['off'] }],
  underscores_in_headers: [{ value: ['off'] }],
  ignore_invalid_headers: [{ value: ['on'] }],
  resolver_timeout: [{ value: ['30s'] }],
  proxy_set_body: [],
  proxy_redirect: [{ value: ['default'] }],
  // inside upstream blocks
  'upstream:keepalive_timeout': [{ value: ['60s'] }],
  'upstream:keepalive_requests': [{ value: ['100'] }, { value: ['1000'], from: '1.19.10' }],
  'upstream:keepalive': [{ value: ['32', 'local'], from: '1.29.7' }],
};

/** nginx's default for `name` in the target version (prefix `upstream:` for upstream-level directives). */
export function nginxDefault(name: string, nginxVersion: string): string[] | undefined {
  const entries = DEFAULTS[name];
  if (!entries) return undefined;
  let value: string[] | undefined;
  for (const e of entries) if (!e.from || compareVersions(nginxVersion, e.from) >= 0) value = e.value;
  return value;
}

// ---- units --------------------------------------------------------------------------------------

const TIME_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000 };

/** nginx time (`65`, `1m30s`, `500ms`) in seconds; NaN when invalid. */
export function parseNginxTime(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  let total = 0;
  const re = /(\d+)(ms|s|m|h|d|w|M|y)/gy;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * TIME_UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  return consumed === v.length && v.length > 0 ? total : NaN;
}

/** nginx size (`8k`, `1m`, `10`) in bytes; NaN when invalid. */
export function parseNginxSize(v: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v);
  if (!m) return NaN;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

// The nginx directive table: where each directive may appear, how many arguments it takes, whether
// it opens a block, and whether nginx rejects it when repeated. Built from the generated
// @nginx/reference-lib table (directives-data.ts), a small hand-checked correction table, and the
// third-party modules in directives-extra.ts. Parsed lazily on first lookup; no I/O.

import type { Directive, NginxConfig } from './tree.js';
import { walkStats } from './tree.js';
import { REFERENCE_DIRECTIVES, REFERENCE_MODULES } from './directives-data.js';
import { EXTRA_DIRECTIVES, type ExtraDirective } from './directives-extra.js';

// ---- contexts --------------------------------------------------------------------------------

/** nginx contexts as bits. `sif`/`lif`: `if` inside a server / a location (nginx's SIF/LIF). */
export const CONTEXT_BITS = {
  main: 1 << 0,
  events: 1 << 1,
  http: 1 << 2,
  server: 1 << 3,
  location: 1 << 4,
  sif: 1 << 5,
  lif: 1 << 6,
  limit_except: 1 << 7,
  upstream: 1 << 8,
  mail: 1 << 9,
  mail_server: 1 << 10,
  stream: 1 << 11,
  stream_server: 1 << 12,
  stream_upstream: 1 << 13,
  acme_issuer: 1 << 14,
  oidc_provider: 1 << 15,
  mgmt: 1 << 16,
  /** Allowed everywhere (`include`). */
  any: 1 << 17,
} as const;

export type ContextName = Exclude<keyof typeof CONTEXT_BITS, 'any'>;

/** How nginx names a context in its own terms, for messages and docs. */
export const CONTEXT_LABELS: Record<ContextName, string> = {
  main: 'main',
  events: 'events',
  http: 'http',
  server: 'server',
  location: 'location',
  sif: 'if (server)',
  lif: 'if (location)',
  limit_except: 'limit_except',
  upstream: 'upstream',
  mail: 'mail',
  mail_server: 'mail server',
  stream: 'stream',
  stream_server: 'stream server',
  stream_upstream: 'stream upstream',
  acme_issuer: 'acme_issuer',
  oidc_provider: 'oidc_provider',
  mgmt: 'mgmt',
};

// ---- argument bits (nginx's ngx_command_t type, src/core/ngx_conf_file.h) ----------------------

export const CONF_NOARGS = 0x1;
/** CONF_TAKE[n]: exactly n arguments (n = 0…7). */
export const CONF_TAKE = [0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80] as const;
export const CONF_BLOCK = 0x100;
export const CONF_FLAG = 0x200;
export const CONF_ANY = 0x400;
export const CONF_1MORE = 0x800;
export const CONF_2MORE = 0x1000;
const ARG_MASK = 0x1eff;

const NAMED_TYPES: Record<string, number> = {
  NOARGS: CONF_NOARGS,
  TAKE1: CONF_TAKE[1],
  TAKE2: CONF_TAKE[2],
  TAKE3: CONF_TAKE[3],
  TAKE4: CONF_TAKE[4],
  TAKE5: CONF_TAKE[5],
  TAKE6: CONF_TAKE[6],
  TAKE7: CONF_TAKE[7],
  TAKE12: CONF_TAKE[1] | CONF_TAKE[2],
  TAKE13: CONF_TAKE[1] | CONF_TAKE[3],
  TAKE23: CONF_TAKE[2] | CONF_TAKE[3],
  TAKE123: CONF_TAKE[1] | CONF_TAKE[2] | CONF_TAKE[3],
  TAKE1234: CONF_TAKE[1] | CONF_TAKE[2] | CONF_TAKE[3] | CONF_TAKE[4],
  FLAG: CONF_FLAG,
  ANY: CONF_ANY,
  '1MORE': CONF_1MORE,
  '2MORE': CONF_2MORE,
  BLOCK: CONF_BLOCK,
};

/** `"TAKE12|BLOCK"` → nginx bits. Unknown words throw: the tables are code, not user input. */
export function parseType(text: string): number {
  let type = 0;
  for (const word of text.split('|')) {
    const bits = NAMED_TYPES[word.trim()];
    if (bits === undefined) throw new Error(`unknown nginx argument type "${word}"`);
    type |= bits;
  }
  return type;
}

/** nginx bits → `"NOARGS|TAKE1|BLOCK"` (docs, tests, messages). */
export function describeType(type: number): string {
  const parts: string[] = [];
  if (type & CONF_FLAG) parts.push('FLAG');
  else if (type & CONF_ANY) parts.push('ANY');
  else if (type & CONF_1MORE) parts.push('1MORE');
  else if (type & CONF_2MORE) parts.push('2MORE');
  else {
    if (type & CONF_NOARGS) parts.push('NOARGS');
    const takes = [1, 2, 3, 4, 5, 6, 7].filter((n) => type & CONF_TAKE[n]!);
    if (takes.length > 0) parts.push(`TAKE${takes.join('')}`);
  }
  if (type & CONF_BLOCK) parts.push('BLOCK');
  return parts.join('|');
}

// ---- the spec ----------------------------------------------------------------------------------

/** What a block's children are: directives, free key/value lines (`map`, `types`…), or Lua code. */
export type BodyKind = 'directives' | 'opaque' | 'lua';

export interface DirectiveForm {
  /** CONTEXT_BITS where this form is allowed. */
  contexts: number;
  /** nginx argument bits (CONF_*). */
  type: number;
  module: string;
}

export interface DirectiveSpec {
  name: string;
  /** One per module defining the name (`server` in http, upstream, mail, stream…), nginx's order. */
  forms: DirectiveForm[];
  body: BodyKind;
  /** Value syntax cheap to check without nginx, for single-value directives. */
  value?: 'size' | 'offset' | 'time';
  /** From the third-party table (not nginx.org's reference). */
  thirdParty: boolean;
}

/**
 * Where the reference's syntax text cannot tell what nginx's source says. Each entry was checked
 * against `nginx -t` 1.22 (test/directives/nginx-1.22-arity.json) or the module's source.
 * Key: `name` (every form) or `name@module`.
 */
const TYPE_CORRECTIONS: Record<string, string> = {
  if: '1MORE|BLOCK', // `if (cond) {…}`: the condition is split into words
  access_log: '1MORE',
  error_log: '1MORE',
  'server@ngx_http_upstream_module': '1MORE',
  'server@ngx_stream_upstream_module': '1MORE',
  'access_log@ngx_stream_log_module': '1MORE',
  dav_access: 'TAKE123',
  fastcgi_store_access: 'TAKE123',
  proxy_store_access: 'TAKE123',
  scgi_store_access: 'TAKE123',
  uwsgi_store_access: 'TAKE123',
  userid_flags: 'TAKE123',
  keepalive_disable: 'TAKE12',
  proxy_cookie_flags: 'TAKE1234',
  ssl_ocsp_cache: 'TAKE1',
  ssl_session_cache: 'TAKE12',
  stub_status: 'NOARGS|TAKE1', // the argument is a leftover from before 1.7.5, still accepted
  uwsgi_pass: 'TAKE1',
  // `limit_req_zone … [sync]` (Plus) and upstream `keepalive N [local]` (1.29.7) stay as the
  // reference says: newer nginx accepts them, and being lenient costs no false positive.
};

/** Extra contexts nginx accepts beyond what the reference lists (found by `nginx -t`). */
const CONTEXT_CORRECTIONS: Record<string, ContextName[]> = {
  fastcgi_split_path_info: ['http', 'server'],
  secure_link_secret: ['http', 'server'],
};

/** Blocks whose children are not directives: nginx reads them as free-form lines. */
const OPAQUE_BLOCKS = new Set(['map', 'geo', 'types', 'split_clients', 'charset_map', 'match', 'num_map']);

/** Directives whose value is checked for nginx's size/offset/time syntax (single-value slots). */
const VALUE_KINDS: Record<string, 'size' | 'offset' | 'time'> = {
  client_max_body_size: 'offset',
  proxy_max_temp_file_size: 'size',
  client_body_buffer_size: 'size',
  client_header_buffer_size: 'size',
  proxy_buffer_size: 'size',
  proxy_busy_buffers_size: 'size',
  proxy_temp_file_write_size: 'size',
  fastcgi_buffer_size: 'size',
  uwsgi_buffer_size: 'size',
  scgi_buffer_size: 'size',
  grpc_buffer_size: 'size',
  gzip_min_length: 'size',
  ssl_buffer_size: 'size',
  sendfile_max_chunk: 'size',
  subrequest_output_buffer_size: 'size',
  postpone_output: 'size',
  send_lowat: 'size',
  map_hash_bucket_size: 'size',
  variables_hash_bucket_size: 'size',
  server_names_hash_bucket_size: 'size',
  types_hash_bucket_size: 'size',
  proxy_headers_hash_bucket_size: 'size',
  request_pool_size: 'size',
  connection_pool_size: 'size',
  mp4_buffer_size: 'size',
  mp4_max_buffer_size: 'size',
  worker_rlimit_core: 'offset',
  keepalive_time: 'time',
  client_body_timeout: 'time',
  client_header_timeout: 'time',
  send_timeout: 'time',
  lingering_time: 'time',
  lingering_timeout: 'time',
  resolver_timeout: 'time',
  proxy_connect_timeout: 'time',
  proxy_read_timeout: 'time',
  proxy_send_timeout: 'time',
  proxy_next_upstream_timeout: 'time',
  proxy_cache_lock_timeout: 'time',
  proxy_cache_lock_age: 'time',
  fastcgi_connect_timeout: 'time',
  fastcgi_read_timeout: 'time',
  fastcgi_send_timeout: 'time',
  uwsgi_connect_timeout: 'time',
  uwsgi_read_timeout: 'time',
  uwsgi_send_timeout: 'time',
  scgi_connect_timeout: 'time',
  scgi_read_timeout: 'time',
  scgi_send_timeout: 'time',
  grpc_connect_timeout: 'time',
  grpc_read_timeout: 'time',
  grpc_send_timeout: 'time',
  ssl_session_timeout: 'time',
  open_file_cache_valid: 'time',
  worker_shutdown_timeout: 'time',
  timer_resolution: 'time',
  accept_mutex_delay: 'time',
  auth_delay: 'time',
};

/**
 * Directives nginx rejects with `"X" directive is duplicate` when repeated in one block (their
 * handlers are nginx's ngx_conf_set_*_slot family or check it themselves). Every name here was
 * confirmed with `nginx -t` 1.22 (test/directives/duplicate.test.ts re-checks them). Left out on
 * purpose: directives that are only duplicate for some values (`proxy_redirect off` twice is,
 * `proxy_redirect default` plus rewrites is not; the same for proxy_cookie_domain/path). Applies
 * to the http/core forms only: stream and mail could not be checked with Debian's build.
 */
const DUPLICATE_REJECTED = new Set(
  (
    'worker_processes worker_rlimit_nofile daemon master_process working_directory pcre_jit timer_resolution ' +
    'worker_shutdown_timeout lock_file worker_cpu_affinity debug_points worker_rlimit_core ' +
    'worker_connections use multi_accept accept_mutex accept_mutex_delay worker_aio_requests ' +
    'server_names_hash_bucket_size server_names_hash_max_size variables_hash_max_size variables_hash_bucket_size ' +
    'map_hash_bucket_size map_hash_max_size proxy_headers_hash_max_size proxy_headers_hash_bucket_size ' +
    'types_hash_max_size types_hash_bucket_size resolver resolver_timeout ssl_ciphers ssl_prefer_server_ciphers ' +
    'ssl_session_timeout ssl_session_tickets ssl_dhparam ssl_stapling ssl_stapling_verify ssl_trusted_certificate ' +
    'ssl_client_certificate ssl_verify_client ssl_verify_depth ssl_ecdh_curve ssl_buffer_size ssl_early_data ' +
    'real_ip_header real_ip_recursive http2_max_concurrent_streams http2_chunk_size http2_body_preread_size ' +
    'server_tokens open_log_file_cache directio ignore_invalid_headers underscores_in_headers ' +
    'client_header_buffer_size large_client_header_buffers client_header_timeout request_pool_size ' +
    'connection_pool_size log_not_found sendfile tcp_nopush tcp_nodelay keepalive_timeout keepalive_requests ' +
    'keepalive_time client_max_body_size client_body_buffer_size client_body_timeout send_timeout default_type ' +
    'root alias charset source_charset gzip gzip_comp_level gzip_min_length gzip_vary gzip_http_version ' +
    'gzip_buffers gzip_static gunzip proxy_buffering proxy_buffer_size proxy_buffers proxy_busy_buffers_size ' +
    'proxy_read_timeout proxy_send_timeout proxy_connect_timeout proxy_http_version proxy_request_buffering ' +
    'proxy_intercept_errors proxy_cache proxy_cache_key proxy_cache_lock proxy_ignore_client_abort ' +
    'proxy_next_upstream_tries proxy_next_upstream_timeout proxy_max_temp_file_size proxy_temp_file_write_size ' +
    'proxy_ssl_server_name proxy_ssl_verify proxy_ssl_name proxy_ssl_session_reuse proxy_pass ' +
    'proxy_pass_request_headers proxy_pass_request_body proxy_method ' +
    'proxy_bind proxy_socket_keepalive proxy_store proxy_temp_path proxy_force_ranges proxy_limit_rate ' +
    'fastcgi_pass fastcgi_index fastcgi_read_timeout fastcgi_buffers fastcgi_buffering uwsgi_pass scgi_pass ' +
    'grpc_pass memcached_pass try_files internal expires auth_basic auth_basic_user_file auth_request ' +
    'server_name_in_redirect port_in_redirect absolute_redirect msie_padding msie_refresh ' +
    'chunked_transfer_encoding etag if_modified_since reset_timedout_connection lingering_close lingering_time ' +
    'lingering_timeout open_file_cache open_file_cache_valid open_file_cache_min_uses open_file_cache_errors ' +
    'limit_rate limit_rate_after autoindex autoindex_exact_size autoindex_format autoindex_localtime satisfy ' +
    'output_buffers postpone_output sendfile_max_chunk send_lowat recursive_error_pages log_subrequest ' +
    'max_ranges limit_req_status limit_req_log_level limit_conn_status limit_req_dry_run ' +
    'client_body_in_file_only client_body_in_single_buffer client_body_temp_path subrequest_output_buffer_size ' +
    'ssi sub_filter_once random_index rewrite_log uninitialized_variable_warn create_full_put_path dav_access ' +
    'min_delete_depth mp4_buffer_size mp4_max_buffer_size slice secure_link secure_link_md5 secure_link_secret ' +
    'userid userid_name userid_domain userid_path userid_expires http2_push http2_push_preload ' +
    'mirror_request_body disable_symlinks aio_write read_ahead proxy_set_body proxy_cache_revalidate ' +
    'proxy_cache_min_uses proxy_cache_background_update proxy_cache_convert_head proxy_cache_lock_timeout ' +
    'proxy_cache_lock_age proxy_cache_max_range_offset proxy_ssl_ciphers proxy_ssl_verify_depth ' +
    'proxy_ssl_trusted_certificate proxy_ssl_certificate proxy_ssl_certificate_key'
  ).split(' '),
);

/** Names that share one slot: nginx says `"alias" directive is duplicate, "root" directive was specified earlier`. */
export const SHARED_SLOTS: ReadonlyArray<readonly string[]> = [['root', 'alias']];

const HTTP_CORE_BITS =
  CONTEXT_BITS.main |
  CONTEXT_BITS.events |
  CONTEXT_BITS.http |
  CONTEXT_BITS.server |
  CONTEXT_BITS.location |
  CONTEXT_BITS.sif |
  CONTEXT_BITS.lif |
  CONTEXT_BITS.limit_except |
  CONTEXT_BITS.upstream;

// ---- table construction (lazy, once) -----------------------------------------------------------

let table: Map<string, DirectiveSpec> | undefined;

function contextMask(names: readonly string[]): number {
  let bits = 0;
  for (const n of names) {
    const b = (CONTEXT_BITS as Record<string, number>)[n];
    if (b === undefined) throw new Error(`unknown context "${n}"`);
    bits |= b;
  }
  return bits;
}

function buildTable(): Map<string, DirectiveSpec> {
  const out = new Map<string, DirectiveSpec>();
  for (const line of REFERENCE_DIRECTIVES.split('\n')) {
    const [name, ...encoded] = line.split(' ');
    if (!name) continue;
    const forms = encoded.map((f) => {
      const [ctx, type, mod] = f.split('.');
      const module = REFERENCE_MODULES[parseInt(mod!, 36)] ?? '';
      let bits = parseInt(ctx!, 16);
      let argType = parseInt(type!, 16);
      const fix = TYPE_CORRECTIONS[`${name}@${module}`] ?? TYPE_CORRECTIONS[name];
      if (fix !== undefined) argType = parseType(fix) | (argType & CONF_BLOCK);
      const extraCtx = CONTEXT_CORRECTIONS[name];
      if (extraCtx && bits & HTTP_CORE_BITS) bits |= contextMask(extraCtx);
      return { contexts: bits, type: argType, module };
    });
    out.set(name, { name, forms, body: bodyKindOf(name, forms), value: VALUE_KINDS[name], thirdParty: false });
  }
  for (const extra of EXTRA_DIRECTIVES) addExtra(out, extra);
  return out;
}

function bodyKindOf(name: string, forms: DirectiveForm[]): BodyKind {
  if (name.endsWith('_by_lua_block')) return 'lua';
  if (OPAQUE_BLOCKS.has(name) && forms.some((f) => f.type & CONF_BLOCK)) return 'opaque';
  return 'directives';
}

function addExtra(out: Map<string, DirectiveSpec>, extra: ExtraDirective): void {
  const form: DirectiveForm = {
    contexts: contextMask(extra.contexts),
    type: parseType(extra.args) | (extra.block ? CONF_BLOCK : 0),
    module: extra.module,
  };
  const existing = out.get(extra.name);
  if (existing) {
    existing.forms.push(form);
    return;
  }
  const body: BodyKind = extra.body ?? (extra.name.endsWith('_by_lua_block') ? 'lua' : 'directives');
  out.set(extra.name, { name: extra.name, forms: [form], body, thirdParty: !extra.nginx });
}

function directives(): Map<string, DirectiveSpec> {
  table ??= buildTable();
  return table;
}

// ---- lookups -----------------------------------------------------------------------------------

export function lookupDirective(name: string): DirectiveSpec | undefined {
  return directives().get(name);
}

export function isKnownDirective(name: string): boolean {
  return directives().has(name);
}

/** Every known directive name (sorted), for completion and docs. */
export function knownDirectiveNames(): string[] {
  return [...directives().keys()].sort();
}

/** The form nginx would use for `spec` in `context`: the first module allowing it there. */
export function formFor(spec: DirectiveSpec, context: ContextName): DirectiveForm | undefined {
  // Called for every directive by several rules: a plain loop, no closure per call.
  const bits = CONTEXT_BITS[context] | CONTEXT_BITS.any;
  for (const f of spec.forms) if ((f.contexts & bits) !== 0) return f;
  return undefined;
}

export function allowedIn(spec: DirectiveSpec, context: ContextName): boolean {
  return formFor(spec, context) !== undefined;
}

/** Contexts where `spec` is allowed (for "allowed in: http, server" hints). */
export function allowedContexts(spec: DirectiveSpec): ContextName[] {
  let bits = 0;
  for (const f of spec.forms) bits |= f.contexts;
  if (bits & CONTEXT_BITS.any) return Object.keys(CONTEXT_LABELS) as ContextName[];
  return (Object.keys(CONTEXT_LABELS) as ContextName[]).filter((c) => bits & CONTEXT_BITS[c]);
}

/** Does nginx accept `count` arguments for these argument bits? (ngx_conf_handler's check.) */
export function arityAccepts(type: number, count: number): boolean {
  if (type & CONF_ANY) return true;
  if (type & CONF_FLAG) return count === 1;
  if (type & CONF_1MORE) return count >= 1;
  if (type & CONF_2MORE) return count >= 2;
  if (count > 7) return false; // NGX_CONF_MAX_ARGS
  return (type & CONF_TAKE[count]!) !== 0;
}

export type ArityProblem =
  | { kind: 'count'; message: string }
  | { kind: 'flag'; message: string; argIndex: number }
  | { kind: 'value'; message: string; argIndex: number };

/**
 * nginx's checks on a directive's arguments, in nginx's words: the count (ngx_conf_handler), then
 * on/off for flags and size/time syntax for the directives whose values are cheap to check.
 * `context` picks the module's form (`server` differs in http and upstream); default: the first.
 */
export function checkArity(
  spec: DirectiveSpec,
  argCount: number,
  args?: readonly string[],
  context?: ContextName,
): ArityProblem | null {
  const form = (context && formFor(spec, context)) || spec.forms[0];
  if (!form) return null;
  if (!arityAccepts(form.type, argCount)) {
    return { kind: 'count', message: `invalid number of arguments in "${spec.name}" directive` };
  }
  if (!args) return null;
  if (form.type & CONF_FLAG && args.length === 1) {
    const v = args[0]!;
    if (!/^(on|off)$/i.test(v)) {
      return {
        kind: 'flag',
        argIndex: 0,
        message: `invalid value "${v}" in "${spec.name}" directive, it must be "on" or "off"`,
      };
    }
  }
  if (spec.value && args.length === 1 && !args[0]!.includes('$')) {
    const v = args[0]!;
    const ok = spec.value === 'time' ? isNginxTime(v) : isNginxSize(v, spec.value === 'offset');
    if (!ok) return { kind: 'value', argIndex: 0, message: `"${spec.name}" directive invalid value` };
  }
  return null;
}

/** Whether checkArity looks at a lone argument's value for `form` (on/off, size or time). */
export function checksLoneValue(spec: DirectiveSpec, form: DirectiveForm): boolean {
  return (form.type & CONF_FLAG) !== 0 || spec.value !== undefined;
}

/** ngx_parse_size / ngx_parse_offset: digits with an optional k/K/m/M (and g/G for offsets). */
export function isNginxSize(value: string, offset: boolean): boolean {
  return offset ? /^\d+[kKmMgG]?$/.test(value) : /^\d+[kKmM]?$/.test(value);
}

/** ngx_parse_time: `1h 30m`, `500ms`, `30`; each unit at most once, largest first. */
export function isNginxTime(value: string): boolean {
  const order = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'];
  const re = /(\d+)(ms|[yMwdhms])?\s*/y;
  let pos = value.search(/\S/);
  if (pos < 0) return false;
  let last = -1;
  let bare = false;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) return false;
    if (bare) return false; // a bare number must be the last part
    if (m[2] === undefined) bare = true;
    else {
      const rank = order.indexOf(m[2]);
      if (rank <= last) return false;
      last = rank;
    }
    pos = re.lastIndex;
  }
  return true;
}

/** Whether nginx rejects a second `name` in the same block (`"X" directive is duplicate`). */
export function rejectsDuplicate(name: string, context?: ContextName): boolean {
  if (!DUPLICATE_REJECTED.has(name)) return false;
  if (!context) return true;
  return (CONTEXT_BITS[context] & HTTP_CORE_BITS) !== 0;
}

/** Every name rejectsDuplicate() knows (for docs and the nginx -t check). */
export function duplicateRejectedNames(): string[] {
  return [...DUPLICATE_REJECTED].sort();
}

/** The names sharing one slot with `name` (root/alias), including itself. */
export function slotGroup(name: string): readonly string[] {
  return SHARED_SLOTS.find((g) => g.includes(name)) ?? [name];
}

const slotKeys = new Map<string, string>();

/** `slotGroup(name).join('|')`, kept per name: the duplicate check asks for every directive. */
export function slotKey(name: string): string {
  let key = slotKeys.get(name);
  if (key === undefined) slotKeys.set(name, (key = slotGroup(name).join('|')));
  return key;
}

// ---- did you mean ------------------------------------------------------------------------------

/** Optimal string alignment (restricted Damerau–Levenshtein) distance, bounded by `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Nearest known name when it is close: ≤1 edit for short names, ≤2 from 6 chars, ≤3 from 12. */
export function suggestDirective(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower !== name && isKnownDirective(lower)) return lower; // nginx names are case-sensitive
  const max = name.length < 6 ? 1 : name.length < 12 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of directives().keys()) {
    const d = editDistance(lower, candidate, bestDistance - 1 < max ? bestDistance : max);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      if (d <= max) {
        best = candidate;
        bestDistance = d;
      }
    }
  }
  return best;
}

// ---- contexts of a tree ------------------------------------------------------------------------

/** The context a block directive opens, given the context it sits in; `null`: not directives inside. */
export function childContext(d: Directive, parent: ContextName): ContextName | null {
  const spec = lookupDirective(d.name);
  if (!spec || spec.body !== 'directives') return null;
  switch (d.name) {
    case 'events':
      return 'events';
    case 'http':
      return 'http';
    case 'mail':
      return 'mail';
    case 'stream':
      return 'stream';
    case 'server':
      if (parent === 'mail') return 'mail_server';
      if (parent === 'stream') return 'stream_server';
      return 'server';
    case 'upstream':
      return parent === 'stream' ? 'stream_upstream' : 'upstream';
    case 'location':
      return 'location';
    case 'if':
      return parent === 'server' ? 'sif' : 'lif';
    case 'limit_except':
      return 'limit_except';
    case 'acme_issuer':
    case 'oidc_provider':
    case 'mgmt':
      return d.name;
    default:
      // Third-party blocks with their own directives are not modelled: leave their bodies alone.
      return null;
  }
}

/** Contexts a fragment's top level may sit in, most likely first. */
const FRAGMENT_CONTEXTS: ContextName[] = ['http', 'server', 'location', 'stream', 'stream_server', 'upstream', 'events'];

/**
 * The context the top level is checked in. A full configuration (`main`) is taken as given; for a
 * fragment the loader's guess is kept when every known top-level directive is allowed there, else
 * the first context that fits them all (a `try_files`-only snippet is a location/server fragment).
 */
export function effectiveRootContext(config: Pick<NginxConfig, 'root' | 'rootContext'>): ContextName {
  const given: ContextName = config.rootContext;
  if (given === 'main') return given;
  const specs = config.root.map((d) => lookupDirective(d.name)).filter((s): s is DirectiveSpec => s !== undefined);
  const fits = (ctx: ContextName): boolean => specs.every((s) => allowedIn(s, ctx));
  if (fits(given)) return given;
  return FRAGMENT_CONTEXTS.find(fits) ?? given;
}

/**
 * Visits every directive with the nginx context it sits in. Children of opaque blocks (`map`,
 * `types`…), Lua bodies and unknown blocks are not visited: they are not directives.
 */
export function walkContexts(
  config: Pick<NginxConfig, 'root' | 'rootContext'>,
  visit: (d: Directive, context: ContextName) => void,
): void {
  walkStats.fromTop++;
  const flat = contextsOf(config);
  const nodes = flat.nodes;
  const contexts = flat.contexts;
  for (let i = 0; i < nodes.length; i++) visit(nodes[i]!, contexts[i]!);
}

interface ContextList {
  rootContext: ContextName;
  /** Length of the top-level array when built (hand-built trees may grow). */
  rootLength: number;
  nodes: Directive[];
  contexts: ContextName[];
}

// Several rules walk the tree with contexts; a loaded tree never changes, so the (pre-order)
// list is computed once per top-level array and context.
const contextLists = new WeakMap<Directive[], ContextList>();

function contextsOf(config: Pick<NginxConfig, 'root' | 'rootContext'>): ContextList {
  const rootContext = effectiveRootContext(config);
  const cached = contextLists.get(config.root);
  if (cached && cached.rootContext === rootContext && cached.rootLength === config.root.length) return cached;
  const nodes: Directive[] = [];
  const contexts: ContextName[] = [];
  const stackNodes: Directive[] = [];
  const stackContexts: ContextName[] = [];
  const push = (list: Directive[], ctx: ContextName): void => {
    for (let i = list.length - 1; i >= 0; i--) {
      stackNodes.push(list[i]!);
      stackContexts.push(ctx);
    }
  };
  push(config.root, rootContext);
  while (stackNodes.length > 0) {
    const d = stackNodes.pop()!;
    const ctx = stackContexts.pop()!;
    nodes.push(d);
    contexts.push(ctx);
    if (!d.block) continue;
    const inner = childContext(d, ctx);
    if (inner) push(d.block, inner);
  }
  const list: ContextList = { rootContext, rootLength: config.root.length, nodes, contexts };
  contextLists.set(config.root, list);
  return list;
}

/** Whether the directive was written with a `{`: a child block, or a Lua body read as one word. */
export function hasBlockSyntax(d: Directive): boolean {
  return d.block !== null || d.blockStart >= 0;
}

/** Arguments as nginx counts them: a `*_by_lua_block` body is not one of them. */
export function countedArgs(d: Directive): string[] {
  const values = d.args.map((a) => a.value);
  if (d.block === null && d.blockStart >= 0 && values.length > 0) values.pop();
  return values;
}

/** `countedArgs(d).length`, without building the arguments. */
export function countedArgc(d: Directive): number {
  const n = d.argc;
  return d.block === null && d.blockStart >= 0 && n > 0 ? n - 1 : n;
}

// Directives nginx.org's reference does not list: third-party modules common in the wild
// (OpenResty's lua-nginx-module and friends, headers-more, geoip2, brotli, zstd, vts, …) and a few
// undocumented nginx ones. Hand-written from each module's command table / README.
//
// Arity uses nginx's names (TAKE1, TAKE12, 1MORE, FLAG, NOARGS…). Where a module's table was not
// at hand the entry errs lenient (1MORE / ANY): an unknown arity must never produce a false error.

import type { BodyKind, ContextName } from './directives.js';

export interface ExtraDirective {
  name: string;
  module: string;
  contexts: ContextName[];
  /** nginx argument type names joined by `|` (without BLOCK). */
  args: string;
  block?: boolean;
  /** Children are not directives (`opaque`) or are Lua code (`lua`); default `directives`. */
  body?: BodyKind;
  /** An nginx directive missing from the reference (undocumented), not a third-party one. */
  nginx?: boolean;
}

// Context sets, named after nginx's NGX_HTTP_*_CONF flags.
const MAIN: ContextName[] = ['http'];
const SRV: ContextName[] = ['server'];
const MAIN_SRV: ContextName[] = ['http', 'server'];
const LOC: ContextName[] = ['location'];
const LOC_LIF: ContextName[] = ['location', 'lif'];
const MSL: ContextName[] = ['http', 'server', 'location'];
const MSLI: ContextName[] = ['http', 'server', 'location', 'lif'];
const SRV_LOC_IF: ContextName[] = ['server', 'sif', 'location', 'lif'];
const MSL_IF: ContextName[] = ['http', 'server', 'sif', 'location', 'lif'];
const UPS: ContextName[] = ['upstream'];
const STREAM_MAIN: ContextName[] = ['stream'];
const STREAM_MS: ContextName[] = ['stream', 'stream_server'];
const STREAM_SRV: ContextName[] = ['stream_server'];
const STREAM_UPS: ContextName[] = ['stream_upstream'];

/** `table(module, contexts, 'name:ARGS name:ARGS …')`: one module's directives sharing contexts. */
function table(module: string, contexts: ContextName[], spec: string, extra: Partial<ExtraDirective> = {}): ExtraDirective[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((entry) => {
      const [name, args] = entry.split(':') as [string, string];
      const block = args.endsWith('+BLOCK');
      return { name, module, contexts, args: block ? args.slice(0, -6) : args, ...(block ? { block } : {}), ...extra };
    });
}

const LUA = 'ngx_http_lua_module';
const STREAM_LUA = 'ngx_stream_lua_module';

export const EXTRA_DIRECTIVES: readonly ExtraDirective[] = [
  // ---- nginx itself: present in 1.22's binary, absent from the reference ----
  ...table('ngx_event_core_module', ['events'], 'epoll_events:TAKE1', { nginx: true }),
  ...table(
    'ngx_http_gzip_module',
    MSL,
    'gzip_hash:TAKE1 gzip_no_buffer:FLAG gzip_window:TAKE1 postpone_gzipping:TAKE1',
    { nginx: true },
  ),
  ...table('ngx_http_v2_module', MAIN_SRV, 'http2_pool_size:TAKE1 http2_streams_index_size:TAKE1', { nginx: true }),
  ...table('ngx_http_core_module', MSL, 'open_file_cache_events:FLAG', { nginx: true }),
  ...table('ngx_http_core_module', MSLI, 'post_action:TAKE1', { nginx: true }),
  ...table('ngx_http_ssi_filter_module', MSL, 'ssi_ignore_recycled_buffers:FLAG', { nginx: true }),
  ...table('ngx_http_uwsgi_module', MSL, 'uwsgi_string:TAKE1', { nginx: true }),

  // ---- lua-nginx-module (src/ngx_http_lua_module.c) ----
  ...table(
    LUA,
    MAIN,
    `lua_load_resty_core:FLAG lua_thread_cache_max_entries:TAKE1 lua_max_running_timers:TAKE1
     lua_max_pending_timers:TAKE1 lua_shared_dict:TAKE2 lua_capture_error_log:TAKE1 lua_sa_restart:FLAG
     lua_regex_cache_max_entries:TAKE1 lua_regex_match_limit:TAKE1 lua_package_cpath:TAKE1
     lua_package_path:TAKE1 init_by_lua_block:NOARGS+BLOCK init_by_lua:TAKE1 init_by_lua_file:TAKE1
     init_worker_by_lua_block:NOARGS+BLOCK init_worker_by_lua:TAKE1 init_worker_by_lua_file:TAKE1
     exit_worker_by_lua_block:NOARGS+BLOCK exit_worker_by_lua_file:TAKE1 rewrite_by_lua_no_postpone:FLAG
     access_by_lua_no_postpone:FLAG ssl_session_store_by_lua_block:NOARGS+BLOCK
     ssl_session_store_by_lua_file:TAKE1 ssl_session_fetch_by_lua_block:NOARGS+BLOCK
     ssl_session_fetch_by_lua_file:TAKE1 lua_malloc_trim:TAKE1 lua_worker_thread_vm_pool_size:TAKE1`,
  ),
  ...table(
    LUA,
    MSLI,
    `lua_code_cache:FLAG lua_need_request_body:FLAG lua_transform_underscores_in_response_headers:FLAG
     lua_socket_log_errors:FLAG rewrite_by_lua:TAKE1 rewrite_by_lua_block:NOARGS+BLOCK rewrite_by_lua_file:TAKE1
     access_by_lua:TAKE1 access_by_lua_block:NOARGS+BLOCK access_by_lua_file:TAKE1 log_by_lua:TAKE1
     log_by_lua_block:NOARGS+BLOCK log_by_lua_file:TAKE1 header_filter_by_lua:TAKE1
     header_filter_by_lua_block:NOARGS+BLOCK header_filter_by_lua_file:TAKE1 body_filter_by_lua:TAKE1
     body_filter_by_lua_block:NOARGS+BLOCK body_filter_by_lua_file:TAKE1 lua_socket_keepalive_timeout:TAKE1
     lua_socket_connect_timeout:TAKE1 lua_socket_send_timeout:TAKE1 lua_socket_send_lowat:TAKE1
     lua_socket_buffer_size:TAKE1 lua_socket_pool_size:TAKE1 lua_socket_read_timeout:TAKE1
     lua_http10_buffering:FLAG lua_check_client_abort:FLAG lua_use_default_type:FLAG`,
  ),
  // http-main rewrite/access/log… are also allowed at http level: MSLI covers it.
  ...table(LUA, LOC_LIF, 'content_by_lua:TAKE1 content_by_lua_block:NOARGS+BLOCK content_by_lua_file:TAKE1'),
  ...table(LUA, SRV_LOC_IF, 'set_by_lua_block:TAKE1+BLOCK set_by_lua:2MORE set_by_lua_file:2MORE'),
  ...table(LUA, MAIN_SRV, 'server_rewrite_by_lua_block:NOARGS+BLOCK server_rewrite_by_lua_file:TAKE1'),
  ...table(
    LUA,
    MAIN_SRV,
    `ssl_client_hello_by_lua_block:NOARGS+BLOCK ssl_client_hello_by_lua_file:TAKE1
     ssl_certificate_by_lua_block:NOARGS+BLOCK ssl_certificate_by_lua_file:TAKE1`,
  ),
  // Newer lua-nginx-module (0.10.28+): precontent phase and upstream TLS hooks.
  ...table(LUA, MAIN, 'precontent_by_lua_no_postpone:FLAG'),
  ...table(LUA, MSLI, 'precontent_by_lua_block:NOARGS+BLOCK precontent_by_lua_file:TAKE1'),
  ...table(
    LUA,
    LOC,
    `proxy_ssl_verify_by_lua_block:NOARGS+BLOCK proxy_ssl_verify_by_lua_file:TAKE1
     proxy_ssl_certificate_by_lua_block:NOARGS+BLOCK proxy_ssl_certificate_by_lua_file:TAKE1`,
  ),
  ...table(LUA, MSL, 'lua_upstream_skip_openssl_default_verify:FLAG'),
  ...table(LUA, UPS, 'balancer_by_lua_block:NOARGS+BLOCK balancer_by_lua_file:TAKE1 balancer_keepalive:TAKE1'),
  ...table(
    LUA,
    MSL,
    `lua_ssl_protocols:1MORE lua_ssl_ciphers:TAKE1 lua_ssl_verify_depth:TAKE1 lua_ssl_certificate:TAKE1
     lua_ssl_certificate_key:TAKE1 lua_ssl_trusted_certificate:TAKE1 lua_ssl_crl:TAKE1 lua_ssl_key_log:TAKE1
     lua_ssl_conf_command:TAKE2`,
  ),

  // ---- stream-lua-nginx-module (the common part) ----
  ...table(
    STREAM_LUA,
    STREAM_MAIN,
    `lua_shared_dict:TAKE2 lua_package_path:TAKE1 lua_package_cpath:TAKE1 lua_load_resty_core:FLAG
     lua_max_running_timers:TAKE1 lua_max_pending_timers:TAKE1 lua_capture_error_log:TAKE1
     lua_regex_cache_max_entries:TAKE1 lua_regex_match_limit:TAKE1 lua_sa_restart:FLAG
     lua_add_variable:TAKE1 init_by_lua_block:NOARGS+BLOCK init_by_lua_file:TAKE1
     init_worker_by_lua_block:NOARGS+BLOCK init_worker_by_lua_file:TAKE1`,
  ),
  ...table(
    STREAM_LUA,
    STREAM_MS,
    `lua_code_cache:FLAG lua_socket_keepalive_timeout:TAKE1 lua_socket_connect_timeout:TAKE1
     lua_socket_send_timeout:TAKE1 lua_socket_send_lowat:TAKE1 lua_socket_buffer_size:TAKE1
     lua_socket_pool_size:TAKE1 lua_socket_read_timeout:TAKE1 lua_socket_log_errors:FLAG
     lua_check_client_abort:FLAG preread_by_lua_block:NOARGS+BLOCK preread_by_lua_file:TAKE1
     preread_by_lua_no_postpone:FLAG log_by_lua_block:NOARGS+BLOCK log_by_lua_file:TAKE1
     ssl_client_hello_by_lua_block:NOARGS+BLOCK ssl_client_hello_by_lua_file:TAKE1
     ssl_certificate_by_lua_block:NOARGS+BLOCK ssl_certificate_by_lua_file:TAKE1
     lua_ssl_protocols:1MORE lua_ssl_ciphers:TAKE1 lua_ssl_verify_depth:TAKE1
     lua_ssl_trusted_certificate:TAKE1 lua_ssl_crl:TAKE1 lua_ssl_conf_command:TAKE2`,
  ),
  ...table(STREAM_LUA, STREAM_SRV, 'content_by_lua_block:NOARGS+BLOCK content_by_lua_file:TAKE1'),
  ...table(STREAM_LUA, STREAM_UPS, 'balancer_by_lua_block:NOARGS+BLOCK balancer_by_lua_file:TAKE1'),

  // ---- headers-more-nginx-module ----
  ...table(
    'ngx_http_headers_more_filter_module',
    MSLI,
    'more_set_headers:1MORE more_clear_headers:1MORE more_set_input_headers:1MORE more_clear_input_headers:1MORE',
  ),

  // ---- ngx_http_geoip2_module / ngx_stream_geoip2_module: `geoip2 db { $var path…; }` ----
  ...table('ngx_http_geoip2_module', MAIN, 'geoip2:TAKE1+BLOCK', { body: 'opaque' }),
  ...table('ngx_http_geoip2_module', MAIN, 'geoip2_proxy:TAKE1 geoip2_proxy_recursive:FLAG'),
  ...table('ngx_stream_geoip2_module', STREAM_MAIN, 'geoip2:TAKE1+BLOCK', { body: 'opaque' }),

  // ---- ngx_brotli ----
  ...table(
    'ngx_brotli',
    MSLI,
    `brotli:FLAG brotli_static:TAKE1 brotli_types:1MORE brotli_buffers:TAKE2 brotli_comp_level:TAKE1
     brotli_window:TAKE1 brotli_min_length:TAKE1`,
  ),

  // ---- zstd-nginx-module ----
  ...table(
    'ngx_http_zstd_module',
    MSLI,
    `zstd:FLAG zstd_static:TAKE1 zstd_types:1MORE zstd_buffers:TAKE2 zstd_comp_level:TAKE1
     zstd_min_length:TAKE1 zstd_dict_file:TAKE1`,
  ),

  // ---- nginx-module-vts ----
  ...table(
    'ngx_http_vhost_traffic_status_module',
    MAIN,
    `vhost_traffic_status_zone:NOARGS|TAKE1 vhost_traffic_status_dump:TAKE12
     vhost_traffic_status_filter_max_node:1MORE`,
  ),
  ...table(
    'ngx_http_vhost_traffic_status_module',
    MSLI,
    `vhost_traffic_status:FLAG vhost_traffic_status_display:NOARGS vhost_traffic_status_display_format:TAKE1
     vhost_traffic_status_display_jsonp:TAKE1 vhost_traffic_status_display_sum_key:TAKE1
     vhost_traffic_status_filter:FLAG vhost_traffic_status_filter_by_host:FLAG
     vhost_traffic_status_filter_by_set_key:TAKE12 vhost_traffic_status_filter_check_duplicate:FLAG
     vhost_traffic_status_limit:FLAG vhost_traffic_status_limit_traffic:TAKE12
     vhost_traffic_status_limit_traffic_by_set_key:TAKE23 vhost_traffic_status_limit_check_duplicate:FLAG
     vhost_traffic_status_set_by_filter:TAKE2 vhost_traffic_status_average_method:TAKE12
     vhost_traffic_status_histogram_buckets:1MORE vhost_traffic_status_bypass_limit:FLAG
     vhost_traffic_status_bypass_stats:FLAG`,
  ),

  // ---- F5 add-ons for NGINX Plus: NGINX App Protect WAF, F5 metrics (seen in nginx-go-crossplane's configs) ----
  ...table('ngx_http_f5_metrics_module', MSLI, 'f5_metrics:FLAG f5_metrics_marker:TAKE2'),
  ...table('ngx_http_f5_metrics_module', MAIN, 'f5_metrics_server:TAKE1'),
  ...table('ngx_http_app_protect_module', MAIN, 'app_protect_enforcer_address:TAKE1'),
  ...table(
    'ngx_http_app_protect_module',
    MSL,
    'app_protect_enable:FLAG app_protect_policy_file:TAKE1 app_protect_security_log_enable:FLAG app_protect_security_log:1MORE',
  ),

  // ---- ModSecurity-nginx ----
  ...table(
    'ngx_http_modsecurity_module',
    MSL,
    'modsecurity:FLAG modsecurity_rules:TAKE1 modsecurity_rules_file:TAKE1 modsecurity_rules_remote:TAKE2 modsecurity_transaction_id:TAKE1',
  ),

  // ---- ngx_cache_purge (FRiCKLE): `proxy_cache_purge zone key` in a location, or `on|off [from …]` ----
  // nginx Plus's proxy_cache_purge (in the reference) already accepts 1MORE: nothing to add.

  // ---- nginx-dav-ext-module, fancyindex, subs_filter ----
  ...table('ngx_http_dav_ext_module', MAIN, 'dav_ext_lock_zone:TAKE12'),
  ...table('ngx_http_dav_ext_module', MSL, 'dav_ext_methods:1MORE dav_ext_lock:TAKE1'),
  ...table(
    'ngx_http_fancyindex_module',
    MSL,
    `fancyindex:FLAG fancyindex_exact_size:FLAG fancyindex_footer:TAKE12 fancyindex_header:TAKE12
     fancyindex_localtime:FLAG fancyindex_ignore:1MORE fancyindex_css_href:TAKE1 fancyindex_name_length:TAKE1
     fancyindex_hide_symlinks:FLAG fancyindex_show_path:FLAG fancyindex_time_format:TAKE1
     fancyindex_default_sort:TAKE1 fancyindex_directories_first:FLAG fancyindex_case_sensitive:FLAG
     fancyindex_hide_parent_dir:FLAG fancyindex_show_dotfiles:FLAG`,
  ),
  ...table('ngx_http_subs_filter_module', MSL, 'subs_filter:TAKE23 subs_filter_types:1MORE'),

  // ---- OpenResty's companion modules (used throughout lua-nginx-module's tests) ----
  ...table(
    'ngx_http_echo_module',
    LOC_LIF,
    `echo:ANY echo_duplicate:2MORE echo_flush:NOARGS echo_sleep:1MORE echo_blocking_sleep:1MORE
     echo_reset_timer:NOARGS echo_location_async:1MORE echo_location:1MORE echo_subrequest_async:2MORE
     echo_subrequest:2MORE echo_read_request_body:NOARGS echo_request_body:NOARGS echo_exec:1MORE
     echo_status:TAKE1 echo_foreach_split:2MORE echo_end:NOARGS echo_abort_parent:NOARGS
     echo_flush_wait:NOARGS`,
  ),
  ...table('ngx_http_echo_module', MSLI, 'echo_before_body:ANY echo_after_body:ANY'),
  ...table(
    'ngx_http_set_misc_module',
    SRV_LOC_IF,
    `set_quote_sql_str:TAKE12 set_quote_pgsql_str:TAKE12 set_quote_json_str:TAKE12 set_unescape_uri:TAKE12
     set_escape_uri:TAKE12 set_encode_base32:TAKE12 set_decode_base32:TAKE12 set_encode_base64:TAKE12
     set_decode_base64:TAKE12 set_encode_base64url:TAKE12 set_decode_base64url:TAKE12 set_encode_hex:TAKE12
     set_decode_hex:TAKE12 set_sha1:TAKE12 set_md5:TAKE12 set_hmac_sha1:TAKE23 set_hmac_sha256:TAKE23
     set_random:TAKE3 set_secure_random_alphanum:TAKE2 set_secure_random_lcalpha:TAKE2 set_rotate:TAKE3
     set_if_empty:TAKE2 set_hashed_upstream:TAKE3 set_local_today:TAKE1 set_formatted_gmt_time:TAKE2
     set_formatted_local_time:TAKE2 set_misc_base32_padding:FLAG set_base32_padding:FLAG
     set_base32_alphabet:TAKE1 set_misc_base32_alphabet:TAKE1`,
  ),
  ...table('ngx_http_array_var_module', SRV_LOC_IF, 'array_split:2MORE array_join:TAKE23 array_map:TAKE23 array_map_op:TAKE23'),
  ...table(
    'ngx_http_memc_module',
    MSLI,
    `memc_pass:TAKE1 memc_cmds_allowed:1MORE memc_flags_to_last_modified:FLAG memc_connect_timeout:TAKE1
     memc_send_timeout:TAKE1 memc_read_timeout:TAKE1 memc_buffer_size:TAKE1 memc_upstream_max_fails:TAKE1
     memc_upstream_fail_timeout:TAKE1 memc_ignore_client_abort:FLAG memc_next_upstream:1MORE`,
  ),
  ...table(
    'ngx_http_redis2_module',
    MSLI,
    `redis2_query:1MORE redis2_raw_query:TAKE1 redis2_raw_queries:TAKE2 redis2_literal_raw_query:TAKE1
     redis2_pass:TAKE1 redis2_connect_timeout:TAKE1 redis2_send_timeout:TAKE1 redis2_read_timeout:TAKE1
     redis2_buffer_size:TAKE1 redis2_next_upstream:1MORE`,
  ),
  ...table(
    'ngx_http_srcache_filter_module',
    MSLI,
    `srcache_fetch:TAKE23 srcache_store:TAKE23 srcache_store_max_size:TAKE1 srcache_store_skip:TAKE1
     srcache_fetch_skip:TAKE1 srcache_store_statuses:1MORE srcache_store_ranges:FLAG
     srcache_store_private:FLAG srcache_store_no_store:FLAG srcache_store_no_cache:FLAG
     srcache_store_pass_header:TAKE1 srcache_store_hide_header:TAKE1 srcache_header_buffer_size:TAKE1
     srcache_methods:1MORE srcache_request_cache_control:FLAG srcache_response_cache_control:FLAG
     srcache_ignore_content_encoding:FLAG srcache_default_expire:TAKE1 srcache_max_expire:TAKE1`,
  ),
  ...table('ngx_http_form_input_module', SRV_LOC_IF, 'set_form_input:TAKE12 set_form_input_multi:TAKE12'),
  ...table(
    'ngx_http_encrypted_session_module',
    MSL_IF,
    `encrypted_session_key:TAKE1 encrypted_session_iv:TAKE1 encrypted_session_expires:TAKE1
     set_encrypt_session:TAKE12 set_decrypt_session:TAKE12`,
  ),
  ...table(
    'ngx_http_xss_filter_module',
    MSLI,
    'xss_get:FLAG xss_callback_arg:TAKE1 xss_override_status:FLAG xss_check_status:FLAG xss_input_types:1MORE',
  ),
  ...table(
    'ngx_http_rds_json_filter_module',
    MSLI,
    `rds_json:FLAG rds_json_buffer_size:TAKE1 rds_json_format:TAKE1 rds_json_root:TAKE1
     rds_json_success_property:TAKE1 rds_json_user_property:TAKE2 rds_json_errcode_key:TAKE1
     rds_json_errstr_key:TAKE1 rds_json_ret:TAKE12 rds_json_content_type:TAKE1`,
  ),
  ...table('ngx_http_iconv_module', MSLI, 'iconv_filter:1MORE iconv_buffer_size:TAKE1 set_iconv:TAKE3'),
  ...table('ngx_http_drizzle_module', UPS, 'drizzle_server:1MORE drizzle_keepalive:1MORE'),
  ...table(
    'ngx_http_drizzle_module',
    MSLI,
    `drizzle_query:1MORE drizzle_pass:TAKE1 drizzle_dbname:TAKE1 drizzle_connect_timeout:TAKE1
     drizzle_send_query_timeout:TAKE1 drizzle_recv_cols_timeout:TAKE1 drizzle_recv_rows_timeout:TAKE1
     drizzle_buffer_size:TAKE1 drizzle_module_header:FLAG drizzle_status:NOARGS`,
  ),
  ...table('ngx_postgres_module', UPS, 'postgres_server:1MORE postgres_keepalive:1MORE'),
  ...table(
    'ngx_postgres_module',
    MSLI,
    `postgres_pass:TAKE1 postgres_query:1MORE postgres_rewrite:2MORE postgres_output:TAKE1
     postgres_set:2MORE postgres_escape:TAKE12 postgres_connect_timeout:TAKE1 postgres_result_timeout:TAKE1`,
  ),
  // OpenResty's nginx patches.
  ...table('openresty', MSLI, 'no_error_pages:NOARGS'),
  // lua-nginx-module's test-only helper module (t/data/fake-shm-module).
  ...table('ngx_http_fake_shm_module', MAIN, 'lua_fake_shm:TAKE2'),

  // ---- perl/xslt/image_filter/mail/stream/geoip/njs are in the reference (not in Debian's light build) ----
];

// The hand list of directives nginx rejects when repeated, checked against real `nginx -t`: each
// one twice in its block must fail with `"X" directive is duplicate`, and repeatable directives
// twice must pass.

import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { duplicateRejectedNames } from '../../src/nginx/directives.js';

const NGINX = spawnSync('nginx', ['-v']).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-dup-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Where = 'main' | 'events' | 'http' | 'location' | 'upstream';
const WRAP: Record<Where, (x: string) => string> = {
  main: (x) => `${x}\nevents {}\n`,
  events: (x) => `events {\n${x}\n}\n`,
  http: (x) => `events {}\nhttp {\n${x}\n}\n`,
  location: (x) => `events {}\nhttp { server { location / {\n${x}\n} } }\n`,
  upstream: (x) => `events {}\nhttp { upstream u { server 127.0.0.1;\n${x}\n} }\n`,
};

/** A valid statement for each listed directive, and where it goes. */
const SAMPLES: Record<Where, string[]> = {
  main: ['worker_processes 1', 'worker_rlimit_nofile 1024', 'daemon off', 'master_process off', 'working_directory /tmp', 'pcre_jit on', 'timer_resolution 100ms', 'worker_shutdown_timeout 10s', 'lock_file /tmp/l', 'worker_cpu_affinity auto', 'debug_points abort', 'worker_rlimit_core 10m'],
  events: ['worker_connections 512', 'use epoll', 'multi_accept on', 'accept_mutex on', 'accept_mutex_delay 500ms', 'worker_aio_requests 32'],
  http: ['server_names_hash_bucket_size 64', 'server_names_hash_max_size 512', 'variables_hash_max_size 1024', 'variables_hash_bucket_size 64', 'map_hash_bucket_size 64', 'map_hash_max_size 2048', 'proxy_headers_hash_max_size 512', 'proxy_headers_hash_bucket_size 64', 'types_hash_max_size 1024', 'types_hash_bucket_size 64', 'resolver 127.0.0.1', 'resolver_timeout 5s', 'ssl_ciphers HIGH', 'ssl_prefer_server_ciphers on', 'ssl_session_timeout 5m', 'ssl_session_tickets on', 'ssl_dhparam /x', 'ssl_stapling on', 'ssl_stapling_verify on', 'ssl_trusted_certificate /x', 'ssl_client_certificate /x', 'ssl_verify_client on', 'ssl_verify_depth 2', 'ssl_ecdh_curve auto', 'ssl_buffer_size 4k', 'ssl_early_data on', 'real_ip_header X-Real-IP', 'real_ip_recursive on', 'http2_max_concurrent_streams 128', 'http2_chunk_size 8k', 'http2_body_preread_size 64k', 'server_tokens off', 'open_log_file_cache off', 'directio 4m', 'ignore_invalid_headers on', 'underscores_in_headers on', 'client_header_buffer_size 1k', 'large_client_header_buffers 4 8k', 'client_header_timeout 60s', 'request_pool_size 4k', 'connection_pool_size 256'],
  location: ['log_not_found on', 'sendfile on', 'tcp_nopush on', 'tcp_nodelay on', 'keepalive_timeout 65', 'keepalive_requests 100', 'keepalive_time 1h', 'client_max_body_size 1m', 'client_body_buffer_size 16k', 'client_body_timeout 60s', 'send_timeout 60s', 'default_type text/plain', 'root /tmp', 'alias /tmp/', 'charset utf-8', 'source_charset utf-8', 'gzip on', 'gzip_comp_level 5', 'gzip_min_length 100', 'gzip_vary on', 'gzip_http_version 1.1', 'gzip_buffers 16 8k', 'gzip_static on', 'gunzip on', 'proxy_buffering on', 'proxy_buffer_size 4k', 'proxy_buffers 8 4k', 'proxy_busy_buffers_size 8k', 'proxy_read_timeout 60s', 'proxy_send_timeout 60s', 'proxy_connect_timeout 60s', 'proxy_http_version 1.1', 'proxy_request_buffering on', 'proxy_intercept_errors on', 'proxy_cache c', 'proxy_cache_key $uri', 'proxy_cache_lock on', 'proxy_ignore_client_abort on', 'proxy_next_upstream_tries 3', 'proxy_next_upstream_timeout 5s', 'proxy_max_temp_file_size 0', 'proxy_temp_file_write_size 8k', 'proxy_ssl_server_name on', 'proxy_ssl_verify on', 'proxy_ssl_name $host', 'proxy_ssl_session_reuse on', 'proxy_pass http://a', 'proxy_pass_request_headers on', 'proxy_pass_request_body on', 'proxy_method GET', 'proxy_bind off', 'proxy_socket_keepalive on', 'proxy_store on', 'proxy_temp_path /tmp/t', 'proxy_force_ranges on', 'proxy_limit_rate 0', 'fastcgi_pass 127.0.0.1:9', 'fastcgi_index index.php', 'fastcgi_read_timeout 60s', 'fastcgi_buffers 8 4k', 'fastcgi_buffering on', 'uwsgi_pass 127.0.0.1:9', 'scgi_pass 127.0.0.1:9', 'grpc_pass 127.0.0.1:9', 'memcached_pass 127.0.0.1:9', 'try_files $uri =404', 'internal', 'expires 1h', 'auth_basic x', 'auth_basic_user_file /x', 'auth_request /a', 'server_name_in_redirect on', 'port_in_redirect on', 'absolute_redirect on', 'msie_padding on', 'msie_refresh on', 'chunked_transfer_encoding on', 'etag on', 'if_modified_since exact', 'reset_timedout_connection on', 'lingering_close on', 'lingering_time 30s', 'lingering_timeout 5s', 'open_file_cache max=10', 'open_file_cache_valid 30s', 'open_file_cache_min_uses 1', 'open_file_cache_errors on', 'limit_rate 10k', 'limit_rate_after 1m', 'autoindex on', 'autoindex_exact_size on', 'autoindex_format html', 'autoindex_localtime on', 'satisfy all', 'output_buffers 1 32k', 'postpone_output 1460', 'sendfile_max_chunk 1m', 'send_lowat 0', 'recursive_error_pages on', 'log_subrequest on', 'max_ranges 1', 'limit_req_status 503', 'limit_req_log_level error', 'limit_conn_status 503', 'limit_req_dry_run on', 'client_body_in_file_only on', 'client_body_in_single_buffer on', 'client_body_temp_path /tmp/b', 'subrequest_output_buffer_size 4k', 'ssi on', 'sub_filter_once on', 'random_index on', 'rewrite_log on', 'uninitialized_variable_warn on', 'create_full_put_path on', 'dav_access user:rw', 'min_delete_depth 1', 'mp4_buffer_size 512k', 'mp4_max_buffer_size 10m', 'slice 1m', 'secure_link $arg_s', 'secure_link_md5 $uri', 'secure_link_secret x', 'userid on', 'userid_name uid', 'userid_domain none', 'userid_path /', 'userid_expires max', 'http2_push off', 'http2_push_preload on', 'mirror_request_body on', 'disable_symlinks off', 'aio_write on', 'read_ahead 0', 'proxy_set_body x', 'proxy_cache_revalidate on', 'proxy_cache_min_uses 1', 'proxy_cache_background_update on', 'proxy_cache_convert_head on', 'proxy_cache_lock_timeout 5s', 'proxy_cache_lock_age 5s', 'proxy_cache_max_range_offset 1', 'proxy_ssl_ciphers HIGH', 'proxy_ssl_verify_depth 1', 'proxy_ssl_trusted_certificate /x', 'proxy_ssl_certificate /x', 'proxy_ssl_certificate_key /x'],
  upstream: ['keepalive 16', 'keepalive_timeout 60s', 'keepalive_requests 100', 'keepalive_time 1h'],
};

/** Repeatable directives (arrays, or duplicate only for some values): two are fine. */
const REPEATABLE: Array<[Where, string]> = [
  ['location', 'add_header X-A b'],
  ['location', 'proxy_set_header X-A b'],
  ['location', 'proxy_redirect http://a/ /'],
  ['location', 'proxy_cookie_path /a /b'],
  ['location', 'error_page 404 /x'],
  ['http', 'access_log off'],
  ['http', 'gzip_types text/css'],
  ['http', 'ssl_protocols TLSv1.2'],
  ['main', 'env FOO'],
];

function nginxT(where: Where, statement: string, id: string): string {
  const file = path.join(tmp, `${id}.conf`);
  fs.writeFileSync(file, WRAP[where](statement));
  const r = spawnSync('nginx', ['-t', '-q', '-p', tmp, '-c', file, '-g', 'error_log stderr;'], { encoding: 'utf8', timeout: 20_000 });
  return r.stderr;
}

describe('directives nginx rejects when repeated', () => {
  const samples = new Map(Object.entries(SAMPLES).flatMap(([where, list]) => list.map((s) => [s.split(' ')[0]!, [where as Where, s] as const])));

  it('has a sample statement for every listed name', () => {
    expect(duplicateRejectedNames().filter((n) => !samples.has(n))).toEqual([]);
  });

  it('matches nginx -t: each listed directive twice is "directive is duplicate"', () => {
    if (!NGINX) {
      expect(process.env.CI, 'nginx must be installed in CI').toBeFalsy();
      return;
    }
    const disagree: string[] = [];
    duplicateRejectedNames().forEach((name, i) => {
      const [where, s] = samples.get(name)!;
      const err = nginxT(where, `${s};\n${s};`, `d${i}`);
      if (!err.includes(`"${name}" directive is duplicate`)) disagree.push(`${name}: ${err.trim().split('\n')[0]}`);
    });
    expect(disagree).toEqual([]);
  });

  it('matches nginx -t: repeatable directives twice are accepted as far as repetition goes', () => {
    if (!NGINX) {
      expect(process.env.CI, 'nginx must be installed in CI').toBeFalsy();
      return;
    }
    const rejected = REPEATABLE.filter(([where, s], i) => nginxT(where, `${s};\n${s};`, `r${i}`).includes('is duplicate')).map(([, s]) => s);
    expect(rejected).toEqual([]);
  });
});

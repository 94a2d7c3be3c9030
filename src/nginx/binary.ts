// What `nginx -V` says about the installed binary: the fix verifier (nginx -t) and the tuner's
// sandbox both need its version, compiled-in paths and compiled-out modules.

import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface NginxBinaryInfo {
  binary: string;
  version: string;
  /** Compiled-in prefix (`--prefix=`), for relative `load_module` paths. */
  prefix: string;
  /** Compiled-in access log path (`--http-log-path`), where a config without access_log logs. */
  httpLogPath: string;
  /** Modules compiled out (`--without-http_uwsgi_module` → `http_uwsgi`). */
  without: Set<string>;
}

/** `nginx -V`, or null when the binary is missing (not on PATH) or fails. */
export function nginxBinaryInfo(binary = 'nginx'): NginxBinaryInfo | null {
  const r = spawnSync(binary, ['-V'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) return null;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const prefix = /--prefix=(\S+)/.exec(out)?.[1] ?? '/usr/local/nginx';
  return {
    binary,
    version: /nginx\/(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? '0.0.0',
    prefix,
    httpLogPath: /--http-log-path=(\S+)/.exec(out)?.[1] ?? path.join(prefix, 'logs/access.log'),
    without: new Set([...out.matchAll(/--without-(\w+)_module/g)].map((m) => m[1]!)),
  };
}

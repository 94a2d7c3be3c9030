// Which files to check: the paths given (kind detected by name and content), or, with none,
// the usual places in the current directory.

import * as fs from 'node:fs';
import * as path from 'node:path';

export type InputKind = 'nginx' | 'gunicorn';

export interface Input {
  path: string;
  /** Content for stdin or already-read files (latin1). */
  text?: string;
  kind: InputKind;
}

const NGINX_NAMES = /(^nginx.*\.conf$|\.nginx$|\.vhost$|^default$)/;
const GUNICORN_NAMES = /(^gunicorn.*\.py$|\.service$|\.socket$|^Procfile|^Dockerfile|(^|-)compose.*\.ya?ml$|^docker-compose.*\.ya?ml$|^supervisord.*\.conf$|\.sh$)/;

/** Guess what a file is from its name and a look at its content. */
export function detectKind(file: string, text: string): InputKind | null {
  const base = path.basename(file);
  if (GUNICORN_NAMES.test(base)) return 'gunicorn';
  if (/^\[program:/m.test(text)) return 'gunicorn';
  if (NGINX_NAMES.test(base)) return 'nginx';
  if (/\bgunicorn\b/.test(text) && !/[{;]\s*$/m.test(text)) return 'gunicorn';
  // Leading blanks exclude line breaks: `^\s*` would rescan every following blank line from each
  // line start (quadratic on a file of empty lines).
  if (base.endsWith('.py')) return /^[^\S\r\n\u2028\u2029]*(workers|bind|worker_class|timeout|keepalive)\s*=/m.test(text) ? 'gunicorn' : null;
  // nginx syntax: `name args;` lines or `name {` blocks.
  if (/^[^\S\r\n\u2028\u2029]*[a-z_][a-z0-9_]*(\s[^\r\n]*)?[;{]\s*(#.*)?$/m.test(text)) return 'nginx';
  return null;
}

/** Files to check in `dir` when no path was given. */
export function discoverInputs(dir: string): Input[] {
  const out: Input[] = [];
  const add = (p: string, kind: InputKind): void => {
    try {
      if (fs.statSync(p).isFile()) out.push({ path: p, kind });
    } catch {
      /* not there */
    }
  };
  const list = (d: string): string[] => {
    try {
      return fs.readdirSync(d).sort();
    } catch {
      return [];
    }
  };
  // A full nginx.conf includes conf.d/sites-enabled itself; only lint those alone when it's absent.
  const mainConf = ['nginx.conf', 'nginx/nginx.conf', 'etc/nginx/nginx.conf'].map((n) => path.join(dir, n)).find((p) => fs.existsSync(p));
  if (mainConf) add(mainConf, 'nginx');
  else {
    for (const sub of ['conf.d', 'sites-enabled', 'nginx/conf.d', 'nginx/sites-enabled']) {
      for (const n of list(path.join(dir, sub))) if (!n.startsWith('.')) add(path.join(dir, sub, n), 'nginx');
    }
  }
  for (const n of list(dir)) {
    const p = path.join(dir, n);
    if (/^gunicorn.*\.py$|\.service$|\.socket$|^Procfile$|^Dockerfile$|^(docker-)?compose\.ya?ml$|^supervisord\.conf$/.test(n)) add(p, 'gunicorn');
    else if (n.endsWith('.sh') && mentionsGunicorn(p)) add(p, 'gunicorn');
  }
  for (const sub of ['supervisor/conf.d', 'supervisord.d']) {
    for (const n of list(path.join(dir, sub))) if (n.endsWith('.conf') || n.endsWith('.ini')) add(path.join(dir, sub, n), 'gunicorn');
  }
  return out;
}

/** A shell script counts as a gunicorn source when it runs gunicorn (read only its first 64 KiB). */
function mentionsGunicorn(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(65536);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return /\bgunicorn\b/.test(buf.toString('latin1', 0, n));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

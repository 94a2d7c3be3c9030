// Which kind of gunicorn source a file is, by name first and content second.

import type { SourceKind } from './sources.js';
import { isGunicornProgram } from './launch.js';

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

/** A line that runs gunicorn (`gunicorn …`, `python -m gunicorn`, `…/bin/gunicorn`, `uv run gunicorn`). */
const GUNICORN_COMMAND = /(^|[\s"'[,;&|(=])((?:[\w./-]*\/)?gunicorn[0-9.]*|-m\s+gunicorn)(?=[\s"',\]]|$)/m;

const SETTING_LIKE = /^(bind|workers|worker_class|threads|timeout|keepalive|graceful_timeout|max_requests|max_requests_jitter|worker_connections|preload_app|accesslog|errorlog|loglevel|wsgi_app|forwarded_allow_ips|daemon|reload|pidfile|backlog|proc_name|raw_env|secure_scheme_headers|worker_tmp_dir|umask|user|group|chdir|limit_request_line|access_log_format)\s*[:=]/m;
const HOOK_LIKE = /^def\s+(on_starting|on_reload|when_ready|pre_fork|post_fork|post_worker_init|worker_int|worker_abort|pre_exec|pre_request|post_request|child_exit|worker_exit|nworkers_changed|on_exit)\s*\(/m;

/** Python statements: an import, or a setting assigned a literal, a call or an `os.` expression. */
const PYTHON_LIKE = /^(?:import\s+\w|from\s+[\w.]+\s+import\b)|^[a-z_]+\s*=\s*(?:["'\d[({]|os\.|int\(|True\b|False\b|None\b|multiprocessing\.)/m;

export function mentionsGunicornCommand(text: string): boolean {
  return text.includes('gunicorn') && GUNICORN_COMMAND.test(text);
}

// The cheap substring tests in front of the regexes are exact (each regex needs that literal) and
// keep a 10 MB generated nginx.conf from being scanned line by line a dozen times.
const hookLike = (text: string): boolean => text.includes('def') && HOOK_LIKE.test(text);

// Line-start patterns below allow leading blanks but not line breaks: `^\s*` with the m flag
// rescans every following blank line from each line start (quadratic on a file of empty lines).
export function detectSourceKind(path: string, text: string): SourceKind | null {
  const name = basename(path);
  const lower = name.toLowerCase();
  if (lower.endsWith('.socket')) return 'socket';
  if (lower.endsWith('.service')) return 'systemd';
  if (/^procfile(\..+)?$/i.test(name)) return 'procfile';
  if (/^dockerfile/i.test(name) || /\.dockerfile$/i.test(name) || /^containerfile/i.test(name)) return 'dockerfile';
  if (/^(docker-)?compose[\w.-]*\.ya?ml$/i.test(name)) return 'compose';
  if (/^supervisord?[\w.-]*\.conf$/i.test(name) || (/\.(conf|ini)$/i.test(name) && text.includes('[program:') && /^[^\S\r\n\u2028\u2029]*\[program:[^\]]+\]/m.test(text))) return 'supervisord';
  if (/gunicorn[\w.-]*\.(conf\.)?py$/i.test(name) || lower === 'gunicorn.conf.py') return 'conf.py';
  if (lower.endsWith('.py')) return SETTING_LIKE.test(text) || hookLike(text) ? 'conf.py' : null;
  // `gunicorn -c gunicorn.ini`: a Python config whatever its extension (gunicorn execs it).
  if (!lower.endsWith('.sh') && !/^#!/.test(text) && (SETTING_LIKE.test(text) || hookLike(text)) && PYTHON_LIKE.test(text)) return 'conf.py';
  if (lower.endsWith('.sh') || /^#!.*\b(ba|da|k|z)?sh\b/.test(text)) return 'shell';
  if (text.includes('[Service]') && /^[^\S\r\n\u2028\u2029]*\[Service\]/m.test(text) && /^[^\S\r\n\u2028\u2029]*ExecStart\s*=/m.test(text)) return 'systemd';
  if (text.includes('[Socket]') && /^[^\S\r\n\u2028\u2029]*\[Socket\]/m.test(text) && /^[^\S\r\n\u2028\u2029]*ListenStream\s*=/m.test(text)) return 'socket';
  if ((text.includes('CMD') || text.includes('ENTRYPOINT')) && /^[^\S\r\n\u2028\u2029]*(CMD|ENTRYPOINT)\b/m.test(text) && /^[^\S\r\n\u2028\u2029]*(FROM)\s+\S+/im.test(text)) return 'dockerfile';
  if (/^services:\s*$/m.test(text) && /\.ya?ml$/i.test(name)) return 'compose';
  if (/\.(ya?ml|json|toml|md|rst|html)$/i.test(name)) return null;
  return mentionsGunicornCommand(text) ? 'text' : null;
}

export { isGunicornProgram };

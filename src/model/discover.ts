// Which files to check: the paths given (kind detected by name and content), or, with none, the
// configurations found in the current directory's tree, by name and by content.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isKnownDirective } from '../nginx/directives.js';
import { detectSourceKind, mentionsGunicornCommand } from '../gunicorn/detect.js';

export type InputKind = 'nginx' | 'gunicorn';

export interface Input {
  path: string;
  /** Content for stdin or already-read files (latin1). */
  text?: string;
  kind: InputKind;
}

/** A file looked at and left out, with the reason (shown as a note). */
export interface Skipped {
  path: string;
  reason: string;
}

/** What a file is: a configuration to check, a file to leave out with a note, or nothing of interest. */
export type Classification = { kind: InputKind } | { skip: string } | null;

const NGINX_NAME = /(\.conf|\.nginx|\.vhost|\.conf\.template|\.nginx\.template)$/i;
const NGINX_FOLDER = /^(nginx|conf\.d|sites-available|sites-enabled|snippets|vhosts?\.d|includes?|nginx-conf)$/i;
const NOT_CONFIG = /\.(md|rst|txt|html?|json|ya?ml|toml|lock|js|mjs|ts|css|png|jpe?g|gif|svg|ico|pem|crt|key|gz|zip|tar|pyc|j2|erb)$/i;
const SHELL_NAME = /(\.sh|\.bash)$/i;
const LAUNCHER_NAME = /^(run|start|entrypoint[\w.-]*|docker-entrypoint[\w.-]*|start-[\w.-]+|run-[\w.-]+)$/i;

/** Lines of `KEY=VALUE` only (an env file: systemd EnvironmentFile, docker env_file). */
function looksLikeEnvFile(text: string): boolean {
  let assignments = 0;
  for (const line of text.split(/\r?\n/, 400)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (!/^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=/.test(t)) return false;
    assignments++;
  }
  return assignments > 0;
}

/** Shell by its shebang or its control words (`if …; then`, `fi`, `esac`, `$(…)`). */
export function looksLikeShell(text: string): boolean {
  if (/^#!\s*\S*\b(ba|da|k|z|a)?sh\b/.test(text) || /^#!\s*\/usr\/bin\/env\s+(ba|da|k|z)?sh\b/.test(text)) return true;
  const head = text.slice(0, 65536);
  let words = 0;
  if (/^[^\S\r\n]*(if|elif)\s.*;\s*then\s*$/m.test(head)) words++;
  if (/^[^\S\r\n]*(fi|esac|done)\s*$/m.test(head)) words++;
  if (/\$\([^)]*\)/.test(head) && !/^[^\S\r\n]*(server|location|http)\b[^\n]*\{/m.test(head)) words++;
  if (/^[^\S\r\n]*(export|set -e|cd|exec)\s/m.test(head)) words++;
  return words >= 2;
}

/**
 * Whether text reads as nginx: most of its statements are known directives, and it has a block
 * nginx knows or a few directives. Shell scripts ending lines in `;` (`cd`, `then`, `fi`) fail it.
 */
export function looksLikeNginx(text: string): boolean {
  const head = text.length > 262144 ? text.slice(0, 262144) : text;
  let known = 0;
  let total = 0;
  let blocks = 0;
  // A statement: a name at the start of a line, then arguments up to `;` or `{` (`events {}` too).
  const STATEMENT = /^[^\S\r\n]*([A-Za-z_][\w.-]*)(?:[^\S\r\n]+[^;{\r\n]*)?([;{])/gm;
  for (let m = STATEMENT.exec(head); m; m = STATEMENT.exec(head)) {
    total++;
    const name = m[1]!;
    if (isKnownDirective(name) || /^(more_set_headers|more_clear_headers|lua_|content_by_lua|access_by_lua|set_by_lua)/.test(name)) {
      known++;
      if (m[2] === '{') blocks++;
    }
    if (total >= 400) break;
  }
  if (total === 0) return false;
  return known / total >= 0.7 && (blocks > 0 || known >= 2 || known === total);
}

/**
 * What a file is, from its name and content. `explicit`: the user named it, so a `.conf` (or any
 * file not recognisably something else) is nginx, and nginx's own errors say what is wrong with it.
 */
export function classifyFile(file: string, text: string, explicit: boolean): Classification {
  const base = path.basename(file);
  const folder = path.basename(path.dirname(file));
  if (/^SOURCE$|^LICEN[CS]E|^NOTICE|^README/i.test(base)) return explicit ? { skip: 'not a configuration' } : null;
  const shell = SHELL_NAME.test(base) || (!NGINX_NAME.test(base) && looksLikeShell(text));
  if (shell) {
    if (mentionsGunicornCommand(text)) return { kind: 'gunicorn' };
    return SHELL_NAME.test(base) || LAUNCHER_NAME.test(base) || explicit ? { skip: 'a shell script that does not start gunicorn' } : null;
  }
  // A gunicorn config under another extension (`gunicorn.conf`, `gunicorn.ini` holding Python).
  if (/^gunicorn[\w.-]*\.(conf|ini|cfg)$/i.test(base) && /^[^\S\r\n]*[a-z_]+\s*=\s*\S/m.test(text) && !looksLikeEnvFile(text) && !looksLikeNginx(text)) {
    return { kind: 'gunicorn' };
  }
  const compose = /^(docker-)?compose[\w.-]*\.ya?ml$/i.test(base);
  if (!explicit && !compose && NOT_CONFIG.test(base) && !/\.conf\.template$/i.test(base)) return null;
  // Discovery takes Python files by name only: `timeout = 30` is common in other Python modules.
  if (!explicit && /\.py$/i.test(base) && !/gunicorn/i.test(base)) return null;
  const source = detectSourceKind(file, text);
  if (source && source !== 'shell' && source !== 'text') return { kind: 'gunicorn' };
  if (source === 'text' && !looksLikeNginx(text) && (explicit || !/\.[a-z0-9]+$/i.test(base) || /\.(conf|ini|cfg)$/i.test(base))) return { kind: 'gunicorn' };
  if (looksLikeEnvFile(text) && !NGINX_NAME.test(base.replace(/\.conf$/i, ''))) {
    return explicit ? { skip: 'an environment file (KEY=VALUE lines), read only where a unit or compose file names it' } : null;
  }
  if (NGINX_NAME.test(base)) {
    if (explicit || looksLikeNginx(text)) return { kind: 'nginx' };
    return /\.conf$/i.test(base) ? { skip: 'a .conf file that reads as neither nginx nor gunicorn' } : null;
  }
  if (explicit) {
    if (/\.py$/i.test(base)) return { skip: 'a Python file without gunicorn settings (use --gunicorn to read it as a gunicorn config)' };
    if (NOT_CONFIG.test(base)) return { skip: 'not an nginx or gunicorn configuration (use --nginx or --gunicorn to say which)' };
    return { kind: 'nginx' };
  }
  if (NOT_CONFIG.test(base) || /\.py$/i.test(base)) return null;
  // Site files without an extension (`sites-available/app`, `nginx/gitlab-ssl`, Zulip's `app`).
  if (looksLikeNginx(text)) return { kind: 'nginx' };
  if (NGINX_FOLDER.test(folder) && /[;{]\s*$/m.test(text)) return { skip: 'in an nginx folder but does not read as nginx' };
  return null;
}

/** Guess what a file is from its name and a look at its content (explicitly named files). */
export function detectKind(file: string, text: string): InputKind | null {
  const c = classifyFile(file, text, true);
  return c && 'kind' in c ? c.kind : null;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', 'site-packages', '.tox', '.mypy_cache', 'dist', 'coverage']);
const MAX_DEPTH = 6;
const MAX_FILES = 20_000;
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * Configurations in `dir`'s tree (sorted: `nginx.conf` files first, then shallower paths), and
 * the files looked at and left out. A file that is neither nginx nor gunicorn never fails the run.
 */
export function discoverInputs(dir: string): Input[] {
  return discover(dir).inputs;
}

export function discover(dir: string): { inputs: Input[]; skipped: Skipped[] } {
  const inputs: Input[] = [];
  const skipped: Skipped[] = [];
  let seen = 0;
  const walkDir = (d: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++seen > MAX_FILES) return;
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walkDir(p, depth + 1);
        continue;
      }
      if (!e.isFile() || e.name.startsWith('.') && !/^\.env/.test(e.name)) continue;
      if (/^\.env/.test(e.name)) continue; // read where compose names it, not as a source of its own
      let text: string;
      try {
        const st = fs.statSync(p);
        if (st.size > MAX_BYTES) continue;
        text = fs.readFileSync(p).toString('latin1');
      } catch {
        continue;
      }
      if (text.includes('\0')) continue;
      const c = classifyFile(p, text, false);
      if (!c) continue;
      if ('skip' in c) skipped.push({ path: p, reason: c.skip });
      else inputs.push({ path: p, kind: c.kind });
    }
  };
  walkDir(dir, 0);
  const rank = (p: string): number => (path.basename(p) === 'nginx.conf' ? 0 : 1);
  inputs.sort((a, b) => rank(a.path) - rank(b.path) || depthOf(a.path) - depthOf(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { inputs, skipped };
}

function depthOf(p: string): number {
  return p.split(path.sep).length;
}

/** Whether a file runs gunicorn (reads only its first 64 KiB). */
export function fileMentionsGunicorn(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(65536);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return mentionsGunicornCommand(buf.toString('latin1', 0, n));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

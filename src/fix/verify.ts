// Verifies fixed nginx configurations with the real `nginx -t` before anything is written.
//
// The configuration is copied into a private temp dir (files at <tmp>/root/<absolute path>) and
// only what isolation needs is rewritten, in place so line numbers stay the same: includes point
// at the copies, pid/error_log/access_log/lock_file/*_temp_path go into the temp dir (nginx -t
// opens logs and creates temp dirs: it must not touch system paths), `user` is blanked when not
// root, relative certificate and module paths are made absolute. A fragment (an http/server/…
// level file) is wrapped in a minimal main config. The original is checked the same way, so a
// failure nginx -t reports on both (a missing certificate, an unknown upstream host, an absent
// module) does not block a fix: only a failure the fix introduces does.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Directive, NginxConfig } from '../nginx/tree.js';
import { lineOf, walk } from '../nginx/tree.js';
import { diskFileSystem, loadConfig, memoryFileSystem } from '../nginx/load.js';
import { nginxBinaryInfo, type NginxBinaryInfo } from '../nginx/binary.js';
import { copyPath, isolationEdits, prepareIsolationDir, tempPathDirectives, writeCopies, type Isolation } from '../sandbox/isolate.js';
import { atLeast } from '../util/version.js';
import { quoteIfNeeded } from '../edit/edits.js';

/** What verification needs from `nginx -V`. */
export type NginxInfo = Pick<NginxBinaryInfo, 'version' | 'prefix' | 'without'>;

/** `nginx -V`, or null when nginx is not on PATH. */
export const nginxInfo: (binary?: string) => NginxInfo | null = nginxBinaryInfo;

export interface NginxTestResult {
  ok: boolean;
  /** nginx's error lines, temp paths mapped back to the original paths. */
  messages: string[];
  /** Where each message points (original absolute path and line), when it says. */
  places: Array<{ file: string; line: number } | null>;
  /** Certificate files that could not be read here and were replaced by the placeholder. */
  placeholders: string[];
}

/** A directive to blank in the copy (by file and line): steps past a failure already known. */
export interface Place {
  file: string;
  line: number;
}

/** The isolation edits of the copy; verification's choices are noted on each option. */
function rewritesFor(config: NginxConfig, tmp: string, root: string, info: NginxInfo, skip: readonly Place[]): Isolation {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isolationEdits(config, {
    dir: tmp,
    root,
    info,
    // nginx -t only opens the logs: they go to stderr, where its messages are read.
    errorLog: 'stderr',
    accessLog: 'literal',
    keepUser: () => isRoot,
    certificates: 'pair',
    blank: (d) => !d.block && skip.some((p) => at(d, p)),
  });
}

/** The wrapper making a fragment a full configuration, by the fragment's top-level context. */
function wrapperFor(config: NginxConfig, copy: string, tmp: string, info: NginxInfo): string | null {
  const inc = `include ${quoteIfNeeded(copy)};`;
  const temps = tempPathDirectives(info).map((n) => `${n} ${path.join(tmp, 'temp', n)};`).join(' ');
  switch (config.rootContext) {
    case 'http': return `events {}\nhttp { ${temps} ${inc} }\n`;
    case 'server': return `events {}\nhttp { ${temps} server { ${inc} } }\n`;
    case 'location': return `events {}\nhttp { ${temps} server { location / { ${inc} } } }\n`;
    case 'upstream': return `events {}\nhttp { ${temps} upstream conftune_verify { ${inc} } }\n`;
    case 'events': return `events { ${inc} }\n`;
    case 'stream': return `events {}\nstream { ${inc} }\n`;
    default: return null;
  }
}

/** Runs nginx -t on a private copy of `config` (texts as given). */
export function nginxTest(config: NginxConfig, info: NginxInfo, cwd: string, binary = 'nginx', skip: readonly Place[] = []): NginxTestResult {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-verify-'));
  try {
    const root = path.join(tmp, 'root');
    prepareIsolationDir(tmp);
    const plan = rewritesFor(config, tmp, root, info, skip);
    writeCopies(config, root, plan.edits);
    let main = copyPath(root, config.main.path);
    if (config.rootContext !== 'main') {
      const wrapper = wrapperFor(config, main, tmp, info);
      if (wrapper === null) return { ok: true, messages: [], places: [], placeholders: [] };
      main = path.join(tmp, 'wrapper.conf');
      fs.writeFileSync(main, wrapper);
    }
    const globals = [plan.hasPid ? '' : `pid ${path.join(tmp, 'nginx.pid')};`, plan.hasErrorLog ? '' : 'error_log stderr;'].filter(Boolean).join(' ');
    const args = ['-t', '-q', '-p', tmp + path.sep];
    // -e (1.19.5+) keeps nginx from opening its compiled-in error log before reading the config.
    if (atLeast(info.version, '1.19.5')) args.push('-e', 'stderr');
    args.push('-c', main);
    if (globals) args.push('-g', globals);
    const r = spawnSync(binary, args, { encoding: 'latin1', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const placeholders = plan.placeholders;
    if (r.error) return { ok: false, messages: [`could not run nginx -t: ${r.error.message}`], places: [null], placeholders };
    if (r.status === 0) return { ok: true, messages: [], places: [], placeholders };
    const lines = out.split('\n').filter((l) => /\[(emerg|alert|crit|error)\]/.test(l));
    if (lines.length === 0) return { ok: false, messages: [out.trim() || `nginx -t exited with status ${r.status}`], places: [null], placeholders };
    const places = lines.map((l) => {
      const m = / in (\S+):(\d+)$/.exec(l.split(root).join(''));
      return m && !m[1]!.startsWith(tmp) ? { file: m[1]!, line: Number(m[2]) } : null;
    });
    const messages = lines.map((l) => mapPaths(l, root, tmp, cwd).replace(/^nginx: /, '').replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: /, '$1 '));
    return { ok: false, messages, places, placeholders };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Temp-copy paths in nginx's output → the original paths, relative to cwd. */
function mapPaths(line: string, root: string, tmp: string, cwd: string): string {
  const rel = (abs: string): string => {
    const r = path.relative(cwd, abs);
    return r && !r.startsWith('..') ? r : abs;
  };
  // Copies live at <root>/<absolute original path>: dropping the root leaves the original.
  const out = line.split(root).join('').split(path.join(tmp, 'wrapper.conf')).join('<wrapper>').split(tmp).join('<temp>');
  return out.replace(/(\/[^\s:"]+)(?=:\d+)/g, (p) => rel(p));
}

/** A message without where it happened (lines move when a fix inserts text). */
function normalise(message: string): string {
  return message.replace(/ in \S+:\d+$/, '').replace(/^\[\w+\] /, '').trim();
}

export interface VerifyOutcome {
  /** Why nothing may be written (nginx rejects what the fix produced). */
  errors: string[];
  /** Things the user should know (nginx absent, failures that were there before). */
  notes: string[];
}

/**
 * Verifies every nginx configuration touched by the fix: `originals` are the configs as read,
 * `fixed` the new text of each changed file. A config that fails only the way its original
 * already fails is let through, with a note.
 */
export function verifyNginx(originals: NginxConfig[], fixed: Map<string, string>, cwd: string, binary = 'nginx'): VerifyOutcome {
  const errors: string[] = [];
  const notes: string[] = [];
  const touched = originals.filter((c) => [...c.files.keys()].some((f) => fixed.has(f)));
  if (touched.length === 0) return { errors, notes };
  const info = nginxInfo(binary);
  if (!info) {
    notes.push('nginx is not on PATH: the fixed configuration was not verified with nginx -t');
    return { errors, notes };
  }
  for (const original of touched) {
    const texts = new Map<string, string>();
    for (const [p, f] of original.files) texts.set(p, f.text);
    const after = new Map([...texts, ...[...fixed].filter(([p]) => texts.has(p))]);
    // Re-read through memory so includes resolve exactly as before, also for stdin and dumps.
    const fixedConfig = loadConfig(original.main.path, { fs: memoryFileSystem(after, diskFileSystem) });
    const where = displayPath(original.main.path, cwd);
    const r = compareBeforeAfter(original, fixedConfig, info, cwd, binary);
    if (r.placeholders.length > 0) {
      notes.push(`nginx -t ran with a placeholder for certificate files not readable here: ${r.placeholders.map((p) => displayPath(p, cwd)).join(', ')}`);
    }
    if (r.newFailure) errors.push(`nginx -t rejects ${where} after fixing: ${r.newFailure}; nothing was written`);
    else if (r.known.length > 0) {
      notes.push(`nginx -t fails on ${where} before and after the fix (${r.known.join('; ')}); the fix adds no new failure${r.complete ? '' : ' (the rest of the file could not be checked past it)'}`);
    }
  }
  return { errors, notes };
}

function displayPath(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') ? r : file;
}

/** How many known failures verification steps past (each costs two nginx -t runs). */
const MAX_KNOWN_FAILURES = 6;

/**
 * nginx -t stops at its first error, so a failure the original already has (a missing
 * certificate) would hide one the fix adds further down. When both fail the same way on a simple
 * directive, that directive is blanked in both copies and both are tested again.
 */
function compareBeforeAfter(original: NginxConfig, fixed: NginxConfig, info: NginxInfo, cwd: string, binary: string): { newFailure?: string; known: string[]; complete: boolean; placeholders: string[] } {
  const skipAfter: Place[] = [];
  const skipBefore: Place[] = [];
  const known: string[] = [];
  let placeholders: string[] = [];
  for (let i = 0; i <= MAX_KNOWN_FAILURES; i++) {
    const test = nginxTest(fixed, info, cwd, binary, skipAfter);
    placeholders = test.placeholders;
    if (test.ok) return { known, complete: true, placeholders };
    const before = nginxTest(original, info, cwd, binary, skipBefore);
    const k = before.messages.findIndex((m) => normalise(m) === normalise(test.messages[0]!));
    if (before.ok || k === -1) return { newFailure: test.messages[0], known, complete: true, placeholders };
    known.push(test.messages[0]!);
    const a = test.places[0] ?? placeByPath(fixed, test.messages[0]!);
    const b = before.places[k] ?? placeByPath(original, before.messages[k]!);
    const blankable = (p: Place | null | undefined, c: NginxConfig): p is Place => !!p && hasSimpleDirectiveAt(c, p);
    if (!blankable(a, fixed) || !blankable(b, original)) return { known, complete: false, placeholders };
    skipAfter.push(a);
    skipBefore.push(b);
  }
  return { known, complete: false, placeholders };
}

/**
 * Some failures name no line (a certificate nginx cannot load is reported after parsing): find the
 * simple directive whose argument is the quoted path in the message.
 */
function placeByPath(config: NginxConfig, message: string): Place | null {
  const quoted = [...message.matchAll(/"(\/[^"]+)"/g)].map((m) => m[1]!);
  if (quoted.length === 0) return null;
  const prefix = path.dirname(config.main.path);
  let found: Place | null = null;
  walk(config.root, (d) => {
    if (found) return false;
    if (!d.block && d.args.some((a) => quoted.includes(path.resolve(prefix, a.value)))) found = { file: d.file.path, line: d.line };
    return undefined;
  });
  return found;
}

/** Whether nginx's `file:line` (the line of the `;`) falls on directive `d`. */
function at(d: Directive, p: Place): boolean {
  return d.file.path === p.file && d.line <= p.line && p.line <= lineOf(d.file, d.end);
}

function hasSimpleDirectiveAt(config: NginxConfig, p: Place): boolean {
  let found = false;
  walk(config.root, (d) => {
    if (!d.block && at(d, p)) found = true;
    return found ? false : undefined;
  });
  return found;
}

// Writes fixed files all-or-nothing: every file is checked first (still there, unchanged since it
// was read, writable), then every new content goes to a temp file in the target's directory
// (fsync'd, with the target's mode and owner), and only then are the temp files renamed over the
// targets. A symlink's target is written, never the link. A failure before the renames leaves
// every file as it was and no temp file behind.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface WriteRequest {
  /** Path as read (may be a symlink). */
  file: string;
  /** New content, latin1 (one char per byte). */
  text: string;
  /** Content as it was read: the file must still hold exactly this. */
  original: string;
}

export type WriteResult = { ok: true; written: string[] } | { ok: false; error: string };

interface Prepared {
  req: WriteRequest;
  target: string;
  stat: fs.Stats;
  temp?: string;
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EISDIR: 'is a directory',
    ENOTDIR: 'a path component is not a directory',
    EXDEV: 'cross-device rename',
  };
  return (err?.code && known[err.code]) || err?.message || String(e);
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Why `req` cannot be written, or its resolved target and current stat. */
function prepare(req: WriteRequest, display: (p: string) => string): Prepared | string {
  const name = display(req.file);
  const dir = path.dirname(req.file);
  if (!fs.existsSync(dir)) return `cannot write ${name}: directory ${display(dir)} does not exist`;
  let target: string;
  try {
    target = fs.realpathSync(req.file);
  } catch (e) {
    return `cannot write ${name}: ${errnoText(e)}`;
  }
  let stat: fs.Stats;
  let current: string;
  try {
    stat = fs.statSync(target);
    if (!stat.isFile()) return `cannot write ${name}: not a regular file`;
    current = fs.readFileSync(target).toString('latin1');
  } catch (e) {
    return `cannot write ${name}: ${errnoText(e)}`;
  }
  if (current !== req.original) return `${name} changed on disk since it was read; nothing was written (run conftune again)`;
  // root may write anything; a file nobody may write is still read-only by intent.
  if ((stat.mode & 0o222) === 0) return `cannot write ${name}: the file is read-only`;
  try {
    fs.accessSync(target, fs.constants.W_OK);
    fs.accessSync(path.dirname(target), fs.constants.W_OK);
  } catch (e) {
    return `cannot write ${name}: ${errnoText(e)}`;
  }
  return { req, target, stat };
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.conftune-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Whether a process id is running (a temp file named after a dead one is stale). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files a killed conftune left beside `target` (`.<name>.conftune-<pid>-<hex>.tmp`
 * whose pid no longer runs): a kill between writing the temp file and renaming it leaves the
 * original intact and that file behind; the next write cleans it up.
 */
function removeStaleTemps(target: string): void {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.conftune-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)-[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
    } catch {
      // Not ours to insist on: it stays, clearly named.
    }
  }
}

/** Writes `p.req.text` to a fresh temp file beside the target, synced, with the target's mode and owner. */
function writeTemp(p: Prepared): void {
  const temp = tempName(p.target);
  const fd = fs.openSync(temp, 'wx', 0o600);
  p.temp = temp;
  try {
    fs.writeSync(fd, Buffer.from(p.req.text, 'latin1'));
    fs.fchmodSync(fd, p.stat.mode & 0o7777);
    if (p.stat.uid !== (process.getuid?.() ?? p.stat.uid) || p.stat.gid !== (process.getgid?.() ?? p.stat.gid)) {
      try {
        fs.fchownSync(fd, p.stat.uid, p.stat.gid);
      } catch (e) {
        // Only root can give a file away; anyone else keeps the file's owner if it is theirs.
        if (isRoot()) throw e;
      }
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}

function removeTemps(list: Prepared[]): void {
  for (const p of list) {
    if (!p.temp) continue;
    try {
      fs.rmSync(p.temp, { force: true });
    } catch {
      // Best effort: a temp file we cannot remove is reported by nothing better than this.
    }
    p.temp = undefined;
  }
}

/** Writes every request or none. `display` turns paths into what messages show (relative to cwd). */
export function writeFilesAtomically(reqs: readonly WriteRequest[], display: (p: string) => string = (p) => p): WriteResult {
  const prepared: Prepared[] = [];
  for (const req of reqs) {
    const p = prepare(req, display);
    if (typeof p === 'string') return { ok: false, error: p };
    prepared.push(p);
  }
  for (const p of prepared) removeStaleTemps(p.target);
  for (const p of prepared) {
    try {
      writeTemp(p);
      // Test hook (reliability tests): die between writing the temp file and the rename.
      if (process.env.CONFTUNE_TEST_KILL_AFTER_TEMP === '1') process.kill(process.pid, 'SIGKILL');
    } catch (e) {
      removeTemps(prepared);
      return { ok: false, error: `cannot write ${display(p.req.file)}: ${errnoText(e)}; nothing was written` };
    }
  }
  // Last look before the renames: a file touched while the temps were written is not overwritten.
  for (const p of prepared) {
    let now: fs.Stats | undefined;
    try {
      now = fs.statSync(p.target);
    } catch {
      now = undefined;
    }
    if (!now || now.size !== p.stat.size || now.mtimeMs !== p.stat.mtimeMs || now.ino !== p.stat.ino) {
      removeTemps(prepared);
      return { ok: false, error: `${display(p.req.file)} changed on disk while fixing; nothing was written (run conftune again)` };
    }
  }
  const written: string[] = [];
  for (const p of prepared) {
    try {
      fs.renameSync(p.temp!, p.target);
      p.temp = undefined;
      written.push(p.req.file);
    } catch (e) {
      removeTemps(prepared);
      const done = written.length > 0 ? ` (already written: ${written.map(display).join(', ')})` : '; nothing was written';
      return { ok: false, error: `cannot replace ${display(p.req.file)}: ${errnoText(e)}${done}` };
    }
  }
  for (const dir of new Set(prepared.map((p) => path.dirname(p.target)))) syncDir(dir);
  return { ok: true, written };
}

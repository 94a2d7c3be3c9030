// `--fix` under failure: a full disk, a kill between the temp write and the rename. The original
// is always intact or fully replaced, never partial; temp files do not accumulate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFilesAtomically } from '../../src/fix/write.js';
import { CLI, conftune, tempDir } from '../helpers/cli.js';

const dirs: string[] = [];
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const CONF = 'events {}\nhttp {\n    server_tokens on;\n    upstream app {\n        server 127.0.0.1:8000;\n    }\n    server {\n        listen 8080;\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n';
const FIX = ['check', '--no-config', '--nginx-version', '1.24.0', '--cpus', '4', '--no-verify', '--fix', '--select', 'nginx/upstream-keepalive-missing,nginx/version-disclosure'];

const temps = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes('.conftune-'));

/** A 64 KiB tmpfs (root only); null where mounting is not allowed. */
function smallTmpfs(): string | null {
  const dir = tempDir('conftune-tmpfs-');
  dirs.push(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  if (r.status !== 0) return null;
  mounts.push(dir);
  return dir;
}

describe('writes under failure', () => {
  it('leaves the original intact and no temp file when the disk is full', () => {
    const dir = smallTmpfs();
    if (!dir) {
      if (process.env.CI && process.getuid?.() === 0) throw new Error('could not mount a tmpfs as root');
      return; // not root: the injected-error test below covers the same path
    }
    // A config that fits, then a filler that leaves less room than the fixed file needs.
    const conf = CONF + '#'.repeat(20_000) + '\n';
    fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
    try {
      fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(64 * 1024));
    } catch {
      // ENOSPC: the disk is now full, as wanted
    }
    const r = conftune(FIX.concat('nginx.conf'), { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no space left on device; nothing was written/);
    expect(fs.readFileSync(path.join(dir, 'nginx.conf'), 'latin1')).toBe(conf);
    expect(temps(dir)).toEqual([]);
  });

  it('writes none of several files, and leaves no temp file, when one of them cannot be written', () => {
    const dir = tempDir('conftune-write-');
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'a.conf'), 'a;\n');
    fs.mkdirSync(path.join(dir, 'ro'));
    fs.writeFileSync(path.join(dir, 'ro', 'b.conf'), 'b;\n');
    // The last request names a directory: the batch is refused before any rename.
    const res = writeFilesAtomically([
      { file: path.join(dir, 'a.conf'), text: 'a2;\n', original: 'a;\n' },
      { file: path.join(dir, 'ro', 'b.conf'), text: 'b2;\n', original: 'b;\n' },
      { file: path.join(dir, 'ro'), text: 'x', original: '' },
    ]);
    expect(res.ok).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'a.conf'), 'latin1')).toBe('a;\n');
    expect(fs.readFileSync(path.join(dir, 'ro', 'b.conf'), 'latin1')).toBe('b;\n');
    expect(temps(dir).concat(temps(path.join(dir, 'ro')))).toEqual([]);
  });

  it('keeps the original intact when killed between the temp write and the rename, and the next run removes the stale temp', () => {
    const dir = tempDir('conftune-kill-');
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), CONF);
    const killed = spawnSync(process.execPath, [CLI, ...FIX, 'nginx.conf'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CONFTUNE_TEST_KILL_AFTER_TEMP: '1' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(fs.readFileSync(path.join(dir, 'nginx.conf'), 'latin1')).toBe(CONF);
    // The leftover is clearly named after the file, conftune and the dead process.
    const left = temps(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^\\.nginx\\.conf\\.conftune-${killed.pid}-[0-9a-f]{8}\\.tmp$`));
    expect(fs.readFileSync(path.join(dir, left[0]!), 'latin1')).not.toBe(CONF);

    const again = conftune(FIX.concat('nginx.conf'), { cwd: dir });
    expect(again.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'nginx.conf'), 'latin1')).toMatch(/keepalive \d+;/);
    expect(temps(dir)).toEqual([]);
  });

  it('does not remove a temp file of a conftune that is still running', () => {
    const dir = tempDir('conftune-live-');
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), CONF);
    // pid 1 is always alive: its temp file is not ours to remove.
    const live = `.nginx.conf.conftune-1-0123abcd.tmp`;
    fs.writeFileSync(path.join(dir, live), 'partial');
    expect(conftune(FIX.concat('nginx.conf'), { cwd: dir }).code).toBe(0);
    expect(temps(dir)).toEqual([live]);
  });

  it('replaces the file completely (new inode, old content never mixed in)', () => {
    const dir = tempDir('conftune-full-');
    dirs.push(dir);
    const file = path.join(dir, 'nginx.conf');
    fs.writeFileSync(file, CONF);
    const before = fs.statSync(file).ino;
    expect(conftune(FIX.concat('nginx.conf'), { cwd: dir }).code).toBe(0);
    const after = fs.readFileSync(file, 'latin1');
    expect(fs.statSync(file).ino).not.toBe(before);
    expect(after).toMatch(/server_tokens off;/);
    expect(execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', file, '-g', `pid ${dir}/nginx.pid; error_log stderr;`], { encoding: 'utf8' })).toBe('');
  });
});

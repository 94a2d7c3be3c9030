// Runs the built CLI (npm test builds dist/ first) and captures what a user would see.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'bundle', 'main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function conftune(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): CliRun {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    input: opts.input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'conftune-test-'): string {
  return fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), prefix));
}

/** A temporary folder holding `files` (relative path → content), sub-folders made as needed. */
export function tempTree(files: Record<string, string>, prefix = 'conftune-tree-'): string {
  const dir = tempDir(prefix);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

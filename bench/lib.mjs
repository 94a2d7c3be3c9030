// Shared benchmark helpers: generated configs, nginx -t timing, medians. Never part of `npm test`.
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const CLI = path.join(REPO, 'dist/bundle/main.js');
export const GEN = process.env.CONFTUNE_GEN_BIG ?? path.resolve(REPO, '../shared/tools/gen-big-config.py');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(xs) {
  const m = median(xs);
  return m === 0 ? 0 : (Math.max(...xs) - Math.min(...xs)) / m;
}

/** Generates the N-server configs; returns { dir, big, includes }. */
export function generate(n, base = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-bench-'))) {
  const dir = path.join(base, `n${n}`);
  if (!fs.existsSync(GEN)) throw new Error(`generator not found: ${GEN} (set CONFTUNE_GEN_BIG)`);
  execFileSync('python3', [GEN, dir, String(n)], { stdio: 'ignore' });
  return { dir, big: path.join(dir, 'big', 'nginx.conf'), includes: path.join(dir, 'includes', 'nginx.conf') };
}

/** Wall seconds of one `nginx -t` on a config, in a private prefix. */
export function timeNginxT(conf) {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-nginx-t-'));
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('nginx', ['-t', '-q', '-p', prefix, '-c', conf, '-g', `pid ${prefix}/nginx.pid; error_log stderr;`], { encoding: 'utf8' });
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`nginx -t failed on ${conf}: ${r.stderr}`);
    return dt;
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
}

/** Wall seconds and peak RSS (KiB, from GNU time if present, else /proc) of a command. */
export function timeCommand(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds: dt, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function fmt(x, digits = 2) {
  return Number(x).toFixed(digits);
}

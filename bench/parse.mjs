// Parse throughput: conftune's loadConfig next to `nginx -t` on the same generated configs
// (a single ~17 MB file, and the same content spread over ~5,000 included files).
// Run with `npm run bench:parse` (builds dist/ first). Never part of `npm test`.
//
// Rounds are interleaved (conftune, nginx -t, conftune, …) and the ratio is the median of the
// per-round ratios, so that noise on a shared machine hits both sides alike.
//
// Env: CONFTUNE_SHARED (default ../shared), BENCH_SERVERS (default 5000), BENCH_RUNS (default 9).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// Each timed run starts from a collected heap (as a CLI run would): re-run with --expose-gc.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.CONFTUNE_SHARED ?? path.resolve(repo, '../shared');
const servers = Number(process.env.BENCH_SERVERS ?? 5000);
const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 9));

const { loadConfig } = await import(path.join(repo, 'dist/src/nginx/load.js')).catch(() => {
  console.error('dist/ is missing: run `npm run build` (or `npx tsc -p tsconfig.json --noCheck --outDir dist`) first');
  process.exit(2);
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function generate(dir) {
  const tool = path.join(shared, 'tools/gen-big-config.py');
  const r = spawnSync('python3', [tool, dir, String(servers)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen-big-config.py failed: ${r.stderr || r.error}`);
}

/** One timed loadConfig run from a collected heap (as a CLI run would start). */
function conftuneRun(file) {
  globalThis.gc();
  const t = process.hrtime.bigint();
  const cfg = loadConfig(file);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  let bytes = 0;
  for (const f of cfg.files.values()) bytes += f.text.length;
  return { ms, bytes, files: cfg.files.size, diagnostics: cfg.diagnostics.length };
}

/** One timed `nginx -t` run (a fresh prefix each time), or null when nginx is not installed. */
function nginxRun(file, work) {
  const prefix = fs.mkdtempSync(path.join(work, 'nginx-'));
  const t = process.hrtime.bigint();
  const r = spawnSync('nginx', ['-t', '-p', prefix, '-c', file, '-g', `pid ${prefix}/nginx.pid; error_log stderr;`], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.error) return null;
  if (r.status !== 0) throw new Error(`nginx -t rejected ${file}: ${r.stderr}`);
  return ms;
}

/**
 * Interleaved rounds (conftune, then nginx -t) so that machine noise hits both sides alike;
 * medians of each side and the median of the per-round ratios.
 */
function measure(file, work) {
  conftuneRun(file); // warm-up: JIT and file cache
  conftuneRun(file);
  const ours = [];
  const theirs = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = conftuneRun(file);
    ours.push(last.ms);
    const n = nginxRun(file, work);
    if (n !== null) theirs.push(n);
  }
  const ratios = theirs.length === ours.length ? ours.map((ms, i) => theirs[i] / ms) : [];
  return { ...last, ms: median(ours), nginxMs: theirs.length > 0 ? median(theirs) : null, ratio: ratios.length > 0 ? median(ratios) : null };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-bench-parse-'));
try {
  generate(work);
  // The generator just wrote ~26 MB: let writeback finish before anything is timed.
  spawnSync('sync');
  console.log(
    `parse benchmark: ${servers} servers, ${runs} interleaved rounds of conftune and nginx -t, medians (node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})`,
  );
  const rows = [];
  for (const [label, file] of [
    ['single file', path.join(work, 'big/nginx.conf')],
    ['include tree', path.join(work, 'includes/nginx.conf')],
  ]) {
    const ours = measure(file, work);
    const theirs = ours.nginxMs;
    const mbps = ours.bytes / 1e6 / (ours.ms / 1000);
    rows.push({
      config: label,
      files: ours.files,
      MB: +(ours.bytes / 1e6).toFixed(1),
      'conftune ms': +ours.ms.toFixed(0),
      'conftune MB/s': +mbps.toFixed(0),
      'nginx -t ms': theirs === null ? 'n/a' : +theirs.toFixed(0),
      'ratio (nginx/conftune)': ours.ratio === null ? 'n/a' : +ours.ratio.toFixed(2),
      diagnostics: ours.diagnostics,
    });
  }
  console.table(rows);
  for (const r of rows) {
    if (typeof r['ratio (nginx/conftune)'] === 'number') {
      console.log(`${r.config}: ${r['ratio (nginx/conftune)'] >= 5 ? 'meets' : 'misses'} the target (parse at least 5x faster than nginx -t)`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

/**
 * `conftune tune [paths…]`: measures the probe-verifiable fixes in a loopback sandbox and proposes
 * the configuration that measured best. The tuner (sandbox, probe, diff) is loaded inside the
 * action, so registering the command costs other commands nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { TuneOptions, TuneResult } from '../tune/types.js';
import { collect, defaultInterrupt, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, usageFailure, type Parsed } from './options.js';

export interface TuneCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Defaults to the process's SIGINT. */
  onInterrupt?: (handler: () => void) => () => void;
  setExitCode?: (code: number) => void;
  cwd?: string;
}

export { EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE };

export interface RawTuneFlags {
  backend?: string;
  gunicornCmd?: string;
  appDir?: string;
  search?: boolean;
  budget?: string;
  connections?: string;
  scenario?: string[];
  out?: string;
  write?: boolean;
  verify?: boolean;
  json?: boolean;
  report?: string;
  keepSandbox?: boolean;
  cpus?: string;
  nginx?: string[];
  gunicorn?: string[];
}

/** "60", "60s", "2m", "1500ms" → seconds. */
export function parseBudget(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i.exec(text.trim());
  if (!m) return { ok: false, message: `--budget: expected a duration like 60s or 2m (got "${text}")` };
  const v = Number(m[1]) * ({ ms: 0.001, s: 1, m: 60 }[(m[2] ?? 's').toLowerCase()] ?? 1);
  if (v < 5) return { ok: false, message: `--budget: at least 5s are needed to measure anything (got "${text}")` };
  return { ok: true, value: v };
}

const BACKENDS = ['auto', 'user', 'hello', 'builtin'];
const SCENARIOS = ['throughput', 'idle-gap', 'slow-client'];

/** Command-line flags → library options, or the first usage problem. */
export function flagsToTuneOptions(paths: string[], flags: RawTuneFlags, cwd: string): Parsed<TuneOptions> {
  const o: TuneOptions = { paths, cwd, search: flags.search === true, keepSandbox: flags.keepSandbox === true };
  if (flags.backend !== undefined) {
    if (!BACKENDS.includes(flags.backend)) return { ok: false, message: `--backend: expected one of ${BACKENDS.join(', ')} (got "${flags.backend}")` };
    o.backend = flags.backend as TuneOptions['backend'];
  }
  if (flags.gunicornCmd !== undefined) o.gunicornCmd = flags.gunicornCmd;
  if (flags.appDir !== undefined) o.appDir = path.resolve(cwd, flags.appDir);
  if (flags.budget !== undefined) {
    const b = parseBudget(flags.budget);
    if (!b.ok) return b;
    o.budgetSec = b.value;
  }
  if (flags.connections !== undefined) {
    if (!/^\d+$/.test(flags.connections) || Number(flags.connections) < 1 || Number(flags.connections) > 10_000) return { ok: false, message: `--connections: expected a whole number from 1 to 10000 (got "${flags.connections}")` };
    o.connections = Number(flags.connections);
  }
  if (flags.cpus !== undefined) {
    if (!/^\d+$/.test(flags.cpus) || Number(flags.cpus) < 1) return { ok: false, message: `--cpus: expected a whole number above 0 (got "${flags.cpus}")` };
    o.cpus = Number(flags.cpus);
  }
  for (const s of flags.scenario ?? []) if (!SCENARIOS.includes(s)) return { ok: false, message: `--scenario: expected one of ${SCENARIOS.join(', ')} (got "${s}")` };
  if (flags.scenario?.length) o.scenarios = flags.scenario as TuneOptions['scenarios'];
  if (flags.nginx?.length || flags.gunicorn?.length) o.check = { nginxPaths: flags.nginx, gunicornPaths: flags.gunicorn };
  return { ok: true, value: o };
}

/** Where a changed file goes under --out: its path relative to cwd (or its name when outside). */
export function outPath(outDir: string, file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return path.join(outDir, r && !r.startsWith('..') && !path.isAbsolute(r) ? r : path.basename(file));
}

async function writeBack(result: TuneResult, cwd: string, verify: boolean): Promise<{ errors: string[]; notes: string[] }> {
  const { encodeLatin1 } = await import('../nginx/tree.js');
  const { writeFilesAtomically } = await import('../fix/write.js');
  const notes: string[] = [];
  const fixed = new Map(Object.entries(result.files).map(([f, t]) => [f, encodeLatin1(t)]));
  if (verify) {
    const { verifyNginx } = await import('../fix/verify.js');
    const { loadConfig } = await import('../nginx/load.js');
    const v = verifyNginx([loadConfig(result.nginxMain)], fixed, cwd);
    notes.push(...v.notes);
    if (v.errors.length > 0) return { errors: v.errors, notes };
  }
  const requests = [...fixed].map(([file, text]) => ({ file, text, original: fs.readFileSync(file).toString('latin1') }));
  const w = writeFilesAtomically(requests, (p) => path.relative(cwd, p) || p);
  if (!w.ok) return { errors: [w.error], notes };
  notes.push(`wrote ${w.written.map((p) => path.relative(cwd, p) || p).join(', ')}`);
  return { errors: [], notes };
}

export async function runTuneCommand(paths: string[], flags: RawTuneFlags, io: TuneCommandIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const fail = usageFailure(io.stderr, 'tune');
  const parsed = flagsToTuneOptions(paths, flags, cwd);
  if (!parsed.ok) return fail(parsed.message);
  const { tune, TuneError } = await import('../tune/index.js');
  const report = await import('../tune/report.js');
  const controller = new AbortController();
  const release = (io.onInterrupt ?? defaultInterrupt)(() => controller.abort());
  const tty = io.stderr.isTTY === true;
  let shown = false;
  let result: TuneResult;
  try {
    result = await tune({
      ...parsed.value,
      signal: controller.signal,
      onProgress: tty
        ? (p) => {
            shown = true;
            io.stderr.write(`\r\x1b[K${report.formatProgress(p)}`);
          }
        : undefined,
    });
  } catch (e) {
    if (shown) io.stderr.write('\r\x1b[K');
    if (e instanceof TuneError) return fail(e.message);
    return fail((e as Error).message);
  } finally {
    release();
  }
  if (shown) io.stderr.write('\r\x1b[K');
  let code = result.interrupted ? EXIT_INTERRUPTED : EXIT_OK;
  if (flags.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    io.stdout.write(`${report.formatTuneTable(result)}\n`);
    if (result.patch) io.stdout.write(`\n${result.patch}${result.patch.endsWith('\n') ? '' : '\n'}`);
  }
  try {
    if (flags.report) {
      fs.writeFileSync(path.resolve(cwd, flags.report), report.renderHtmlReport(result));
      io.stderr.write(`conftune tune: report written to ${flags.report}\n`);
    }
    if (flags.out && Object.keys(result.files).length > 0) {
      for (const [file, text] of Object.entries(result.files)) {
        const dest = outPath(path.resolve(cwd, flags.out), file, cwd);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, text);
      }
      io.stderr.write(`conftune tune: patched files written under ${flags.out}\n`);
    } else if (flags.out) io.stderr.write('conftune tune: nothing to write under --out (no change proposed)\n');
  } catch (e) {
    return fail(`cannot write: ${(e as Error).message}`);
  }
  if (flags.write && Object.keys(result.files).length > 0 && !result.interrupted) {
    const w = await writeBack(result, cwd, flags.verify !== false);
    for (const n of w.notes) io.stderr.write(`conftune tune: ${n}\n`);
    for (const e of w.errors) io.stderr.write(`conftune tune: ${e}\n`);
    if (w.errors.length > 0) code = EXIT_USAGE;
  }
  return code;
}

export function registerTuneCommand(program: Command, io?: TuneCommandIo): void {
  program
    .command('tune [paths...]')
    .description('measure the probe-verifiable fixes in a loopback sandbox (nginx + backend) and propose the best configuration')
    .option('--backend <kind>', 'auto (default), user (your gunicorn), hello (gunicorn + bundled hello-world app), builtin (Node server)')
    .option('--gunicorn-cmd <cmd>', 'the gunicorn command to run (its bind is replaced by the sandbox\'s)')
    .option('--app-dir <dir>', 'directory your app runs in (default: where the gunicorn sources are)')
    .option('--search', 'also try a small grid over host-dependent knobs (worker_processes, keepalive pool, gunicorn workers…)')
    .option('--budget <time>', 'wall-clock budget for everything, e.g. 60s, 2m (default 60s)')
    .option('-c, --connections <n>', 'connections of the throughput scenario (default 32)')
    .option('--scenario <kind>', 'only this scenario: throughput, idle-gap, slow-client (repeatable)', collect)
    .option('--nginx <file>', 'treat this file as nginx configuration (repeatable)', collect)
    .option('--gunicorn <file>', 'treat this file as a gunicorn source (repeatable)', collect)
    .option('--cpus <n>', 'host cores the rules and the search assume (default: this machine\'s)')
    .option('--out <dir>', 'write the patched files under this directory')
    .option('--write', 'apply the patch to your files (atomic write, verified with nginx -t)')
    .option('--no-verify', 'with --write: skip the nginx -t check')
    .option('--json', 'print the result as one JSON object')
    .option('--report <file>', 'write a self-contained HTML report (charts and the diff)')
    .option('--keep-sandbox', 'keep the sandbox directory (for debugging)')
    .action(async (paths: string[], flags: RawTuneFlags) => {
      const out: TuneCommandIo = io ?? { stdout: process.stdout, stderr: process.stderr };
      const code = await runTuneCommand(paths ?? [], flags, out);
      if (out.setExitCode) out.setExitCode(code);
      else process.exitCode = code;
    });
}

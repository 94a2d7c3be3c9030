/**
 * `conftune probe <url>`: the embedded load generator on the command line. The engine is loaded
 * lazily inside the action so that other commands do not pay for it at startup.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ProbeOptions } from '../probe/types.js';
import { collect, defaultInterrupt, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, usageFailure, type Parsed } from './options.js';

export interface ProbeCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Defaults to the process's SIGINT. */
  onInterrupt?: (handler: () => void) => () => void;
  setExitCode?: (code: number) => void;
}

export { EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE };

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** "1.5s", "200ms", "2m", or a bare number of seconds → seconds. */
export function parseDurationSec(text: string, what: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim());
  if (!m) return { ok: false, message: `${what}: expected a duration like 10s, 500ms or 2m (got "${text}")` };
  return { ok: true, value: Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()] };
}

/** "2048", "10k", "1.5M" (binary multiples, like curl --limit-rate) → bytes. */
export function parseBytes(text: string, what: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(text.trim());
  if (!m) return { ok: false, message: `${what}: expected a byte rate like 1024, 10k or 1M (got "${text}")` };
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()] ?? 1;
  return { ok: true, value: Number(m[1]) * scale };
}

function parseCount(text: string, what: string): Parsed<number> {
  if (!/^\d+$/.test(text.trim())) return { ok: false, message: `${what}: expected a whole number (got "${text}")` };
  return { ok: true, value: Number(text) };
}

function parseRate(text: string): Parsed<number> {
  const value = Number(text);
  if (!/^\d+(?:\.\d+)?$/.test(text.trim()) || !(value > 0)) {
    return { ok: false, message: `--rate: expected requests per second above 0 (got "${text}")` };
  }
  return { ok: true, value };
}

function parseHeader(text: string): Parsed<[string, string]> {
  const colon = text.indexOf(':');
  if (colon <= 0) return { ok: false, message: `--header: expected "Name: value" (got "${text}")` };
  return { ok: true, value: [text.slice(0, colon).trim(), text.slice(colon + 1).trim()] };
}

function readBody(text: string): Parsed<string | Uint8Array> {
  if (!text.startsWith('@')) return { ok: true, value: text };
  try {
    return { ok: true, value: readFileSync(text.slice(1)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { ok: false, message: `--body: cannot read ${text.slice(1)} (${code})` };
  }
}

export interface RawProbeFlags {
  connections?: string;
  duration?: string;
  requests?: string;
  warmup?: string;
  threads?: string;
  method?: string;
  header?: string[];
  body?: string;
  pipeline?: string;
  rate?: string;
  idleGap?: string;
  slowRead?: string;
  timeout?: string;
  allowRemote?: boolean;
  json?: boolean;
}

/** Carries the first usage problem out of flagsToOptions; never escapes it. */
class UsageProblem {
  constructor(readonly message: string) {}
}

function need<T>(result: Parsed<T>): T {
  if (!result.ok) throw new UsageProblem(result.message);
  return result.value;
}

/** Command-line flags → library options, or the first usage problem. */
export function flagsToOptions(url: string, flags: RawProbeFlags): Parsed<ProbeOptions> {
  try {
    const o: ProbeOptions = { url, allowRemote: flags.allowRemote === true };
    if (flags.connections !== undefined) o.connections = need(parseCount(flags.connections, '--connections'));
    if (flags.duration !== undefined) o.durationSec = need(parseDurationSec(flags.duration, '--duration'));
    if (flags.requests !== undefined) o.requests = need(parseCount(flags.requests, '--requests'));
    if (flags.warmup !== undefined) o.warmupSec = need(parseDurationSec(flags.warmup, '--warmup'));
    if (flags.threads !== undefined) o.threads = need(parseCount(flags.threads, '--threads'));
    if (flags.pipeline !== undefined) o.pipeline = need(parseCount(flags.pipeline, '--pipeline'));
    if (flags.rate !== undefined) o.rate = need(parseRate(flags.rate));
    if (flags.idleGap !== undefined) o.idleGapMs = need(parseDurationSec(flags.idleGap, '--idle-gap')) * 1000;
    if (flags.slowRead !== undefined) o.slowReadBps = need(parseBytes(flags.slowRead, '--slow-read'));
    if (flags.timeout !== undefined) o.timeoutMs = need(parseDurationSec(flags.timeout, '--timeout')) * 1000;
    if (flags.method !== undefined) o.method = flags.method;
    if (flags.body !== undefined) o.body = need(readBody(flags.body));
    o.headers = (flags.header ?? []).map((text) => need(parseHeader(text)));
    return { ok: true, value: o };
  } catch (error) {
    if (error instanceof UsageProblem) return { ok: false, message: error.message };
    throw error;
  }
}

export async function runProbeCommand(url: string, flags: RawProbeFlags, io: ProbeCommandIo): Promise<number> {
  const fail = usageFailure(io.stderr, 'probe');
  const parsed = flagsToOptions(url, flags);
  if (!parsed.ok) return fail(parsed.message);
  const engine = await import('../probe/index.js');
  const planned = engine.planProbe(parsed.value);
  if (!planned.ok) return fail(planned.diagnostics[0]);
  if (parsed.value.allowRemote && !engine.isLoopbackAddress(planned.plan.hostname) && planned.plan.hostname !== 'localhost') {
    io.stderr.write(`conftune probe: warning: sending load to ${planned.plan.hostname}, which is not loopback\n`);
  }

  const controller = new AbortController();
  const release = (io.onInterrupt ?? defaultInterrupt)(() => controller.abort());
  const showProgress = io.stderr.isTTY === true;
  let progressShown = false;
  try {
    const result = await engine.probe({
      ...parsed.value,
      signal: controller.signal,
      onProgress: showProgress
        ? (p) => {
            progressShown = true;
            io.stderr.write(`\r\x1b[K${engine.formatProgressLine(p)}`);
          }
        : undefined,
    });
    if (progressShown) io.stderr.write('\r\x1b[K');
    io.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${engine.formatProbeTable(result)}\n`);
    return result.interrupted ? EXIT_INTERRUPTED : EXIT_OK;
  } catch (error) {
    if (progressShown) io.stderr.write('\r\x1b[K');
    if (error instanceof engine.ProbeOptionsError) return fail(error.diagnostics[0]);
    return fail((error as Error).message);
  } finally {
    release();
  }
}

export function registerProbeCommand(program: Command, io?: ProbeCommandIo): void {
  program
    .command('probe <url>')
    .description('measure an HTTP endpoint under load (keep-alive HTTP/1.1; loopback only unless --allow-remote)')
    .option('-c, --connections <n>', 'open connections (default 10)')
    .option('-d, --duration <time>', 'measured duration, e.g. 10s, 500ms, 2m (default 10s)')
    .option('-n, --requests <n>', 'stop after this many measured requests')
    .option('--warmup <time>', 'load sent first and left out of the numbers (default 0)')
    .option('-t, --threads <n>', 'generator threads (default 1)')
    .option('-m, --method <method>', 'request method (default GET)')
    .option('-H, --header <header>', '"Name: value", repeatable', collect)
    .option('--body <text>', 'request body, or @file to read it from a file')
    .option('-p, --pipeline <n>', 'requests in flight per connection (default 1)')
    .option('-R, --rate <req/s>', 'constant total rate; latency is measured from the scheduled send time')
    .option('--idle-gap <time>', 'pause between requests on each connection, e.g. 1.5s')
    .option('--slow-read <bytes/s>', 'read responses at this rate per connection, e.g. 10k')
    .option('--timeout <time>', 'a request unanswered this long fails (default 5s)')
    .option('--allow-remote', 'allow a target that is not a loopback address')
    .option('--json', 'print one JSON object (schema/probe-result.schema.json)')
    .action(async (url: string, flags: RawProbeFlags) => {
      const out: ProbeCommandIo = io ?? { stdout: process.stdout, stderr: process.stderr };
      const code = await runProbeCommand(url, flags, out);
      if (out.setExitCode) out.setExitCode(code);
      else process.exitCode = code;
    });
}

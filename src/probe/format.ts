/** Human-readable rendering of probe results and progress (the CLI's table and TTY line). */
import type { ProbeProgress, ProbeResult } from './types.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Milliseconds with about three significant digits. */
export function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

function counts(map: Record<string, number>, separator: string): string {
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'none';
  return entries.map(([key, count]) => `${key}${separator}${integer.format(count)}`).join('  ');
}

export function formatProbeTable(result: ProbeResult): string {
  const l = result.latencyMs;
  const threads = result.threads === 0 ? 'in-process' : `${result.threads} thread${result.threads === 1 ? '' : 's'}`;
  const mode = result.rate !== undefined ? `, constant rate ${integer.format(result.rate)}/s` : '';
  const pipeline = result.pipeline > 1 ? `, pipeline ${result.pipeline}` : '';
  const lines = [
    `${result.url}  ${result.connections} connections, ${threads}${pipeline}${mode}, ${result.durationSec.toFixed(2)} s` +
      (result.interrupted ? ' (interrupted)' : ''),
    `  requests    ${integer.format(result.requests)}  (${integer.format(result.rps)} req/s, ${formatBytes(result.bytesPerSec)}/s)`,
    `  latency ms  p50 ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  p99 ${formatMs(l.p99)}  p99.9 ${formatMs(l.p999)}  max ${formatMs(l.max)}  mean ${formatMs(l.mean)} ± ${formatMs(l.stdev)}`,
    `  status      ${counts(result.status, ': ')}`,
    `  errors      ${counts(result.errors, ': ')}`,
    `  reconnects  ${integer.format(result.reconnects)}`,
    `  probe cpu   ${result.probeCpuSec.toFixed(2)} s (generator at ${Math.round(result.generatorCpuUtil * 100)}% of a core)`,
  ];
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

/** One status line, redrawn in place on a TTY. */
export function formatProgressLine(progress: ProbeProgress): string {
  if (progress.warmingUp) return `warming up…  ${integer.format(progress.requests)} req`;
  return (
    `${progress.elapsedSec.toFixed(1)} s  ${integer.format(progress.requests)} req  ` +
    `${integer.format(progress.currentRps)} req/s  ${integer.format(progress.errors)} errors`
  );
}

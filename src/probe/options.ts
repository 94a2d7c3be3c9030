/**
 * Turns user-facing probe options into a checked plan. Nothing here throws on user input: bad
 * options come back as one-line diagnostics, and the loopback guard runs before any socket opens.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ProbeOptions } from './types.js';

export interface ProbePlan {
  url: string;
  /** Host name or IP literal to connect to (IPv6 without brackets). */
  hostname: string;
  port: number;
  /** Host header value. */
  hostHeader: string;
  path: string;
  method: string;
  headers: Array<[string, string]>;
  body: Uint8Array | undefined;
  connections: number;
  durationMs: number;
  /** Measured request budget; 0 = run for the duration. */
  requests: number;
  warmupMs: number;
  pipeline: number;
  rate: number;
  idleGapMs: number;
  slowReadBps: number;
  threads: number;
  timeoutMs: number;
  allowRemote: boolean;
}

export type PlanOutcome = { ok: true; plan: ProbePlan } | { ok: false; diagnostics: string[] };

export const DEFAULT_CONNECTIONS = 10;
export const DEFAULT_DURATION_SEC = 10;
/** Time bound for a run given only a request count. */
export const DEFAULT_MAX_DURATION_SEC = 600;
export const DEFAULT_TIMEOUT_MS = 5000;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (isIP(a) === 4) return a.startsWith('127.');
  if (isIP(a) === 6) {
    if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^(?:0:0:0:0:0|):ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a.replace(/^::/, ':'));
    if (mapped !== null) return mapped[1].startsWith('127.');
    return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(a); // WHATWG URL's hex form of ::ffff:127.x.y.z
  }
  return false;
}

/** Names that resolve to loopback by convention (RFC 6761); checked again after resolution. */
function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

interface NumberRule {
  name: string;
  min: number;
  max: number;
  integer?: boolean;
}

function checkNumber(value: number | undefined, rule: NumberRule, diagnostics: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    diagnostics.push(`${rule.name} must be a number`);
  } else if (rule.integer && !Number.isInteger(value)) {
    diagnostics.push(`${rule.name} must be a whole number`);
  } else if (value < rule.min || value > rule.max) {
    diagnostics.push(`${rule.name} must be between ${rule.min} and ${rule.max} (got ${value})`);
  }
}

function normalizeHeaders(
  headers: ProbeOptions['headers'],
  diagnostics: string[],
): Array<[string, string]> {
  const list: Array<[string, string]> = Array.isArray(headers)
    ? headers.map(([n, v]) => [String(n), String(v)])
    : Object.entries(headers ?? {}).map(([n, v]) => [n, String(v)]);
  for (const [name, value] of list) {
    if (!TOKEN.test(name)) diagnostics.push(`invalid header name ${JSON.stringify(name)}`);
    else if (!HEADER_VALUE.test(value)) diagnostics.push(`header ${name} contains a line break`);
  }
  return list;
}

interface ParsedUrl {
  hostname: string;
  port: number;
  hostHeader: string;
  path: string;
}

function parseTargetUrl(raw: string, diagnostics: string[]): ParsedUrl | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    diagnostics.push(`invalid URL ${JSON.stringify(raw)} (expected http://host[:port]/path)`);
    return undefined;
  }
  if (url.protocol !== 'http:') {
    diagnostics.push(`unsupported scheme ${url.protocol} (the probe speaks plain HTTP/1.1: use http://)`);
    return undefined;
  }
  if (url.username || url.password) {
    diagnostics.push('credentials in the URL are not supported (send an Authorization header with -H)');
    return undefined;
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  return {
    hostname,
    port: url.port === '' ? 80 : Number(url.port),
    hostHeader: url.host,
    path: (url.pathname || '/') + url.search,
  };
}

/** Checks options without resolving names or opening sockets. */
export function planProbe(options: ProbeOptions): PlanOutcome {
  const diagnostics: string[] = [];
  const target = parseTargetUrl(String(options.url ?? ''), diagnostics);
  if (target && !options.allowRemote) {
    const literal = isIP(target.hostname) !== 0;
    const loopback = literal ? isLoopbackAddress(target.hostname) : isLocalhostName(target.hostname);
    if (!loopback) {
      diagnostics.push(
        `refusing to send load to ${target.hostname}: not a loopback address (use --allow-remote to probe it anyway)`,
      );
    }
  }
  checkNumber(options.connections, { name: 'connections', min: 1, max: 10_000, integer: true }, diagnostics);
  checkNumber(options.durationSec, { name: 'duration', min: 0.001, max: 86_400 }, diagnostics);
  checkNumber(options.requests, { name: 'requests', min: 1, max: 1e12, integer: true }, diagnostics);
  checkNumber(options.warmupSec, { name: 'warm-up', min: 0, max: 3600 }, diagnostics);
  checkNumber(options.pipeline, { name: 'pipeline', min: 1, max: 1024, integer: true }, diagnostics);
  checkNumber(options.rate, { name: 'rate', min: 0.001, max: 1e8 }, diagnostics);
  checkNumber(options.idleGapMs, { name: 'idle gap', min: 0, max: 3_600_000 }, diagnostics);
  checkNumber(options.slowReadBps, { name: 'slow-read rate', min: 1, max: 1e12 }, diagnostics);
  checkNumber(options.threads, { name: 'threads', min: 0, max: 64, integer: true }, diagnostics);
  checkNumber(options.timeoutMs, { name: 'timeout', min: 1, max: 3_600_000 }, diagnostics);
  if (options.rate !== undefined && options.idleGapMs) {
    diagnostics.push('constant rate and idle gap cannot be combined (the rate already fixes the gaps)');
  }
  const method = (options.method ?? 'GET').toUpperCase();
  if (!TOKEN.test(method)) diagnostics.push(`invalid method ${JSON.stringify(options.method)}`);
  const headers = normalizeHeaders(options.headers, diagnostics);
  if (diagnostics.length > 0 || !target) return { ok: false, diagnostics };

  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  const durationSec =
    options.durationSec ?? (options.requests !== undefined ? DEFAULT_MAX_DURATION_SEC : DEFAULT_DURATION_SEC);
  return {
    ok: true,
    plan: {
      url: String(options.url),
      ...target,
      method,
      headers,
      body,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      durationMs: durationSec * 1000,
      requests: options.requests ?? 0,
      warmupMs: (options.warmupSec ?? 0) * 1000,
      pipeline: options.pipeline ?? 1,
      rate: options.rate ?? 0,
      idleGapMs: options.idleGapMs ?? 0,
      slowReadBps: options.slowReadBps ?? 0,
      threads: options.threads ?? 1,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      allowRemote: options.allowRemote === true,
    },
  };
}

export type ResolveOutcome =
  | { ok: true; address: string; remote: boolean }
  | { ok: false; diagnostics: string[] };

/** Resolves the host once (every connection reuses the address) and re-checks the loopback rule. */
export async function resolveTarget(plan: ProbePlan): Promise<ResolveOutcome> {
  if (isIP(plan.hostname) !== 0) {
    return { ok: true, address: plan.hostname, remote: !isLoopbackAddress(plan.hostname) };
  }
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(plan.hostname, { all: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
    return { ok: false, diagnostics: [`cannot resolve ${plan.hostname} (${code})`] };
  }
  if (addresses.length === 0) return { ok: false, diagnostics: [`cannot resolve ${plan.hostname}`] };
  const remote = addresses.some((a) => !isLoopbackAddress(a.address));
  if (remote && !plan.allowRemote) {
    return {
      ok: false,
      diagnostics: [
        `refusing to send load to ${plan.hostname}: it resolves to a non-loopback address (use --allow-remote)`,
      ],
    };
  }
  const preferred = addresses.find((a) => isLoopbackAddress(a.address)) ?? addresses[0];
  return { ok: true, address: preferred.address, remote };
}

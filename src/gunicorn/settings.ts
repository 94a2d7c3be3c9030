// gunicorn's settings for a target version: lookup by name or flag, defaults, and the checks its
// validators make, reduced to what can be decided without running Python.

import { isIP } from 'node:net';
import { SETTINGS_TABLES, type DefaultValue, type SettingSpec } from './settings-data.js';

export type { SettingSpec, SettingKind, DefaultValue } from './settings-data.js';

/** Version assumed when neither an option nor `gunicorn --version` gives one (see rules.md). */
export const DEFAULT_GUNICORN_VERSION = '23.0.0';

export interface SettingsTable {
  /** Version of the table actually used (the nearest one to the target). */
  tableVersion: string;
  /** Target version the caller asked for. */
  version: string;
  byName: Map<string, SettingSpec>;
  /** `-w`, `--workers`, … → setting. */
  byFlag: Map<string, SettingSpec>;
  /** Long flags, for argparse's unique-prefix abbreviations. */
  longFlags: string[];
}

export function parseVersion(v: string): [number, number, number] | null {
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  if (!m) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** `a >= b` on dotted versions. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(min);
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  return true;
}

function versionNumber(v: [number, number, number]): number {
  return v[0] * 1000 + v[1] + v[2] / 1000;
}

/** The table nearest to `version` (ties go to the newer table, so newer settings aren't flagged). */
export function nearestTableVersion(version: string): string {
  const target = parseVersion(version) ?? parseVersion(DEFAULT_GUNICORN_VERSION)!;
  let best = SETTINGS_TABLES[0]!;
  let bestDistance = Infinity;
  for (const t of SETTINGS_TABLES) {
    const d = Math.abs(versionNumber(parseVersion(t.version)!) - versionNumber(target));
    if (d <= bestDistance) {
      best = t;
      bestDistance = d;
    }
  }
  return best.version;
}

// Tables are immutable data: caching them per version is safe and keeps repeated reads cheap.
const tableCache = new Map<string, SettingsTable>();

export function settingsFor(version: string = DEFAULT_GUNICORN_VERSION): SettingsTable {
  const cached = tableCache.get(version);
  if (cached) return cached;
  const tableVersion = nearestTableVersion(version);
  const specs = SETTINGS_TABLES.find((t) => t.version === tableVersion)!.settings;
  const byName = new Map<string, SettingSpec>();
  const byFlag = new Map<string, SettingSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    for (const f of s.cli) byFlag.set(f, s);
  }
  const table: SettingsTable = {
    tableVersion,
    version,
    byName,
    byFlag,
    longFlags: [...byFlag.keys()].filter((f) => f.startsWith('--')),
  };
  tableCache.set(version, table);
  return table;
}

// ---- version facts that the tables alone don't carry (rules.md "Versions") -------------------

/** Built-in worker classes by short name. */
export function workerClasses(version: string): string[] {
  const classes = ['sync', 'gevent', 'gevent_wsgi', 'gevent_pywsgi', 'tornado', 'gthread'];
  if (!versionAtLeast(version, '26.0.0')) classes.push('eventlet');
  if (versionAtLeast(version, '25.0.0')) classes.push('asgi');
  return classes;
}

/** `forwarded_allow_ips` accepts CIDR networks from 24.1 (addresses only from 22, anything before). */
export function forwardedIpsCheck(version: string): 'any' | 'address' | 'network' {
  if (versionAtLeast(version, '24.1.0')) return 'network';
  if (versionAtLeast(version, '22.0.0')) return 'address';
  return 'any';
}

/** Default value of a setting for a version, with gunicorn's environment defaults applied. */
export function defaultFor(
  spec: SettingSpec,
  version: string,
  env: Record<string, string>,
): { value: DefaultValue; envVar?: string } {
  if (spec.name === 'workers' && env.WEB_CONCURRENCY !== undefined) return { value: env.WEB_CONCURRENCY, envVar: 'WEB_CONCURRENCY' };
  if (spec.name === 'bind' && env.PORT !== undefined) return { value: [`0.0.0.0:${env.PORT}`], envVar: 'PORT' };
  if (spec.name === 'forwarded_allow_ips') {
    if (env.FORWARDED_ALLOW_IPS !== undefined) return { value: env.FORWARDED_ALLOW_IPS, envVar: 'FORWARDED_ALLOW_IPS' };
    return { value: versionAtLeast(version, '22.0.0') ? '127.0.0.1,::1' : '127.0.0.1' };
  }
  return { value: spec.default };
}

// ---- validation ------------------------------------------------------------------------------

/** A value as Python sees it, before validation: what conf.py or argparse produced. */
export type PyScalar =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'none' };

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Python's `int(s, 0)`: decimal without leading zeros, 0x/0o/0b prefixes, underscores, sign. */
export function pythonIntBase0(s: string): number | null {
  const t = s.trim();
  const m = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?\d)*)$/.exec(t);
  if (!m) return null;
  const body = m[2]!.replace(/_/g, '');
  const n = /^0[xob]/i.test(body) ? Number(body.toLowerCase()) : Number(body);
  return m[1] === '-' ? -n : n;
}

/** Python's `int(s)` (base 10; leading zeros allowed). */
export function pythonInt10(s: string): number | null {
  const t = s.trim();
  if (!/^[+-]?\d(?:_?\d)*$/.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** gunicorn's `auto_int` CLI type: a leading 0 means octal (`-m 022`). */
export function autoInt(s: string): number | null {
  const t = s.trim();
  if (/^0\d/.test(t)) return pythonIntBase0(t.replace('0', '0o'));
  return pythonIntBase0(t);
}

export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

/** Python's `ipaddress.ip_network(s)` (strict: host bits must be zero). */
export function isIpNetwork(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash === -1) return isIpAddress(s);
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  const family = isIP(addr);
  if (family === 0 || !/^\d+$/.test(prefixText)) return false;
  const prefix = Number(prefixText);
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) return false;
  const value = family === 4 ? ipv4ToBigInt(addr) : ipv6ToBigInt(addr);
  if (value === null) return false;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return (value & hostMask) === 0n;
}

function ipv4ToBigInt(a: string): bigint | null {
  const parts = a.split('.').map(Number);
  if (parts.length !== 4) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function ipv6ToBigInt(a: string): bigint | null {
  let text = a;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4ToBigInt(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    text = text.slice(0, lastColon + 1) + '0';
    text = text.slice(0, -1).replace(/:$/, '') || '';
    if (text.endsWith(':')) text += ':';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = 8 - tail.length;
  const fill = rest !== undefined ? groups - h.length - r.length : 0;
  const all = [...h.map((x) => parseInt(x, 16)), ...Array(Math.max(0, fill)).fill(0), ...r.map((x) => parseInt(x, 16)), ...tail];
  if (all.length !== 8 || all.some((x) => Number.isNaN(x))) return null;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Checks one element of a `validate_string_to_addr_list` value. */
export function checkForwardedAddress(addr: string, version: string): string | null {
  if (addr === '*') return null;
  const mode = forwardedIpsCheck(version);
  if (mode === 'any') return null;
  if (mode === 'network') return isIpNetwork(addr) ? null : `"${addr}" is not an IP address or network (host bits must be zero)`;
  if (isIpAddress(addr)) return null;
  return addr.includes('/') ? `"${addr}" is a network; CIDR is accepted only from gunicorn 24.1` : `"${addr}" is not an IP address`;
}

/** Whether a worker class name would load: a built-in short name, `egg:…#name`, or a dotted path. */
export function checkWorkerClass(name: string, version: string): string | null {
  if (name.includes('.') || name.startsWith('egg:')) return null;
  const known = workerClasses(version);
  if (known.includes(name)) return null;
  if (name === 'eventlet') return `worker class "eventlet" was removed in gunicorn 26.0`;
  return `unknown worker class "${name}" (built-in: ${known.join(', ')}; or a dotted path)`;
}

// gunicorn's bind syntax (util.parse_address): `HOST`, `HOST:PORT`, `[v6]:PORT`, `unix:PATH`,
// `fd://N`, `tcp://…`; a bare host gets port 8000.

import type { Bind, Origin } from './types.js';

export type ParsedBind =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number };

/** Parses one bind string the way gunicorn does; returns an error message instead of throwing. */
export function parseBindAddress(raw: string): { ok: true; bind: ParsedBind } | { ok: false; message: string } {
  const unix = /^unix:(\/\/)?/.exec(raw);
  if (unix) {
    const path = raw.slice(unix[0].length);
    return path ? { ok: true, bind: { kind: 'unix', path } } : { ok: false, message: `"${raw}": empty unix socket path` };
  }
  if (raw.startsWith('fd://')) {
    const fd = raw.slice(5).trim();
    return /^[+-]?\d+$/.test(fd) ? { ok: true, bind: { kind: 'fd', fd: Number(fd) } } : { ok: false, message: `"${fd}" is not a valid file descriptor` };
  }
  let netloc = raw.startsWith('tcp://') ? raw.slice(6) : raw;
  let host = netloc;
  let port = '8000';
  if (netloc.includes('[') && netloc.includes(']')) {
    host = netloc.split(']')[0]!.slice(1);
    const afterBracket = netloc.split(']:');
    port = afterBracket[1] ?? '8000';
  } else if (netloc.includes(':')) {
    // gunicorn splits on every ':' and keeps the first two parts, so `::1` without brackets fails.
    const parts = netloc.split(':');
    host = parts[0]!;
    port = parts[1]!;
  } else if (netloc === '') {
    netloc = host = '0.0.0.0';
  }
  if (!/^\s*[+-]?\d+\s*$/.test(port)) return { ok: false, message: `"${raw}": "${port}" is not a valid port number` };
  const portNumber = Number(port);
  if (portNumber < 0 || portNumber > 65535) return { ok: false, message: `"${raw}": port ${portNumber} is out of range` };
  return { ok: true, bind: { kind: 'tcp', host: host.toLowerCase(), port: portNumber } };
}

export function toBind(raw: string, origin: Origin): Bind | null {
  const parsed = parseBindAddress(raw);
  if (!parsed.ok) return null;
  const b = parsed.bind;
  if (b.kind === 'tcp') return { kind: 'tcp', host: b.host, port: b.port, raw, origin };
  if (b.kind === 'unix') return { kind: 'unix', path: b.path, raw, origin };
  return { kind: 'fd', fd: b.fd, raw, origin };
}

/** systemd `ListenStream=` value → gunicorn-style bind string (`8000` listens on all addresses). */
export function listenStreamToBind(value: string): string | null {
  const v = value.trim();
  if (v.startsWith('/')) return `unix:${v}`;
  if (v.startsWith('@')) return `unix:${v}`; // abstract namespace socket
  if (/^\d+$/.test(v)) return `[::]:${v}`;
  if (/^\[[^\]]*\]:\d+$/.test(v) || /^[^:\s]+:\d+$/.test(v)) return v;
  if (/^vsock:/.test(v)) return null;
  return null;
}

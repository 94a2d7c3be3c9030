// Address classification for the security rules: loopback, private, link-local, internal names.

/** IPv4 dotted quad → number, or null. */
export function ipv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function isIpv6(s: string): boolean {
  return /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':') && (s.match(/::/g) ?? []).length <= 1;
}

export function isIpAddress(s: string): boolean {
  return ipv4(s) !== null || isIpv6(s.replace(/^\[|\]$/g, ''));
}

function inRange(ip: number, base: string, bits: number): boolean {
  const b = ipv4(base)!;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((b & mask) >>> 0);
}

/** Host names that only resolve inside a site (no public TLD). */
export const INTERNAL_SUFFIXES = ['internal', 'local', 'localhost', 'localdomain', 'lan', 'home', 'home.arpa', 'corp', 'intranet', 'private', 'consul', 'cluster.local', 'svc', 'prod', 'staging', 'test', 'invalid', 'example'];

export function isInternalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!h.includes('.')) return true;
  return INTERNAL_SUFFIXES.some((s) => h === s || h.endsWith('.' + s));
}

/** Strips `[v6]:port` / `v4:port` to the address. */
export function stripPort(addr: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(addr);
  if (v6) return v6[1]!;
  const v4 = /^([^:]+):\d+$/.exec(addr);
  if (v4) return v4[1]!;
  return addr;
}

/** Loopback, RFC 1918, link-local, CGNAT, ULA or an internal name. */
export function isLocalAddress(raw: string): boolean {
  const addr = stripPort(raw);
  const v4 = ipv4(addr);
  if (v4 !== null) {
    return inRange(v4, '127.0.0.0', 8) || inRange(v4, '10.0.0.0', 8) || inRange(v4, '172.16.0.0', 12) || inRange(v4, '192.168.0.0', 16)
      || inRange(v4, '169.254.0.0', 16) || inRange(v4, '100.64.0.0', 10) || inRange(v4, '0.0.0.0', 8);
  }
  if (isIpv6(addr)) {
    const a = addr.toLowerCase();
    if (a === '::1' || a === '::') return true;
    const first = parseInt(a.split(':')[0] || '0', 16);
    // fc00::/7 (unique local) and fe80::/10 (link-local)
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return isInternalName(addr);
}

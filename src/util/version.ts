// Version strings and ranges for version-gated rules (`<1.29.7`, `>=22`, `>=1.19.10 <1.29.7`).

export function parseVersion(v: string): number[] {
  const m = /\d+(?:\.\d+)*/.exec(v);
  return m ? m[0].split('.').map(Number) : [];
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** True when `version` satisfies every space-separated comparator of `range`. */
export function satisfies(version: string, range: string): boolean {
  for (const part of range.trim().split(/\s+/)) {
    const m = /^(<=|>=|<|>|=)?(.+)$/.exec(part);
    if (!m) continue;
    const c = compareVersions(version, m[2]!);
    switch (m[1] ?? '=') {
      case '<': if (!(c < 0)) return false; break;
      case '<=': if (!(c <= 0)) return false; break;
      case '>': if (!(c > 0)) return false; break;
      case '>=': if (!(c >= 0)) return false; break;
      default: if (c !== 0) return false;
    }
  }
  return true;
}

export function atLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

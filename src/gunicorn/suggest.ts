// "Did you mean" for setting names and flags (optimal string alignment distance).

import type { SettingsTable } from './settings.js';

/** Damerau-Levenshtein distance (optimal string alignment: adjacent swaps count as one edit). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** Closest setting name for a misspelt conf.py name (also matches flag spellings: `keep_alive`). */
export function suggestSetting(name: string, table: SettingsTable): string | undefined {
  const lower = name.toLowerCase();
  const squash = (s: string) => s.replace(/[_-]/g, '');
  for (const [flag, spec] of table.byFlag) {
    if (flag.startsWith('--') && (flag.slice(2).replace(/-/g, '_') === lower || squash(flag) === squash(lower))) return spec.name;
  }
  for (const n of table.byName.keys()) if (squash(n) === squash(lower)) return n;
  return closest(lower, table.byName.keys());
}

/** Closest known flag for an unknown one (`--worker` → `--workers`). */
export function suggestFlag(flag: string, table: SettingsTable): string | undefined {
  const asSetting = flag.replace(/^-+/, '').replace(/-/g, '_');
  const spec = table.byName.get(asSetting);
  if (spec && spec.cli.length) return spec.cli[spec.cli.length - 1];
  return closest(flag, table.byFlag.keys());
}

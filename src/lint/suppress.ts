// Inline suppression comments, in any file conftune reads (nginx, conf.py, units, Procfiles…):
//   # conftune-disable-next-line <id>[, <id>]   the next line
//   … # conftune-disable-line <id>              this line
//   # conftune-disable <id> … # conftune-enable <id>   a range (no ids = every rule)
// Ids may be exact ids, aliases, or prefixes ending in `/` (`nginx/`).

import type { SourceFile } from '../nginx/tree.js';
import type { Finding } from './rule.js';

export interface Suppression {
  file: string;
  /** Line of the comment. */
  line: number;
  column: number;
  kind: 'next-line' | 'line' | 'range';
  /** Lines covered (inclusive). */
  from: number;
  to: number;
  /** Empty = all rules. */
  ids: string[];
  comment: string;
  used: boolean;
}

const DIRECTIVE_RE = /#\s*conftune-(disable-next-line|disable-line|disable|enable)\b([^\r\n]*)/g;

export function parseSuppressions(file: SourceFile): Suppression[] {
  const out: Suppression[] = [];
  const text = file.text;
  if (!text.includes('conftune-')) return out;
  const open = new Map<string, Suppression>();
  const lastLine = file.lineStarts.length;
  DIRECTIVE_RE.lastIndex = 0;
  for (let m = DIRECTIVE_RE.exec(text); m; m = DIRECTIVE_RE.exec(text)) {
    const line = lineAt(file, m.index);
    const column = m.index - file.lineStarts[line - 1]! + 1;
    const ids = (m[2] ?? '').split(/[\s,]+/).map((s) => s.trim()).filter((s) => s && !s.startsWith('--'));
    // Text after ` -- ` is a reason, not an id.
    const reasonAt = (m[2] ?? '').indexOf(' -- ');
    const cleanIds = reasonAt >= 0 ? (m[2] ?? '').slice(0, reasonAt).split(/[\s,]+/).filter(Boolean) : ids;
    const base = { file: file.path, line, column, ids: cleanIds, comment: m[0].trim(), used: false };
    switch (m[1]) {
      case 'disable-next-line':
        out.push({ ...base, kind: 'next-line', from: line + 1, to: line + 1 });
        break;
      case 'disable-line':
        out.push({ ...base, kind: 'line', from: line, to: line });
        break;
      case 'disable': {
        const s: Suppression = { ...base, kind: 'range', from: line, to: lastLine };
        out.push(s);
        open.set(cleanIds.join(','), s);
        break;
      }
      case 'enable': {
        const key = cleanIds.join(',');
        const s = open.get(key);
        if (s) {
          s.to = line;
          open.delete(key);
        } else {
          // `enable X` closes any open range that mentions X.
          for (const [k, r] of open) {
            if (cleanIds.length === 0 || cleanIds.some((id) => r.ids.includes(id))) {
              r.to = line;
              open.delete(k);
            }
          }
        }
        break;
      }
    }
  }
  return out;
}

function lineAt(file: SourceFile, offset: number): number {
  const s = file.lineStarts;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Whether an id written by a user selects a rule (by id, alias or `prefix/`). */
export function idMatches(written: string, ruleId: string, aliases: readonly string[] = []): boolean {
  if (written === ruleId || aliases.includes(written)) return true;
  if (written.endsWith('/') || written.endsWith('*')) {
    const prefix = written.replace(/\*$/, '');
    return ruleId.startsWith(prefix);
  }
  // A bare target name (`nginx`) selects the whole target.
  return !written.includes('/') && ruleId.startsWith(written + '/');
}

/** Marks findings covered by a suppression (`finding.suppressed`), and the suppressions that were used. */
export function applySuppressions(
  findings: Finding[],
  suppressions: Map<string, Suppression[]>,
  aliasesOf: (ruleId: string) => readonly string[],
): void {
  for (const f of findings) {
    const list = suppressions.get(f.file);
    if (!list) continue;
    for (const s of list) {
      if (f.line < s.from || f.line > s.to) continue;
      if (s.ids.length > 0 && !s.ids.some((id) => idMatches(id, f.ruleId, aliasesOf(f.ruleId)))) continue;
      // A syntax error can't be silenced: the file is broken for nginx too.
      if (f.ruleId === 'nginx/syntax') continue;
      s.used = true;
      f.suppressed = { kind: 'inSource', comment: s.comment };
      break;
    }
  }
}

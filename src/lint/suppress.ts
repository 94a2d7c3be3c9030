// Inline suppression comments, in any file conftune reads (nginx, conf.py, units, Procfiles…):
//   # conftune-disable-next-line <id>[, <id>]   the next line
//   … # conftune-disable-line <id>              this line
//   # conftune-disable <id> … # conftune-enable <id>   a range (no ids = every rule)
// Ids may be exact ids, aliases, or prefixes ending in `/` (`nginx/`).

import type { SourceFile } from '../nginx/tree.js';
import { lineOf } from '../nginx/tree.js';
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

export function parseSuppressions(file: SourceFile): Suppression[] {
  const out: Suppression[] = [];
  const text = file.text;
  if (!text.includes('conftune-')) return out;
  const open = new Map<string, Suppression>();
  const lastLine = file.lineStarts.length;
  const directiveRe = /#\s*conftune-(disable-next-line|disable-line|disable|enable)\b([^\r\n]*)/g;
  for (let m = directiveRe.exec(text); m; m = directiveRe.exec(text)) {
    const line = lineOf(file, m.index);
    const column = m.index - file.lineStarts[line - 1]! + 1;
    // Text after ` -- ` is a reason, not an id.
    const cleanIds = (m[2] ?? '').split(' -- ')[0]!.split(/[\s,]+/).filter(Boolean);
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

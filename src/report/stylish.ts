// Default terminal format: `path:line:col: severity rule-id message`, the source line and a caret.

import { decodeLatin1, lineText } from '../nginx/tree.js';
import type { Reporter } from './types.js';
import { displayPath } from './paths.js';

const COLORS = { red: 31, yellow: 33, cyan: 36, gray: 90, bold: 1 } as const;

export const stylish: Reporter = (input) => {
  const paint = (c: keyof typeof COLORS, s: string): string => (input.color ? `\x1b[${COLORS[c]}m${s}\x1b[0m` : s);
  const sev = (s: string): string => paint(s === 'error' ? 'red' : s === 'warning' ? 'yellow' : 'cyan', s);
  const out: string[] = [];
  for (const e of input.errors) {
    // Errors without a position (unreadable file, bad usage) go to stderr from the CLI.
    if (e.line <= 0) continue;
    const where = e.line > 0 ? `${displayPath(e.file, input.cwd)}:${e.line}:${e.column}: ` : '';
    // Errors that are also findings (syntax) are printed once, with their excerpt, below.
    if (e.line > 0 && input.findings.some((f) => f.file === e.file && f.line === e.line && f.message === e.message)) continue;
    out.push(`${where}${sev('error')} ${e.message.startsWith(e.file + ':') ? e.message : e.message}`);
  }
  for (const f of input.findings) {
    const p = displayPath(f.file, input.cwd);
    const fixNote = f.fixable ? paint('gray', f.fix?.kind === 'suggest' ? ' [fix: --fix --unsafe]' : ' [fix: --fix]') : '';
    const covers = f.related?.length ? paint('gray', ` (covers ${[...new Set(f.related.map((r) => r.ruleId))].join(', ')})`) : '';
    out.push(`${paint('bold', `${p}:${f.line}:${f.column}:`)} ${sev(f.severity)} ${paint('gray', f.ruleId)} ${f.message}${covers}${fixNote}`);
    const file = input.files.get(f.file);
    if (file) {
      const src = decodeLatin1(lineText(file, f.line)).replace(/\t/g, ' ');
      if (src.length <= 300) {
        const width = Math.max(1, f.endLine === f.line ? f.endColumn - f.column : src.length - f.column + 1);
        out.push(`  ${paint('gray', String(f.line).padStart(4))} | ${src}`);
        out.push(`       | ${' '.repeat(Math.max(0, f.column - 1))}${paint(f.severity === 'error' ? 'red' : 'yellow', '^' + (width > 1 ? '~'.repeat(Math.min(width - 1, 80)) : ''))}`);
      }
    }
  }
  const counts = { error: 0, warning: 0, info: 0 } as Record<string, number>;
  for (const f of input.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  const total = input.findings.length;
  if (total > 0 || input.errors.some((e) => e.line > 0)) {
    const fixable = input.findings.filter((f) => f.fixable && f.fix?.kind !== 'suggest').length;
    out.push('');
    out.push(
      `${total} finding${total === 1 ? '' : 's'} (${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info} info)` +
        (fixable ? `; ${fixable} fixable with --fix` : '') +
        (input.suppressed.length ? `; ${input.suppressed.length} suppressed` : '') +
        (input.baseline?.matched.length ? `; ${input.baseline.matched.length} in the baseline` : ''),
    );
  }
  return out.length ? out.join('\n') + '\n' : '';
};

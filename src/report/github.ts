// `--format github`: GitHub Actions workflow commands, one annotation per finding.

import type { Reporter } from './types.js';
import { displayPath } from './paths.js';

const LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Workflow-command escaping (data: %, CR, LF; properties also `:` and `,`). */
const escData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escProp = (s: string): string => escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export const github: Reporter = (input) => {
  const lines: string[] = [];
  for (const e of input.errors) {
    if (input.findings.some((f) => f.file === e.file && f.line === e.line && f.message === e.message)) continue;
    const props = e.line > 0 ? `file=${escProp(displayPath(e.file, input.cwd))},line=${e.line},col=${e.column},` : '';
    lines.push(`::error ${props}title=conftune::${escData(e.message)}`);
  }
  for (const f of input.findings) {
    const file = escProp(displayPath(f.file, input.cwd));
    lines.push(`::${LEVEL[f.severity] ?? 'warning'} file=${file},line=${f.line},col=${f.column},endLine=${f.endLine},endColumn=${f.endColumn},title=${escProp(f.ruleId)}::${escData(f.message)}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
};

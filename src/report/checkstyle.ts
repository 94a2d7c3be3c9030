// `--format checkstyle`: the XML most CI dashboards import.

import type { Reporter } from './types.js';
import { displayPath } from './paths.js';

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    // XML 1.0 forbids most control characters even escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

export const checkstyle: Reporter = (input) => {
  const byFile = new Map<string, string[]>();
  const add = (file: string, entry: string): void => {
    const list = byFile.get(file) ?? [];
    list.push(entry);
    byFile.set(file, list);
  };
  for (const e of input.errors) {
    if (input.findings.some((f) => f.file === e.file && f.line === e.line && f.message === e.message)) continue;
    add(e.file, `    <error line="${e.line}" column="${e.column}" severity="error" message="${xml(e.message)}" source="conftune"/>`);
  }
  for (const f of input.findings) {
    add(f.file, `    <error line="${f.line}" column="${f.column}" severity="${f.severity}" message="${xml(f.message)}" source="${xml(f.ruleId)}"/>`);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">'];
  for (const [file, entries] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`  <file name="${xml(displayPath(file, input.cwd))}">`, ...entries, '  </file>');
  }
  out.push('</checkstyle>');
  return out.join('\n') + '\n';
};

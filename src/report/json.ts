// `--format json`: one object, documented by schema/check-result.schema.json.

import type { Reporter } from './types.js';

export const json: Reporter = (input) =>
  JSON.stringify(
    {
      version: input.toolVersion,
      findings: input.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        category: f.category,
        message: f.message,
        file: f.file,
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
        fixable: f.fixable,
        ...(f.fix ? { fix: { description: f.fix.description, kind: f.fix.kind ?? 'safe' } } : {}),
        ...(f.related?.length ? { related: f.related.map((r) => ({ ruleId: r.ruleId, message: r.message, file: r.file, line: r.line, column: r.column })) } : {}),
      })),
      suppressed: input.suppressed.map((f) => ({ ruleId: f.ruleId, file: f.file, line: f.line, column: f.column, message: f.message })),
      errors: input.errors.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message })),
      ...(input.notes ? { notes: input.notes.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message })) } : {}),
      ...(input.targets ? { targets: input.targets } : {}),
    },
    null,
    2,
  ) + '\n';

// `--format checkstyle`: the XML CI dashboards (Jenkins, GitLab…) import.

import { describe, expect, it } from 'vitest';
import { checkstyle } from '../../src/report/checkstyle.js';
import type { Finding } from '../../src/lint/rule.js';
import type { ReportInput } from '../../src/report/types.js';

const finding = (over: Partial<Finding> = {}): Finding => ({
  ruleId: 'nginx/x', severity: 'warning', category: 'correctness', message: 'bad',
  file: '/p/nginx.conf', line: 3, column: 5, endLine: 3, endColumn: 9, start: 0, end: 4, fixable: false, ...over,
});

const input = (findings: Finding[]): ReportInput => ({
  findings, suppressed: [], errors: [], files: new Map(), rules: [], cwd: '/p', color: false, toolVersion: 't',
});

describe('checkstyle reporter', () => {
  it('groups findings by file with line, column, severity, message and the rule as source', () => {
    const out = checkstyle(input([finding(), finding({ file: '/p/a.conf', line: 1 })]));
    expect(out).toContain('<file name="a.conf">\n    <error line="1" column="5" severity="warning" message="bad" source="nginx/x"/>\n  </file>');
    expect(out.indexOf('a.conf')).toBeLessThan(out.indexOf('nginx.conf'));
  });

  it('escapes XML special characters and drops control characters', () => {
    const out = checkstyle(input([finding({ message: 'a <b> & "c" \'d\'\x01' })]));
    expect(out).toContain('message="a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"');
  });

  it('prints an empty checkstyle document for a clean run', () => {
    expect(checkstyle(input([]))).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<checkstyle version="4.3">\n</checkstyle>\n');
  });
});

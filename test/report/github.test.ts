// `--format github`: workflow commands GitHub Actions turns into annotations.

import { describe, expect, it } from 'vitest';
import { github } from '../../src/report/github.js';
import type { Finding } from '../../src/lint/rule.js';
import type { ReportInput } from '../../src/report/types.js';

const finding = (over: Partial<Finding> = {}): Finding => ({
  ruleId: 'nginx/x', severity: 'error', category: 'correctness', message: 'bad thing',
  file: '/p/nginx.conf', line: 3, column: 5, endLine: 3, endColumn: 9, start: 0, end: 4, fixable: false, ...over,
});

const input = (findings: Finding[], over: Partial<ReportInput> = {}): ReportInput => ({
  findings, suppressed: [], errors: [], files: new Map(), rules: [], cwd: '/p', color: false, toolVersion: 't', ...over,
});

describe('github reporter', () => {
  it('prints one ::error command per error finding with file, line, col and the rule as title', () => {
    expect(github(input([finding()]))).toBe('::error file=nginx.conf,line=3,col=5,endLine=3,endColumn=9,title=nginx/x::bad thing\n');
  });

  it('maps warnings to ::warning and info to ::notice', () => {
    const out = github(input([finding({ severity: 'warning' }), finding({ severity: 'info', line: 4, endLine: 4 })]));
    expect(out.split('\n')[0]).toMatch(/^::warning /);
    expect(out.split('\n')[1]).toMatch(/^::notice /);
  });

  it('escapes newlines and percent signs in messages and commas and colons in properties', () => {
    const out = github(input([finding({ message: '50% of\nrequests', file: '/p/a,b:c.conf' })]));
    expect(out).toContain('file=a%2Cb%3Ac.conf,');
    expect(out).toContain('::50%25 of%0Arequests');
  });

  it('prints nothing for a clean run', () => {
    expect(github(input([]))).toBe('');
  });

  it('reports errors that are not findings as ::error annotations titled conftune', () => {
    const out = github(input([], { errors: [{ file: '/p/missing.conf', line: 0, column: 0, message: 'cannot read' }] }));
    expect(out).toBe('::error title=conftune::cannot read\n');
  });
});

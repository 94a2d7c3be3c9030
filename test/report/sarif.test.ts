// SARIF output: valid against the official 2.1.0 schema, stable fingerprints, suppressions, fixes.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check.js';
import { applyEditsToText } from '../../src/edit/apply-text.js';
import { sarif } from '../../src/report/sarif.js';
import type { ReportInput } from '../../src/report/types.js';
import { CASES, reportInput } from './helpers.js';

/** OASIS's schema, kept in the repository with its notice (test/data/sarif/NOTICE.md). */
const SCHEMA = path.resolve(__dirname, '../data/sarif/sarif-schema-2.1.0.json');

function validator() {
  const ajv = new AjvDraft04({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));
}

const parse = (input: ReportInput) => JSON.parse(sarif(input));

function tempProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-sarif-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function inputFor(dir: string, select = ['nginx/upstream-keepalive-missing']): ReportInput {
  return reportInput({ name: 'tmp', cwd: dir, select, paths: ['nginx.conf'] });
}

const UPSTREAMS = 'http {\n    upstream a {\n        server 127.0.0.1:8000;\n    }\n    server {\n        location / {\n            proxy_pass http://a;\n        }\n    }\n}\n';

describe('sarif reporter', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('produces a log the SARIF 2.1.0 schema accepts (%s)', (_, c) => {
    const validate = validator();
    const ok = validate(parse(reportInput(c)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('produces a valid log when a file cannot be read, listing the error as a tool notification', () => {
    const dir = tempProject({});
    const input = reportInput({ name: 'missing', cwd: dir, select: ['nginx/'], paths: ['absent.conf'] });
    const log = parse(input);
    const validate = validator();
    expect(validate(log)).toBe(true);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(log.runs[0].invocations[0].toolExecutionNotifications[0].message.text).toMatch(/absent\.conf/);
  });

  it('describes every selected rule with descriptions, help URI and default level', () => {
    const log = parse(reportInput(CASES[0]!));
    const rule = log.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'nginx/upstream-keepalive-missing');
    expect(rule.shortDescription.text).toBeTruthy();
    expect(rule.fullDescription.text).toBeTruthy();
    expect(rule.helpUri).toMatch(/^https:\/\/.+upstream-keepalive-missing$/);
    expect(rule.defaultConfiguration.level).toBe('warning');
  });

  it('points results at the rule that produced them', () => {
    const log = parse(reportInput(CASES[0]!));
    const rules = log.runs[0].tool.driver.rules;
    for (const r of log.runs[0].results) expect(rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('locates results with uris relative to SRCROOT inside the working directory', () => {
    const log = parse(reportInput(CASES[0]!));
    const loc = log.runs[0].results[0].locations[0].physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: 'nginx.conf', uriBaseId: 'SRCROOT' });
    expect(loc.region.startLine).toBeGreaterThan(0);
    expect(loc.region.startColumn).toBeGreaterThan(0);
  });

  it('uses absolute file uris for files outside the working directory', () => {
    const dir = tempProject({ 'nginx.conf': UPSTREAMS });
    const input = { ...inputFor(dir), cwd: os.homedir() === dir ? '/' : path.join(dir, 'elsewhere') };
    const uri = parse(input).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
    expect(uri.uriBaseId).toBeUndefined();
    expect(uri.uri).toBe(`file://${path.join(dir, 'nginx.conf')}`);
  });

  it('percent-encodes spaces in relative uris', () => {
    const dir = tempProject({});
    fs.mkdirSync(path.join(dir, 'my conf'));
    fs.writeFileSync(path.join(dir, 'my conf', 'nginx.conf'), UPSTREAMS);
    const input = reportInput({ name: 'space', cwd: dir, select: ['nginx/upstream-keepalive-missing'], paths: ['my conf/nginx.conf'] });
    expect(parse(input).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('my%20conf/nginx.conf');
  });

  it('keeps partial fingerprints when lines are inserted above a finding', () => {
    const before = parse(inputFor(tempProject({ 'nginx.conf': UPSTREAMS }))).runs[0].results[0];
    const after = parse(inputFor(tempProject({ 'nginx.conf': '# a new comment\n\n' + UPSTREAMS }))).runs[0].results[0];
    expect(after.locations[0].physicalLocation.region.startLine).toBe(before.locations[0].physicalLocation.region.startLine + 2);
    expect(after.partialFingerprints).toEqual(before.partialFingerprints);
  });

  it('gives findings on identical lines of one file distinct fingerprints', () => {
    const server = '    server {\n        tcp_nodelay off;\n    }\n';
    const conf = `http {\n${server}${server}}\n`;
    const results = parse(inputFor(tempProject({ 'nginx.conf': conf }), ['nginx/tcp-nodelay-off'])).runs[0].results;
    expect(results).toHaveLength(2);
    const prints = results.map((r: { partialFingerprints: Record<string, string> }) => Object.values(r.partialFingerprints)[0]);
    expect(new Set(prints).size).toBe(2);
  });

  it('lists inline-suppressed findings with an inSource suppression', () => {
    const log = parse(reportInput(CASES[1]!));
    const suppressed = log.runs[0].results.filter((r: { suppressions?: unknown[] }) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppressions[0].kind).toBe('inSource');
    expect(suppressed[0].message.text).toMatch(/"legacy"/);
  });

  it('offers fixable findings as artifactChanges that reproduce --fix', () => {
    const dir = tempProject({ 'nginx.conf': UPSTREAMS });
    const input = inputFor(dir);
    const result = parse(input).runs[0].results[0];
    const change = result.fixes[0].artifactChanges[0];
    expect(change.artifactLocation.uri).toBe('nginx.conf');
    // Apply the replacements (bottom-up) by line/column and compare with the finding's own edits.
    const lines = UPSTREAMS.split('\n');
    const offset = (line: number, col: number): number => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
    let text = UPSTREAMS;
    for (const r of [...change.replacements].reverse()) {
      const start = offset(r.deletedRegion.startLine, r.deletedRegion.startColumn);
      const end = offset(r.deletedRegion.endLine, r.deletedRegion.endColumn);
      text = text.slice(0, start) + (r.insertedContent?.text ?? '') + text.slice(end);
    }
    const finding = check({ paths: ['nginx.conf'], cwd: dir, config: {}, select: ['nginx/upstream-keepalive-missing'], nginxVersion: '1.24.0', cpus: 4, env: {} }).findings[0]!;
    expect(text).toBe(applyEditsToText(UPSTREAMS, finding.fix!.edits));
  });
});

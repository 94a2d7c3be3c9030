// A baseline entry names a finding by rule, file and the text it flags, with a count for repeats:
// never by line. These tests edit a config the ways people do and check what still matches.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyBaseline } from '../../src/baseline/index.js';
import { normaliseText } from '../../src/baseline/key.js';
import { tempTree } from '../helpers/cli.js';
import { baselineIn, entriesFor, nginxConf, runCheck, STRONG_TLS, TLS_RULE, WEAK_TLS } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const d = tempTree(files, 'conftune-baseline-');
  dirs.push(d);
  return d;
}
const write = (dir: string, name: string, text: string): void => fs.writeFileSync(path.join(dir, name), text);

/** Baseline the project as it is, apply `edit`, check again with the baseline. */
function baselineThenEdit(files: Record<string, string>, edit: (dir: string) => void) {
  const dir = project(files);
  const before = runCheck(dir, Object.keys(files));
  const entries = entriesFor(dir, before);
  edit(dir);
  const after = runCheck(dir, Object.keys(files));
  return { before, entries, after, outcome: applyBaseline(baselineIn(dir, entries), after) };
}

describe('what a baseline entry holds', () => {
  it('the rule, the file relative to the baseline, the flagged text and a count, not a line', () => {
    const dir = project({ 'sites/app.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) });
    const entries = entriesFor(dir, runCheck(dir, ['sites/app.conf']));
    expect(entries).toEqual([{ rule: TLS_RULE, file: 'sites/app.conf', text: WEAK_TLS, count: 1 }]);
  });

  it('collapses whitespace, so re-indenting or re-wrapping a directive keeps its key', () => {
    expect(normaliseText('  ssl_protocols\tTLSv1\n      TLSv1.2;  ')).toBe(WEAK_TLS);
  });

  it('keeps long texts bounded, and still tells two long texts apart', () => {
    const a = normaliseText(`add_header X-A "${'a'.repeat(400)}";`);
    const b = normaliseText(`add_header X-A "${'a'.repeat(399)}b";`);
    expect(a.length).toBeLessThanOrEqual(200);
    expect(a).not.toBe(b);
  });
});

describe('entries survive unrelated edits', () => {
  it('a line inserted above the finding: still matched, nothing reported, nothing stale', () => {
    const r = baselineThenEdit({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) }, (dir) => {
      write(dir, 'nginx.conf', nginxConf([['listen 443 ssl;', WEAK_TLS]], ['# managed by ops', 'worker_processes auto;']));
    });
    expect(r.after.findings[0]!.line).toBe(r.before.findings[0]!.line + 2);
    expect(r.outcome.result.findings).toEqual([]);
    expect(r.outcome.matched).toHaveLength(1);
    expect(r.outcome.stale).toEqual([]);
  });

  it('the directive moved to another server block and re-indented: still matched', () => {
    const r = baselineThenEdit({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS], ['listen 8443 ssl;', STRONG_TLS]]) }, (dir) => {
      write(dir, 'nginx.conf', nginxConf([['listen 443 ssl;', STRONG_TLS], ['listen 8443 ssl;', `   ${WEAK_TLS.replace(' ', '    ')}`]]));
    });
    expect(r.after.findings).toHaveLength(1);
    expect(r.outcome.result.findings).toEqual([]);
    expect(r.outcome.stale).toEqual([]);
  });
});

describe('identical directives are counted', () => {
  it('two identical flagged directives make one entry with count 2', () => {
    const dir = project({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS], ['listen 8443 ssl;', WEAK_TLS]]) });
    const entries = entriesFor(dir, runCheck(dir, ['nginx.conf']));
    expect(entries).toEqual([{ rule: TLS_RULE, file: 'nginx.conf', text: WEAK_TLS, count: 2 }]);
  });

  it('a third copy of a baselined directive is reported, once', () => {
    const two = [['listen 443 ssl;', WEAK_TLS], ['listen 8443 ssl;', WEAK_TLS]];
    const r = baselineThenEdit({ 'nginx.conf': nginxConf(two) }, (dir) => {
      write(dir, 'nginx.conf', nginxConf([...two, ['listen 9443 ssl;', WEAK_TLS]]));
    });
    expect(r.after.findings).toHaveLength(3);
    expect(r.outcome.result.findings).toHaveLength(1);
    expect(r.outcome.result.findings[0]!.ruleId).toBe(TLS_RULE);
    expect(r.outcome.stale).toEqual([]);
  });

  it('one of two copies removed: the other still matches, and one of the two entries is stale', () => {
    const r = baselineThenEdit({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS], ['listen 8443 ssl;', WEAK_TLS]]) }, (dir) => {
      write(dir, 'nginx.conf', nginxConf([['listen 443 ssl;', WEAK_TLS], ['listen 8443 ssl;', STRONG_TLS]]));
    });
    expect(r.outcome.result.findings).toEqual([]);
    expect(r.outcome.stale.map((s) => [s.entry.text, s.entry.count, s.missing])).toEqual([[WEAK_TLS, 2, 1]]);
    expect(r.outcome.notes[0]!.message).toBe(`1 entry no longer matches (fixed?): ${TLS_RULE} in nginx.conf "${WEAK_TLS}"`);
  });
});

describe('a changed directive is a new finding', () => {
  it('the flagged text changed: the new text is reported and the old entry is stale', () => {
    const r = baselineThenEdit({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) }, (dir) => {
      write(dir, 'nginx.conf', nginxConf([['listen 443 ssl;', 'ssl_protocols TLSv1 TLSv1.1 TLSv1.2;']]));
    });
    expect(r.outcome.result.findings.map((f) => f.ruleId)).toEqual([TLS_RULE]);
    expect(r.outcome.result.findings[0]!.line).toBe(5);
    expect(r.outcome.stale.map((s) => s.entry.text)).toEqual([WEAK_TLS]);
    // Said on the baseline file, in the style of unused-disable reports, plus what to do.
    expect(r.outcome.notes.map((n) => [path.basename(n.file), n.line, n.message])).toEqual([
      ['conftune-baseline.json', 0, `1 entry no longer matches (fixed?): ${TLS_RULE} in nginx.conf "${WEAK_TLS}"`],
      ['conftune-baseline.json', 0, '1 entry no longer matches: `conftune check --update-baseline` removes it'],
    ]);
  });

  it('the same text under another rule is not matched by the first rule\'s entry', () => {
    const dir = project({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) });
    const result = runCheck(dir, ['nginx.conf']);
    const outcome = applyBaseline(baselineIn(dir, [{ rule: 'nginx/other-rule', file: 'nginx.conf', text: WEAK_TLS, count: 1 }]), result);
    expect(outcome.result.findings).toHaveLength(1);
  });

  it('the same text in another file is not matched either', () => {
    const dir = project({ 'a.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]), 'b.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) });
    const entries = entriesFor(dir, runCheck(dir, ['a.conf']));
    const outcome = applyBaseline(baselineIn(dir, entries), runCheck(dir, ['a.conf', 'b.conf']));
    expect(outcome.result.findings.map((f) => path.basename(f.file))).toEqual(['b.conf']);
  });
});

describe('what counts as checked', () => {
  it('entries of files this run did not read are never stale', () => {
    const dir = project({ 'a.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]), 'b.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) });
    const entries = entriesFor(dir, runCheck(dir, ['a.conf', 'b.conf']));
    expect(entries.map((e) => e.file)).toEqual(['a.conf', 'b.conf']);
    write(dir, 'b.conf', nginxConf([['listen 443 ssl;', STRONG_TLS]]));
    const outcome = applyBaseline(baselineIn(dir, entries), runCheck(dir, ['a.conf']));
    expect(outcome.stale).toEqual([]);
  });

  it('entries of rules this run did not select are never stale', () => {
    const dir = project({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) });
    const entries = entriesFor(dir, runCheck(dir, ['nginx.conf']));
    const outcome = applyBaseline(baselineIn(dir, entries), runCheck(dir, ['nginx.conf'], ['nginx/hsts-header']));
    expect(outcome.stale).toEqual([]);
  });

  it('entries of a deleted file are stale, whatever was checked', () => {
    const dir = project({ 'a.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]), 'b.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) });
    const entries = entriesFor(dir, runCheck(dir, ['a.conf', 'b.conf']));
    fs.rmSync(path.join(dir, 'b.conf'));
    const outcome = applyBaseline(baselineIn(dir, entries), runCheck(dir, ['a.conf']));
    expect(outcome.stale.map((s) => [s.entry.file, s.fileGone])).toEqual([['b.conf', true]]);
    expect(outcome.notes[0]!.message).toContain('(file removed?)');
  });

  it('updating with fewer rules selected keeps the entries of the rules that did not run', () => {
    const dir = project({ 'nginx.conf': nginxConf([['listen 443 ssl;', WEAK_TLS, 'server_tokens on;']]) });
    const both = ['nginx/version-disclosure', TLS_RULE];
    const full = entriesFor(dir, runCheck(dir, ['nginx.conf'], both));
    expect(full.map((e) => e.rule)).toEqual(both);
    const updated = entriesFor(dir, runCheck(dir, ['nginx.conf'], ['nginx/version-disclosure']), full);
    expect(updated).toEqual(full);
  });

  it('updating from a partial run keeps the entries of the files it did not check', () => {
    const dir = project({ 'a.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]), 'b.conf': nginxConf([['listen 443 ssl;', WEAK_TLS]]) });
    const full = entriesFor(dir, runCheck(dir, ['a.conf', 'b.conf']));
    write(dir, 'a.conf', nginxConf([['listen 443 ssl;', STRONG_TLS]]));
    const updated = entriesFor(dir, runCheck(dir, ['a.conf']), full);
    expect(updated.map((e) => e.file)).toEqual(['b.conf']);
  });
});

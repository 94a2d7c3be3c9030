// `conftune check --baseline FILE` as a user meets it: write the baseline once, then only new
// findings are reported, in every format; entries that match nothing any more are said on stderr
// (and in the machine formats); exit codes follow what is left.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { conftune, tempTree } from '../helpers/cli.js';
import { nginxConf, STRONG_TLS, TLS_RULE, WEAK_TLS } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const d = tempTree(files, 'conftune-baseline-cli-');
  dirs.push(d);
  return d;
}
const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
const write = (dir: string, name: string, text: string): void => fs.writeFileSync(path.join(dir, name), text);

const PIN = ['--nginx-version', '1.24', '--select', TLS_RULE];
const OLD = nginxConf([['listen 443 ssl;', WEAK_TLS]]);
/** OLD with a second server holding a new weak protocol list. */
const OLD_AND_NEW = nginxConf([['listen 443 ssl;', WEAK_TLS], ['listen 8443 ssl;', 'ssl_protocols TLSv1.1 TLSv1.2;']], ['# edited since the baseline']);

/** A project whose nginx.conf has one known finding, baselined; then nginx.conf is `now`. */
function baselined(now?: string): string {
  const dir = project({ 'nginx.conf': OLD });
  const r = conftune(['check', ...PIN, '--update-baseline', '--baseline', 'conftune-baseline.json', 'nginx.conf'], { cwd: dir });
  expect(r.code).toBe(0);
  if (now !== undefined) write(dir, 'nginx.conf', now);
  return dir;
}
/** 1-based line of the first line of `text` holding `needle`. */
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const NEW_LINE = lineOf(OLD_AND_NEW, 'TLSv1.1');
const check = (dir: string, ...args: string[]) => conftune(['check', ...PIN, '--baseline', 'conftune-baseline.json', ...args, 'nginx.conf'], { cwd: dir });

describe('writing the baseline', () => {
  it('--update-baseline writes the file, says so on stderr, prints no report and exits 0', () => {
    const dir = project({ 'nginx.conf': OLD });
    const r = conftune(['check', ...PIN, '--update-baseline', '--baseline', 'known.json', 'nginx.conf'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('conftune: wrote known.json: 1 finding in 1 file\n');
    expect(JSON.parse(read(dir, 'known.json')).entries).toEqual([{ rule: TLS_RULE, file: 'nginx.conf', text: WEAK_TLS, count: 1 }]);
  });

  it('without --baseline, writes conftune-baseline.json in the current folder', () => {
    const dir = project({ 'nginx.conf': OLD });
    expect(conftune(['check', ...PIN, '--update-baseline', 'nginx.conf'], { cwd: dir }).code).toBe(0);
    expect(JSON.parse(read(dir, 'conftune-baseline.json')).version).toBe(1);
  });

  it('stores paths relative to the baseline file\'s folder, with / separators', () => {
    const dir = project({ 'deploy/sites/app.conf': OLD, 'ci/.keep': '' });
    const r = conftune(['check', ...PIN, '--update-baseline', '--baseline', 'ci/baseline.json', 'deploy/sites/app.conf'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(read(dir, 'ci/baseline.json')).entries[0].file).toBe('../deploy/sites/app.conf');
    // Run from another folder, the same baseline still applies.
    const again = conftune(['check', ...PIN, '--baseline', '../ci/baseline.json', 'sites/app.conf'], { cwd: path.join(dir, 'deploy') });
    expect([again.code, again.stdout]).toEqual([0, '']);
  });

  it('running it again on an unchanged tree leaves the file as it was', () => {
    const dir = baselined();
    const before = read(dir, 'conftune-baseline.json');
    const r = conftune(['check', ...PIN, '--update-baseline', '--baseline', 'conftune-baseline.json', 'nginx.conf'], { cwd: dir });
    expect(r.stderr).toBe('conftune: conftune-baseline.json is up to date (1 finding in 1 file)\n');
    expect(read(dir, 'conftune-baseline.json')).toBe(before);
  });

  it('refuses to write when the check itself fails (a syntax error): exit 2, nothing written', () => {
    const dir = project({ 'nginx.conf': 'events {}\nhttp {\n' });
    const r = conftune(['check', '--update-baseline', 'nginx.conf'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nginx.conf:3:1: unexpected end of file');
    expect(r.stderr).toContain('conftune-baseline.json not written');
    expect(fs.existsSync(path.join(dir, 'conftune-baseline.json'))).toBe(false);
  });
});

describe('target versions', () => {
  it('the baseline records them; a run for another version says so once, on stderr', () => {
    const dir = baselined();
    expect(JSON.parse(read(dir, 'conftune-baseline.json')).targets).toEqual({ nginx: '1.24.0', gunicorn: '23.0.0' });
    const r = conftune(['check', '--nginx-version', '1.26', '--select', TLS_RULE, '--baseline', 'conftune-baseline.json', 'nginx.conf'], { cwd: dir });
    expect(r.stderr).toContain('conftune: conftune-baseline.json: note: written for nginx 1.24.0 (this run: 1.26.0): findings that depend on the version may show as new');
    expect(r.code).toBe(0);
  });
});

describe('usage errors exit 2 with one line', () => {
  it('a missing baseline file, saying how to create it', () => {
    const dir = project({ 'nginx.conf': OLD });
    const r = check(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('conftune: conftune-baseline.json: baseline file not found (write it with `conftune check --update-baseline --baseline conftune-baseline.json`)\n');
  });

  it('a baseline that is not valid JSON, with line and column', () => {
    const dir = project({ 'nginx.conf': OLD, 'conftune-baseline.json': '{\n  "version": 1,\n  "entries": [\n    {"rule": "x",}\n  ]\n}\n' });
    const r = check(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^conftune: conftune-baseline\.json:4:18: not valid JSON \(.+\)\n$/);
  });

  it('--strict-baseline without --baseline', () => {
    const dir = project({ 'nginx.conf': OLD });
    const r = conftune(['check', '--strict-baseline', 'nginx.conf'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([2, 'conftune: --strict-baseline needs --baseline <file>\n']);
  });

  it('--update-baseline with --fix', () => {
    const dir = project({ 'nginx.conf': OLD });
    const r = conftune(['check', '--update-baseline', '--fix', 'nginx.conf'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run --fix first, then --update-baseline');
  });
});

describe('checking against the baseline', () => {
  it('known findings are not reported: no output, exit 0', () => {
    const r = check(baselined());
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('a new finding is reported alone, exit 1; the summary counts the known ones', () => {
    const r = check(baselined(OLD_AND_NEW));
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => / (error|warning|info) /.test(l));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^nginx\\.conf:${NEW_LINE}:9: error nginx/weak-ssl-tls ssl_protocols enables TLSv1\\.1`))]);
    expect(r.stdout).toContain('1 finding (1 error, 0 warnings, 0 info); 1 in the baseline');
  });

  it('exits 0 when what is left is below --fail-level', () => {
    const dir = baselined(OLD_AND_NEW);
    const r = conftune(['check', '--nginx-version', '1.24', '--select', `${TLS_RULE},nginx/hsts-header`, '--baseline', 'conftune-baseline.json', '--fail-level', 'error', 'nginx.conf'], { cwd: dir });
    // The new TLS finding is an error: still 1. Without it, a warning alone passes.
    expect(r.code).toBe(1);
    write(dir, 'nginx.conf', OLD);
    expect(conftune(['check', ...PIN, '--baseline', 'conftune-baseline.json', '--fail-level', 'error', 'nginx.conf'], { cwd: dir }).code).toBe(0);
  });
});

describe('entries that no longer match', () => {
  const FIXED = nginxConf([['listen 443 ssl;', STRONG_TLS]]);

  it('are listed on stderr, one line each, and do not fail the run', () => {
    const r = check(baselined(FIXED));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `conftune: conftune-baseline.json: note: 1 entry no longer matches (fixed?): ${TLS_RULE} in nginx.conf "${WEAK_TLS}"\n` +
        'conftune: conftune-baseline.json: note: 1 entry no longer matches: `conftune check --update-baseline` removes it\n',
    );
  });

  it('--strict-baseline makes them fail the run (exit 1)', () => {
    const r = check(baselined(FIXED), '--strict-baseline');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(--strict-baseline: exit 1)');
  });

  it('--update-baseline drops them', () => {
    const dir = baselined(FIXED);
    expect(conftune(['check', ...PIN, '--update-baseline', 'nginx.conf'], { cwd: dir }).code).toBe(0);
    expect(JSON.parse(read(dir, 'conftune-baseline.json')).entries).toEqual([]);
    expect(check(dir, '--strict-baseline').code).toBe(0);
  });
});

describe('every output format shows only what the baseline does not know', () => {
  it('json: the new finding only; stale entries under "notes", on the baseline file', () => {
    const now = nginxConf([['listen 443 ssl;', STRONG_TLS], ['listen 8443 ssl;', 'ssl_protocols TLSv1.1 TLSv1.2;']]);
    const dir = baselined(now);
    const r = check(dir, '--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: { ruleId: string; line: number }) => [f.ruleId, f.line])).toEqual([[TLS_RULE, lineOf(now, 'TLSv1.1')]]);
    const stale = doc.notes.filter((n: { file: string }) => n.file === path.join(dir, 'conftune-baseline.json'));
    expect(stale.map((n: { message: string }) => n.message)).toEqual([
      `1 entry no longer matches (fixed?): ${TLS_RULE} in nginx.conf "${WEAK_TLS}"`,
      '1 entry no longer matches: `conftune check --update-baseline` removes it',
    ]);
  });

  it('json output still matches schema/check-result.schema.json', async () => {
    const { default: Ajv } = await import('ajv');
    const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../schema/check-result.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const doc = JSON.parse(check(baselined(nginxConf([['listen 443 ssl;', STRONG_TLS]])), '--format', 'json').stdout);
    expect(doc.notes.length).toBeGreaterThan(0);
    validate(doc);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('sarif: a valid log; known findings kept as externally suppressed, stale entries as notifications', () => {
    const dir = baselined(OLD_AND_NEW);
    write(dir, 'other.conf', nginxConf([['listen 443 ssl;', STRONG_TLS]]));
    const r = conftune(['check', ...PIN, '--baseline', 'conftune-baseline.json', '--format', 'sarif', 'nginx.conf'], { cwd: dir });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    const ajv = new AjvDraft04({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../data/sarif/sarif-schema-2.1.0.json'), 'utf8')));
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
    const results = log.runs[0].results.map((x: { locations: Array<{ physicalLocation: { region: { startLine: number } } }>; baselineState: string; suppressions?: Array<{ kind: string }> }) => [
      x.locations[0]!.physicalLocation.region.startLine, x.baselineState, x.suppressions?.[0]?.kind ?? null,
    ]);
    expect(results).toEqual([[NEW_LINE, 'new', null], [lineOf(OLD_AND_NEW, WEAK_TLS), 'unchanged', 'external']]);
  });

  it('sarif: stale entries are tool notifications on the baseline file', () => {
    const dir = baselined(nginxConf([['listen 443 ssl;', STRONG_TLS]]));
    const log = JSON.parse(check(dir, '--format', 'sarif').stdout);
    const notes = log.runs[0].invocations[0].toolExecutionNotifications;
    expect(notes.map((n: { level: string; message: { text: string } }) => [n.level, n.message.text])).toEqual([
      ['note', `1 entry no longer matches (fixed?): ${TLS_RULE} in nginx.conf "${WEAK_TLS}"`],
      ['note', '1 entry no longer matches: `conftune check --update-baseline` removes it'],
    ]);
    expect(notes[0].locations[0].physicalLocation.artifactLocation.uri).toBe('conftune-baseline.json');
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(true);
  });

  it('github: one annotation, for the new finding', () => {
    const r = check(baselined(OLD_AND_NEW), '--format', 'github');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^::error file=nginx\\.conf,line=${NEW_LINE},col=9,.*title=nginx/weak-ssl-tls::`))]);
  });

  it('checkstyle: one error element, for the new finding', () => {
    const r = check(baselined(OLD_AND_NEW), '--format', 'checkstyle');
    expect(r.code).toBe(1);
    expect(r.stdout.match(/<error /g)).toHaveLength(1);
    expect(r.stdout).toContain(`<error line="${NEW_LINE}" column="9" severity="error"`);
  });

  it('stylish and every other format exit 0 when everything is known', () => {
    const dir = baselined(nginxConf([['listen 443 ssl;', WEAK_TLS]], ['# a comment above everything']));
    for (const format of ['stylish', 'json', 'sarif', 'github', 'checkstyle']) {
      const r = check(dir, '--format', format);
      expect([format, r.code, r.stderr]).toEqual([format, 0, '']);
    }
  });
});

describe('--fix with --baseline fixes only what is reported', () => {
  const UPSTREAMS = (names: string[]): string =>
    `events {}\nhttp {\n${names.map((n) => `    upstream ${n} {\n        server 127.0.0.1:8000;\n    }\n`).join('')}    server {\n        listen 8080;\n${names.map((n) => `        location /${n} {\n            proxy_pass http://${n};\n        }\n`).join('')}    }\n}\n`;
  const KEEPALIVE = ['--nginx-version', '1.24', '--select', 'nginx/upstream-keepalive-missing', '--no-verify'];

  it('the known upstream stays as it is, the new one is fixed', () => {
    const dir = project({ 'nginx.conf': UPSTREAMS(['legacy']) });
    expect(conftune(['check', ...KEEPALIVE, '--update-baseline', 'nginx.conf'], { cwd: dir }).code).toBe(0);
    write(dir, 'nginx.conf', UPSTREAMS(['legacy', 'fresh']));
    const r = conftune(['check', ...KEEPALIVE, '--baseline', 'conftune-baseline.json', '--fix', 'nginx.conf'], { cwd: dir });
    expect(r.stderr).toContain('applied 1 fix in 1 file');
    expect(r.code).toBe(0);
    const text = read(dir, 'nginx.conf');
    expect(text).toMatch(/upstream fresh \{\n\s+server 127\.0\.0\.1:8000;\n\s+keepalive \d+;/);
    expect(text).toMatch(/upstream legacy \{\n\s+server 127\.0\.0\.1:8000;\n\s+\}/);
  });

  it('--diff with --baseline shows only the new upstream\'s fix', () => {
    const dir = project({ 'nginx.conf': UPSTREAMS(['legacy']) });
    conftune(['check', ...KEEPALIVE, '--update-baseline', 'nginx.conf'], { cwd: dir });
    write(dir, 'nginx.conf', UPSTREAMS(['legacy', 'fresh']));
    const r = conftune(['check', ...KEEPALIVE, '--baseline', 'conftune-baseline.json', '--diff', 'nginx.conf'], { cwd: dir });
    const added = r.stdout.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));
    expect(added.some((l) => /keepalive/.test(l))).toBe(true);
    // One upstream's worth of edits: the hunk touches "fresh" only.
    expect(r.stdout).not.toMatch(/upstream legacy \{\n(\s.*\n)*\+\s+keepalive/);
  });
});

describe('a pre-commit run checks only the changed files', () => {
  // The seed deployment: nginx.conf in front of a gevent gunicorn (Procfile), with findings on both
  // the nginx side and across the two (a cross rule that needs both files).
  const SEED = path.resolve(__dirname, '../../fixtures/seed');
  function seedBaselined(): string {
    const dir = project(Object.fromEntries(fs.readdirSync(SEED).map((f) => [f, fs.readFileSync(path.join(SEED, f), 'utf8')])));
    const r = conftune(['check', '--nginx-version', '1.24', '--update-baseline'], { cwd: dir });
    expect(r.code).toBe(0);
    const rules = JSON.parse(read(dir, 'conftune-baseline.json')).entries.map((e: { rule: string }) => e.rule);
    expect(rules.some((id: string) => id.startsWith('cross/'))).toBe(true);
    return dir;
  }
  const hook = (dir: string, ...files: string[]) => conftune(['check', '--nginx-version', '1.24', '--baseline', 'conftune-baseline.json', ...files], { cwd: dir });

  it('given only nginx.conf, nothing is new and no entry of the other files, or of the cross rules, is called fixed', () => {
    const dir = seedBaselined();
    const r = hook(dir, 'nginx.conf');
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).not.toContain('no longer match');
  });

  it('given only the Procfile, the entries of nginx.conf are not called fixed', () => {
    const dir = seedBaselined();
    const r = hook(dir, 'Procfile');
    expect(r.stderr).not.toContain('no longer match');
    expect(r.code).toBe(0);
  });

  it('given the changed file, a problem fixed in it is reported as a stale entry', () => {
    const dir = seedBaselined();
    write(dir, 'nginx.conf', read(dir, 'nginx.conf').replace('worker_connections 768;', 'worker_connections 1024;'));
    const r = hook(dir, 'nginx.conf');
    const stale = r.stderr.split('\n').filter((l) => l.includes('(fixed?)'));
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.every((l) => l.includes('in nginx.conf "worker_connections 768;"'))).toBe(true);
  });
});

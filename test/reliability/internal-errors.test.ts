// An internal error (a rule that throws) is one line naming the file and asking for a report,
// with exit code 2; the stack trace appears only with --debug.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check.js';
import { conftune, tempDir } from '../helpers/cli.js';

const dir = tempDir('conftune-internal-');
fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp {\n    server_tokens on;\n}\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const HOOK = { CONFTUNE_TEST_THROW_RULE: 'nginx/version-disclosure' };
const ARGS = ['check', '--no-config', '--nginx-version', '1.24.0', 'nginx.conf'];

describe('internal errors', () => {
  it('records a throwing rule as an internal error with the file it was checking, and keeps the other rules', () => {
    const r = check({ paths: ['nginx.conf'], cwd: dir, config: {}, nginxVersion: '1.24.0', cpus: 4, env: HOOK });
    expect(r.internalErrors.map((e) => [e.ruleId, e.file])).toEqual([['nginx/version-disclosure', path.join(dir, 'nginx.conf')]]);
    expect(r.findings.length).toBeGreaterThan(0);
  });

  it('prints one line naming the rule and the file, hints to report it, and exits 2', () => {
    const r = conftune(ARGS, { cwd: dir, env: HOOK });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^conftune: internal error while processing nginx\.conf: rule nginx\/version-disclosure: injected failure .*please report it/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('shows the stack trace with --debug', () => {
    const r = conftune(['--debug', ...ARGS], { cwd: dir, env: HOOK });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/internal error while processing nginx\.conf/);
    expect(r.stderr).toMatch(/\n\s+at .*check/);
  });

  it('keeps machine formats parseable on stdout while the error goes to stderr', () => {
    const r = conftune([...ARGS, '--format', 'json'], { cwd: dir, env: HOOK });
    expect(r.code).toBe(2);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toMatch(/internal error/);
  });
});

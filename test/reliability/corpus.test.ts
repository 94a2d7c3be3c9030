// Every file of the shared corpus goes through `check` with every rule: no throw, no internal error.
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { check } from '../../src/check.js';
import { CORPUS, corpusFiles } from '../fuzz/helpers.js';
import { describeShared } from '../helpers/shared.js';

describeShared('check on the whole corpus', () => {
  it('checks every corpus file with all rules without a crash or an internal error', { timeout: 600_000 }, () => {
    const files = corpusFiles();
    expect(files.length, `no files under ${CORPUS}`).toBeGreaterThan(0);
    const byRule = new Map<string, number>();
    const failures: string[] = [];
    let errors = 0;
    const t0 = process.hrtime.bigint();
    for (const file of files) {
      // Forced to nginx: READMEs and Perl test files are hostile input as good as any.
      const kind = /\.(py)$|Procfile|Dockerfile|\.service$|compose.*\.ya?ml$/.test(path.basename(file)) ? 'gunicornPaths' : 'nginxPaths';
      try {
        const r = check({ paths: [], [kind]: [file], cwd: path.dirname(file), config: {}, nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 4, env: {} });
        for (const ie of r.internalErrors) failures.push(`${path.relative(CORPUS, file)}: internal error in ${ie.ruleId}: ${(ie.error as Error)?.message ?? ie.error}`);
        for (const f of r.findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
        errors += r.errors.length;
      } catch (e) {
        failures.push(`${path.relative(CORPUS, file)}: threw ${(e as Error)?.stack ?? e}`);
      }
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const top = [...byRule].sort((a, b) => b[1] - a[1]);
    console.log(
      `corpus: ${files.length} files in ${seconds.toFixed(1)} s, ${top.reduce((s, [, n]) => s + n, 0)} findings from ${top.length} rules, ${errors} files-level errors (syntax/I/O)\n` +
        top.map(([id, n]) => `  ${String(n).padStart(6)}  ${id}`).join('\n'),
    );
    expect(failures).toEqual([]);
  });
});

#!/usr/bin/env node
// Prints vitest's JSON results (one file per pass) as the plain line CI reads:
// "N passed, N failed[, N skipped]". Suites skipped for want of ../shared (test/helpers/shared.ts
// marks them with one skipped test titled "skipped: no ../shared/…") are listed on the line before.
import * as fs from 'node:fs';
import * as path from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
/** "skipped: no ../shared/corpus" -> the files whose suites said so. */
const missing = new Map();
const files = process.argv.slice(2);
if (files.length === 0) failed = 1;
for (const file of files) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    failed++; // a pass that wrote no result crashed
    continue;
  }
  passed += r.numPassedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A test file that failed to load counts as a failure even if it ran no test.
  const brokenFiles = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  failed += (r.numFailedTests ?? 0) + brokenFiles;
  for (const s of r.testResults ?? []) {
    for (const a of s.assertionResults ?? []) {
      if (a.status === 'failed' || !/^skipped: no \S/.test(a.title ?? '')) continue;
      const files = missing.get(a.title) ?? new Set();
      files.add(path.relative(process.cwd(), s.name ?? '') || s.name);
      missing.set(a.title, files);
    }
  }
}
for (const [why, files] of missing) console.log(`${why}: ${[...files].sort().join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

// docs/rules.md is generated from the rules' meta (scripts/gen-docs.mjs) and checked in: it must
// match what the generator makes from today's rules. Fix a failure with `npm run build && node scripts/gen-docs.mjs`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { pageExists, renderRulesIndex } from '../../scripts/gen-docs.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('docs/rules.md', () => {
  it('is up to date with the rules registry', () => {
    const fresh = renderRulesIndex(allRules.map((r) => r.meta), pageExists);
    expect(fs.readFileSync(path.join(ROOT, 'docs/rules.md'), 'utf8')).toBe(fresh);
  });

  it('lists every rule once', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/rules.md'), 'utf8');
    for (const r of allRules) expect(text.split(`| ${r.meta.id} |`).length + text.split(`[${r.meta.id}]`).length - 2).toBe(1);
  });

  it('links only to rule pages that exist', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/rules.md'), 'utf8');
    for (const m of text.matchAll(/\]\(\.\.\/(rules\/[^)]+\.md)\)/g)) expect(fs.existsSync(path.join(ROOT, m[1]!))).toBe(true);
  });
});

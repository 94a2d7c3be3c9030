// Every cross rule ships its docs page (`conftune explain`) and its fixture folder.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../../rules/index.js';
import { REPO } from './helpers.js';

const cross = allRules.filter((r) => r.meta.id.startsWith('cross/'));
const SECTIONS = ['## What it detects', '## Why', '## Bad', '## Good', '## How to fix', '## How to suppress'];

describe('cross rule docs and fixtures', () => {
  it('registers the 15 cross rules of the catalog', () => {
    expect(cross.map((r) => r.meta.id).sort()).toHaveLength(15);
  });

  for (const r of cross) {
    const name = r.meta.id.slice('cross/'.length);
    const md = path.join(REPO, 'rules', 'cross', `${name}.md`);

    it(`${r.meta.id}: the docs page has every section, names the rule and states its meta`, () => {
      const text = fs.readFileSync(md, 'utf8');
      expect(text.startsWith(`# ${r.meta.id}\n`)).toBe(true);
      for (const s of SECTIONS) expect(text, s).toContain(`\n${s}\n`);
      expect(text).toContain(`**Severity:** ${r.meta.severity}`);
      expect(text).toContain(`**Fix:** ${r.meta.fix}`);
      expect(text).toContain(`conftune-disable`);
      expect(text.slice(text.indexOf('## How to suppress'))).toContain(r.meta.id);
    });

    it(`${r.meta.id}: the fixture folder has a bad and a good deployment`, () => {
      const dir = path.join(REPO, 'fixtures', 'cross', name);
      const entries = fs.readdirSync(dir);
      expect(entries.some((e) => /^bad(-[\w-]+)?$/.test(e) && fs.statSync(path.join(dir, e)).isDirectory())).toBe(true);
      expect(entries.some((e) => /^good(-[\w-]+)?$/.test(e) && fs.statSync(path.join(dir, e)).isDirectory())).toBe(true);
      if (r.meta.fix === 'safe') expect(entries).toContain('bad.fixed');
    });
  }
});

// Agreement with crossplane's expected parse trees (crossplane/expected/*.parse.json), except where
// nginx itself disagrees with crossplane: those cases are listed below, each with the reason.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { crossplanePayload, loadConfig } from '../../src/nginx/load.js';
import { describeShared } from '../helpers/shared.js';
import { CORPUS, firstDifference, shapeOf } from './helpers.js';

const DIR = path.join(CORPUS, 'crossplane');

/** Cases where crossplane's tree is not what nginx reads (nginx 1.22 checked); see docs/parser.md. */
export const CROSSPLANE_DIFFERENCES: Record<string, string> = {
  'bad-args': 'crossplane drops a statement that fails its argument check (`user;`); nginx reports it, the tree keeps it',
  'non-unicode': 'crossplane keeps `\\n` in `"M\xfclln\\n"` as two characters; nginx unescapes it to a newline',
  messy:
    'crossplane keeps `\\"` `\\\\` `\\n` as two characters (nginx unescapes them) and merges `/abc/${uri} /abc/${uri}.html` into one argument (nginx: `{` after `$` does not end the word, the space does)',
};

interface Case {
  name: string;
  config: string;
  expected: string;
}

function cases(): Case[] {
  return fs
    .readdirSync(path.join(DIR, 'expected'))
    .filter((f) => f.endsWith('.parse.json'))
    .map((f) => {
      const name = f.slice(0, -'.parse.json'.length);
      const [dir, file] = name.includes('--') ? name.split('--') : [name, 'nginx'];
      return { name, config: path.join(DIR, 'configs', dir!, `${file}.conf`), expected: path.join(DIR, 'expected', f) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

interface Outcome {
  name: string;
  agrees: boolean;
  detail: string;
}

function compare(c: Case): Outcome {
  const expected = JSON.parse(fs.readFileSync(c.expected, 'utf8')) as ReturnType<typeof crossplanePayload>;
  const base = path.dirname(c.config);
  const ours = crossplanePayload(loadConfig(c.config), base);
  const expFiles = expected.config.map((f) => f.file);
  const ourFiles = ours.config.map((f) => f.file);
  const mismatches: string[] = [];
  for (const ef of expected.config) {
    const of = ours.config.find((f) => f.file === ef.file);
    if (!of) {
      mismatches.push(`missing file ${ef.file}`);
      continue;
    }
    const diff = firstDifference(shapeOf(ef.parsed, expFiles, false), shapeOf(of.parsed, ourFiles, true));
    if (diff) mismatches.push(`${ef.file}: ${diff}`);
  }
  return { name: c.name, agrees: mismatches.length === 0, detail: mismatches.join('\n') };
}

// Without ../shared/corpus the suite is skipped (a failure in CI): see test/helpers/shared.ts.
describeShared('crossplane expected parse trees', () => {
  const all = cases();

  it('finds the crossplane cases', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  it('agrees with crossplane on every case except the listed nginx/crossplane differences', () => {
    const outcomes = all.map(compare);
    const agreements = outcomes.filter((o) => o.agrees).length;
    const listed = outcomes.filter((o) => o.name in CROSSPLANE_DIFFERENCES);
    console.log(`crossplane: ${all.length} cases, ${agreements} agree, ${listed.length} listed differences (${Object.keys(CROSSPLANE_DIFFERENCES).join(', ')})`);
    const unexpected = outcomes.filter((o) => !o.agrees && !(o.name in CROSSPLANE_DIFFERENCES));
    expect(unexpected.map((o) => `${o.name}: ${o.detail}`)).toEqual([]);
  });

  it('still differs on every listed case (the list stays honest)', () => {
    const stale = all.filter((c) => c.name in CROSSPLANE_DIFFERENCES).map(compare).filter((o) => o.agrees);
    expect(stale.map((o) => o.name)).toEqual([]);
  });
});

// Golden output of every format on the seed setup and on a file with an inline suppression.
// After an intended change in a reporter or a rule's wording: UPDATE_GOLDEN=1 npx vitest run test/report

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/report/index.js';
import { CASES, normalise, render, reportInput } from './helpers.js';

const GOLDEN = path.join(import.meta.dirname, 'golden');


describe.each(CASES)('golden output for $name', (c) => {
  it.each([...FORMATS])('prints the expected %s report', async (format) => {
    const text = normalise(await render(format, reportInput(c)));
    const file = path.join(GOLDEN, `${c.name}.${format}.txt`);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
    expect(text).toBe(fs.readFileSync(file, 'utf8'));
  });
});

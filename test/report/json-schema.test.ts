// `--format json` is documented by schema/check-result.schema.json: the output must match it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { json } from '../../src/report/json.js';
import { CASES, ROOT, reportInput } from './helpers.js';

const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/check-result.schema.json'), 'utf8')));

describe('json reporter', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('matches schema/check-result.schema.json (%s)', (_, c) => {
    const ok = validate(JSON.parse(json(reportInput(c))));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('matches the schema when a file cannot be read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-json-'));
    const out = JSON.parse(json(reportInput({ name: 'missing', cwd: dir, select: ['nginx/'], paths: ['absent.conf'] })));
    expect(out.errors).toHaveLength(1);
    expect(validate(out)).toBe(true);
  });

  it('matches the schema with every rule selected on the seed setup', () => {
    const ok = validate(JSON.parse(json(reportInput({ ...CASES[0]!, select: [] }))));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

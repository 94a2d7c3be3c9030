// The baseline file: versioned, pretty-printed JSON, entries sorted so that git diffs show what
// changed; a file conftune cannot read is named with what is wrong (and where, for broken JSON).
import { describe, expect, it } from 'vitest';
import { BASELINE_VERSION, formatBaseline, parseBaseline, type BaselineEntry } from '../../src/baseline/format.js';

const entry = (file: string, rule: string, text: string, count = 1): BaselineEntry => ({ rule, file, text, count });

describe('writing', () => {
  it('carries a version and one entry per key', () => {
    const doc = JSON.parse(formatBaseline([entry('a.conf', 'nginx/x', 'x on;')]));
    expect(doc.version).toBe(BASELINE_VERSION);
    expect(doc.entries).toEqual([{ rule: 'nginx/x', file: 'a.conf', text: 'x on;', count: 1 }]);
  });

  it('sorts entries by file, then rule, then text, whatever order they come in', () => {
    const shuffled = [entry('b.conf', 'nginx/a', 'z;'), entry('a.conf', 'nginx/b', 'y;'), entry('a.conf', 'nginx/a', 'y;'), entry('a.conf', 'nginx/a', 'x;')];
    const files = JSON.parse(formatBaseline(shuffled)).entries.map((e: BaselineEntry) => `${e.file} ${e.rule} ${e.text}`);
    expect(files).toEqual(['a.conf nginx/a x;', 'a.conf nginx/a y;', 'a.conf nginx/b y;', 'b.conf nginx/a z;']);
    expect(formatBaseline(shuffled)).toBe(formatBaseline([...shuffled].reverse()));
  });

  it('adds up repeated keys into one count', () => {
    const doc = JSON.parse(formatBaseline([entry('a.conf', 'nginx/x', 'x;', 2), entry('a.conf', 'nginx/x', 'x;', 1)]));
    expect(doc.entries).toEqual([{ rule: 'nginx/x', file: 'a.conf', text: 'x;', count: 3 }]);
  });

  it('is indented JSON ending in a newline, one key per line', () => {
    const text = formatBaseline([entry('a.conf', 'nginx/x', 'x;')]);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n      "rule": "nginx/x",\n');
  });

  it('reads back what it writes', () => {
    const entries = [entry('sites/a b.conf', 'cross/y', 'proxy_pass http://app; "quoted" ünïcode', 4)];
    expect(parseBaseline(formatBaseline(entries), 'b.json')).toEqual({ ok: true, entries });
  });
});

describe('the target versions', () => {
  it('are kept with the entries, and read back', () => {
    const entries = [entry('a.conf', 'nginx/x', 'x;')];
    const text = formatBaseline(entries, { nginx: '1.24.0', gunicorn: '23.0.0' });
    expect(JSON.parse(text).targets).toEqual({ nginx: '1.24.0', gunicorn: '23.0.0' });
    expect(parseBaseline(text, 'b.json')).toEqual({ ok: true, entries, targets: { nginx: '1.24.0', gunicorn: '23.0.0' } });
  });

  it('must name both versions when present', () => {
    const r = parseBaseline('{"version": 1, "targets": {"nginx": "1.24.0"}, "entries": []}', 'b.json');
    expect(r.ok ? '' : r.message).toBe('b.json: "targets" must be {"nginx": "<version>", "gunicorn": "<version>"}');
  });
});

describe('reading a file conftune cannot use', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['broken JSON, with line and column', '{\n  "version": 1,\n  "entries": [,]\n}\n', /^b\.json:3:15: not valid JSON/],
    ['not an object', '[]', /^b\.json: expected an object with "version" and "entries"$/],
    ['no version', '{"entries": []}', /^b\.json: no "version"; this conftune reads baseline version 1$/],
    ['a newer version', '{"version": 2, "entries": []}', /^b\.json: "version" 2; this conftune reads baseline version 1$/],
    ['entries not a list', '{"version": 1, "entries": {}}', /^b\.json: "entries" must be an array$/],
    ['an entry without its text', '{"version": 1, "entries": [{"rule": "a", "file": "f", "count": 1}]}', /^b\.json: entries\[0\]\.text: expected a string$/],
    ['a zero count', '{"version": 1, "entries": [{"rule": "a", "file": "f", "text": "t", "count": 0}]}', /^b\.json: entries\[0\]\.count: expected a positive integer$/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      const r = parseBaseline(text, 'b.json');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(message);
    });
  }
});

describe('where broken JSON goes wrong', () => {
  const cases: Array<[string, string, string]> = [
    ['a stray comma', '{\n  "version": 1,\n  "entries": [,]\n}\n', 'b.json:3:15: not valid JSON'],
    ['a missing closing brace', '{\n  "version": 1', 'b.json:2:15: not valid JSON'],
    ['text after the object', '{"version": 1, "entries": []}}', 'b.json:1:30: not valid JSON'],
    ['a misspelt literal', '{"version": tru}', 'b.json:1:16: not valid JSON'],
    ['a trailing comma in a list', '{"entries": [1,]}', 'b.json:1:16: not valid JSON'],
    ['an empty file', '', 'b.json:1:1: not valid JSON'],
  ];
  for (const [name, text, prefix] of cases) {
    it(name, () => {
      const r = parseBaseline(text, 'b.json');
      expect(r.ok ? '' : r.message).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')} \\(\\S`));
      // JSON.parse's reason, without its echo of the text.
      expect(r.ok ? '' : r.message).not.toContain('is not valid JSON');
    });
  }
});

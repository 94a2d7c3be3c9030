// The fix applier never changes a byte outside its edits: everything between edits comes through
// unchanged, in order, whatever the text (CRLF, NUL, invalid UTF-8) and wherever the edits fall.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyEditsToText, editsOverlap, invalidEdits } from '../../src/edit/apply-text.js';
import type { Edit } from '../../src/lint/rule.js';
import { fuzzParams, latin1Bytes } from './helpers.js';

const FILE = '/c/nginx.conf';

/** Random text plus non-overlapping edits on it (insertions, deletions, replacements). */
const textWithEdits = latin1Bytes(300).chain((text) =>
  fc
    .array(fc.record({ a: fc.nat({ max: text.length }), b: fc.nat({ max: text.length }), text: latin1Bytes(12) }), { maxLength: 8 })
    .map((raw) => {
      const edits: Edit[] = [];
      for (const r of raw) {
        const e: Edit = { file: FILE, start: Math.min(r.a, r.b), end: Math.max(r.a, r.b), text: r.text };
        if (!edits.some((x) => editsOverlap(x, e) || (x.start === e.start && x.end === e.end))) edits.push(e);
      }
      return { text, edits };
    }),
);

describe('fix applier on arbitrary text', () => {
  it('keeps every byte outside the edits, in order, and puts each edit text in its place', () => {
    fc.assert(fc.property(textWithEdits, ({ text, edits }) => {
      expect(invalidEdits(edits, () => text)).toBeNull();
      const out = applyEditsToText(text, edits);
      // Rebuild the expected output from the untouched gaps and the edit texts.
      const sorted = [...edits].sort((x, y) => x.start - y.start || x.end - y.end);
      let pos = 0;
      let at = 0;
      for (const e of sorted) {
        const gap = text.slice(pos, e.start);
        expect(out.slice(at, at + gap.length)).toBe(gap);
        at += gap.length;
        expect(out.slice(at, at + e.text.length)).toBe(e.text);
        at += e.text.length;
        pos = e.end;
      }
      expect(out.slice(at)).toBe(text.slice(pos));
    }), fuzzParams());
  });

  it('rejects edits outside the text instead of writing garbage', () => {
    fc.assert(fc.property(latin1Bytes(50), fc.integer({ min: -5, max: 100 }), fc.integer({ min: -5, max: 100 }), (text, a, b) => {
      const e: Edit = { file: FILE, start: a, end: b, text: 'x' };
      const bad = invalidEdits([e], () => text);
      if (a < 0 || b < a || b > text.length) expect(bad).not.toBeNull();
      else expect(bad).toBeNull();
    }), fuzzParams(0.5));
  });
});

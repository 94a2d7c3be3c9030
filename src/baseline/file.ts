// Reading and writing the baseline file. Writes are atomic (temp file + rename in the same folder),
// and an unchanged baseline is not rewritten.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBaseline, type BaselineEntry, type BaselineTargets } from './format.js';

export type ReadOutcome =
  | { kind: 'ok'; entries: BaselineEntry[]; targets?: BaselineTargets; text: string }
  | { kind: 'missing' }
  | { kind: 'error'; message: string };

/** `name` is how messages call the file (as the user wrote it). */
export function readBaselineFile(file: string, name: string): ReadOutcome {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'error', message: `${name}: is a directory, expected a baseline file` };
    return { kind: 'error', message: `${name}: cannot read: ${code === 'EACCES' ? 'Permission denied' : (e as Error).message}` };
  }
  const parsed = parseBaseline(text, name);
  return parsed.ok ? { kind: 'ok', entries: parsed.entries, targets: parsed.targets, text } : { kind: 'error', message: parsed.message };
}

/** Writes `text` unless the file already holds it. Returns an error message, or null. */
export function writeBaselineFile(file: string, text: string, name: string, previous?: string): string | null {
  if (previous === text) return null;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    return null;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `folder ${dir} does not exist` : code === 'EACCES' ? 'Permission denied' : (e as Error).message;
    return `${name}: cannot write the baseline: ${why}`;
  }
}

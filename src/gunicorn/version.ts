// The installed gunicorn's version, when there is one on PATH.

import { execFileSync } from 'node:child_process';

/** Runs `gunicorn --version` (2 s limit); undefined when gunicorn is absent or says nothing useful. */
export function detectGunicornVersion(command = 'gunicorn', timeoutMs = 2000): string | undefined {
  try {
    const out = execFileSync(command, ['--version'], { timeout: timeoutMs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return parseGunicornVersionOutput(out);
  } catch (e) {
    // Old versions print the version and exit non-zero on some setups: use the output if any.
    const out = (e as { stdout?: string }).stdout;
    return typeof out === 'string' ? parseGunicornVersionOutput(out) : undefined;
  }
}

/** `gunicorn (version 20.1.0)` → `20.1.0`. */
export function parseGunicornVersionOutput(out: string): string | undefined {
  const m = /version\s+(\d+(?:\.\d+){0,2})/i.exec(out) ?? /\b(\d+\.\d+(?:\.\d+)?)\b/.exec(out);
  return m ? m[1] : undefined;
}

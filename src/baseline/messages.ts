// How stale entries are said, in the style of ESLint's unused-disable reports: one line per entry.

import type { StaleEntry } from './match.js';

/** The flagged text as quoted in a message: short enough for one line. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}…` : text);
}

/** `2 entries no longer match (fixed?): nginx/x in sites/app.conf "proxy_buffering off;"` */
export function staleLine(s: StaleEntry): string {
  const what = s.missing === 1 ? '1 entry no longer matches' : `${s.missing} entries no longer match`;
  const why = s.fileGone ? 'file removed?' : 'fixed?';
  return `${what} (${why}): ${s.entry.rule} in ${s.entry.file} ${quoted(s.entry.text)}`;
}

/** The closing line: how many in all, and what to do about them. */
export function staleSummary(stale: readonly StaleEntry[], strict: boolean): string {
  const n = stale.reduce((sum, s) => sum + s.missing, 0);
  const entries = n === 1 ? '1 entry no longer matches' : `${n} entries no longer match`;
  return `${entries}: \`conftune check --update-baseline\` removes ${n === 1 ? 'it' : 'them'}${strict ? ' (--strict-baseline: exit 1)' : ''}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The baseline was written for other target versions than this run's. */
export function targetsChanged(was: { nginx: string; gunicorn: string }, now: { nginx: string; gunicorn: string }): string {
  const changed = (['nginx', 'gunicorn'] as const).filter((k) => was[k] !== now[k]).map((k) => `${k} ${was[k]} (this run: ${now[k]})`);
  return `written for ${changed.join(' and ')}: findings that depend on the version may show as new, and entries as no longer matching (pin the versions with --nginx-version/--gunicorn-version or conftune.json)`;
}

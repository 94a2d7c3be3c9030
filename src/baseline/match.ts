// Splits a run's findings into those the baseline knows and those it does not, and finds the
// entries nothing matched any more. Pure: the caller says which files exist and what was checked.

import * as path from 'node:path';
import type { SourceFile } from '../nginx/tree.js';
import type { Finding } from '../lint/rule.js';
import { entryKey, sortEntries, type BaselineEntry } from './format.js';
import { coveredKeys, findingKey, inFileOrder } from './key.js';
import type { Scope } from './scope.js';

export interface MatchContext {
  /** The baseline file's folder: entry paths are relative to it. */
  baseDir: string;
  files: ReadonlyMap<string, SourceFile>;
  /** What this run checked (see scope.ts). */
  scope: Scope;
  /** Whether a file is still on disk (an entry of a deleted file no longer matches, whatever was checked). */
  exists: (file: string) => boolean;
}

export interface StaleEntry {
  entry: BaselineEntry;
  /** How many of the entry's `count` findings were not found. */
  missing: number;
  /** The entry's file is gone. */
  fileGone: boolean;
}

export interface BaselineMatch {
  /** Findings not in the baseline: what is reported, in the order given. */
  reported: Finding[];
  /** Findings the baseline knows. */
  matched: Finding[];
  /** Entries, or parts of an entry's count, that matched nothing among what was checked. */
  stale: StaleEntry[];
}

export function matchBaseline(findings: readonly Finding[], entries: readonly BaselineEntry[], ctx: MatchContext): BaselineMatch {
  const known = sortEntries(entries);
  const left = new Map(known.map((e) => [entryKey(e), e.count]));
  const matchedSet = new Set<Finding>();
  const take = (k: string): boolean => {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    return n > 0;
  };
  // The first `count` findings of a key, in file order, are the known ones; later ones are new.
  // What a finding covers is taken along with it, reported or not.
  for (const f of inFileOrder(findings)) {
    if (take(entryKey(findingKey(f, ctx.files, ctx.baseDir)))) matchedSet.add(f);
    for (const covered of coveredKeys(f, ctx.files, ctx.baseDir)) take(entryKey(covered));
  }
  const stale: StaleEntry[] = [];
  for (const entry of known) {
    const missing = left.get(entryKey(entry)) ?? 0;
    if (missing === 0) continue;
    const abs = path.resolve(ctx.baseDir, entry.file);
    const fileGone = !ctx.exists(abs);
    if (fileGone || ctx.scope(entry.rule, abs)) stale.push({ entry, missing, fileGone });
  }
  return {
    reported: findings.filter((f) => !matchedSet.has(f)),
    matched: findings.filter((f) => matchedSet.has(f)),
    stale,
  };
}

/**
 * The entries `--update-baseline` writes: this run's findings, plus the old entries of what this
 * run did not check (other files, rules that did not run), so a partial run keeps the rest.
 * Entries of files that no longer exist are dropped.
 */
export function updatedEntries(findings: readonly Finding[], previous: readonly BaselineEntry[], ctx: MatchContext): BaselineEntry[] {
  const fresh = new Map<string, BaselineEntry>();
  for (const f of inFileOrder(findings)) {
    for (const key of [findingKey(f, ctx.files, ctx.baseDir), ...coveredKeys(f, ctx.files, ctx.baseDir)]) {
      const k = entryKey(key);
      const e = fresh.get(k);
      if (e) e.count++;
      else fresh.set(k, { ...key, count: 1 });
    }
  }
  const kept = previous.filter((e) => {
    if (fresh.has(entryKey(e))) return false;
    const abs = path.resolve(ctx.baseDir, e.file);
    return ctx.exists(abs) && !ctx.scope(e.rule, abs);
  });
  return sortEntries([...fresh.values(), ...kept]);
}

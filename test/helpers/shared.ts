// The one place that knows about ../shared: the folder beside the checkout that holds material
// too big (or under other licences) for the repository — the configuration corpus, the gixy cases,
// the crossplane trees. A clone without it must still pass `npm test`: the suites that need it
// are skipped, each saying so once (`skipped: no ../shared/corpus`). In CI (CI=true) its absence
// is a failure, never a silent skip.
//
// What a plain unit test needs (the SARIF schema, small gixy-style cases…) lives in test/data/.
//
// Env: CONFTUNE_SHARED (the folder, default ../shared next to the checkout); CONFTUNE_CORPUS (the
// corpus alone, default $CONFTUNE_SHARED/corpus).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = process.env.CONFTUNE_SHARED ? path.resolve(process.env.CONFTUNE_SHARED) : path.resolve(REPO, '..', 'shared');

/** In CI a missing ../shared is a failure; elsewhere the suites that need it are skipped. */
export const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** A path inside ../shared (`sharedPath('corpus', 'gixy')`); $CONFTUNE_CORPUS stands for `corpus`. */
export function sharedPath(...parts: string[]): string {
  if (parts[0] === 'corpus' && process.env.CONFTUNE_CORPUS) return path.resolve(process.env.CONFTUNE_CORPUS, ...parts.slice(1));
  return path.join(SHARED, ...parts);
}

/** The corpus root, `../shared/corpus`. */
export const CORPUS = sharedPath('corpus');

/** Whether `../shared/<parts>` exists (default: the corpus, recognised by its README). */
export function sharedAvailable(...parts: string[]): boolean {
  return fs.existsSync(parts.length === 0 ? path.join(CORPUS, 'README.md') : sharedPath(...parts));
}

/** How a missing piece is named in messages: `../shared/corpus`. */
function label(parts: string[]): string {
  return ['../shared', ...(parts.length === 0 ? ['corpus'] : parts)].join('/');
}

/**
 * `describe(name, fn)` for a suite that reads ../shared. `needs` is what it reads, relative to
 * ../shared (default: the corpus). When that is absent, `fn` is not run at all (so it may read
 * files while collecting its tests): outside CI the suite prints `skipped: no ../shared/corpus`
 * once and reports one skipped test; with CI=true it reports one failing test saying what is
 * missing and where it was looked for.
 */
export function describeShared(name: string, fn: () => void, ...needs: string[]): void {
  if (sharedAvailable(...needs)) {
    describe(name, fn);
    return;
  }
  const what = label(needs);
  const where = needs.length === 0 ? CORPUS : sharedPath(...needs);
  if (IN_CI) {
    describe(name, () => {
      it(`needs ${what}`, () => {
        throw new Error(`${what} is missing (looked for ${where}): CI must run this suite with ${what} beside the checkout`);
      });
    });
    return;
  }
  console.warn(`skipped: no ${what} (${name})`);
  describe(name, () => {
    it.skip(`skipped: no ${what}`, () => {});
  });
}

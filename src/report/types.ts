// What a reporter receives: plain data from `check`, nothing to compute.

import type { SourceFile } from '../nginx/tree.js';
import type { Finding, RuleMeta } from '../lint/rule.js';
import type { CheckError, Targets } from '../check.js';

export interface ReportInput {
  findings: Finding[];
  /** Inline-suppressed findings (SARIF lists them with `suppressions`). */
  suppressed: Finding[];
  errors: CheckError[];
  /** Things conftune could not read or decide, and where its assumptions came from. */
  notes?: CheckError[];
  /** Target versions and cores the rules used, with their sources. */
  targets?: Targets;
  /** Set when `--baseline` took known findings out of `findings` (see src/baseline/). */
  baseline?: BaselineReport;
  files: Map<string, SourceFile>;
  rules: RuleMeta[];
  /** Paths are printed relative to this directory. */
  cwd: string;
  color: boolean;
  toolVersion: string;
}

export type Reporter = (input: ReportInput) => string;

export interface BaselineReport {
  /** The baseline file (absolute). */
  file: string;
  /** Findings the baseline lists: not reported; SARIF keeps them as externally suppressed results. */
  matched: Finding[];
  /** Notes on the baseline: entries that matched nothing this run checked, changed target versions. */
  stale: string[];
}

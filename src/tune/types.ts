// Public shapes of `tune(options) → TuneResult`.

import type { CheckOptions } from '../check.js';
import type { BackendKind, GunicornKnobs } from './backend.js';
import type { ArmSummary, ComparisonResult, Ratio, ScenarioKind, Verdict } from './compare.js';

export interface TuneProgress {
  /** `setup`, `screen`, `idle-gap`, `search <knob>`, `confirm`, `cleanup`. */
  phase: string;
  /** 1-based index of the arm being measured and how many the phase has. */
  index?: number;
  total?: number;
  label?: string;
  round?: number;
  rounds?: number;
  elapsedSec: number;
  budgetSec: number;
}

export interface TuneOptions {
  /** nginx config and gunicorn sources, as `check` takes them; empty: discovered in cwd. */
  paths: string[];
  cwd?: string;
  /** Extra options for the check that finds the fixes (versions, select/ignore, config). */
  check?: Partial<CheckOptions>;
  /** `auto` (default): the user's gunicorn when its command is known, else hello, else builtin. */
  backend?: BackendKind | 'auto';
  /** The gunicorn command to run (its bind is replaced by the sandbox's). */
  gunicornCmd?: string;
  /** Directory the user's app runs in (default: the directory of the gunicorn sources, else cwd). */
  appDir?: string;
  /** Also search a small grid over host-dependent knobs. */
  search?: boolean;
  /** Wall-clock budget in seconds for everything (default 60). */
  budgetSec?: number;
  /** Connections of the closed-loop throughput scenario (default 32). */
  connections?: number;
  /** Restrict the scenarios run (default: all that candidates need). */
  scenarios?: ScenarioKind[];
  /** Interleaved rounds per comparison after the warm-up (default 3, at least 3). */
  rounds?: number;
  /** Host cores assumed by rules and the search grid (default: this machine's). */
  cpus?: number;
  nginxBinary?: string;
  gunicornBinary?: string;
  /** Keep the sandbox directory (for debugging); it is removed by default. */
  keepSandbox?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TuneProgress) => void;
}

export interface CandidateReport {
  id: string;
  label: string;
  rules: string[];
  changes: string[];
  knobs?: GunicornKnobs;
  /** Verdict per scenario it was measured in. */
  verdicts: Partial<Record<ScenarioKind, Verdict>>;
  /** Paired req/s ratio against its reference, per scenario. */
  ratios: Partial<Record<ScenarioKind, Ratio>>;
  accepted: boolean;
  /** Phase that measured it (`screen`, `search worker_processes`…). */
  phase: string;
  /** Unified diff of its nginx files against the originals (gunicorn knobs are in `knobs`). */
  patch: string;
}

export interface NamedComparison extends ComparisonResult {
  phase: string;
}

export interface TuneResult {
  /** The baseline and the chosen configuration as re-measured side by side (confirm phase). */
  baseline: ArmSummary | null;
  tuned: ArmSummary | null;
  /** tuned / baseline req/s, paired per round: median and range. */
  ratio: Ratio | null;
  /** What was chosen (empty changes: the original is kept). */
  chosen: { label: string; rules: string[]; changes: string[]; knobs?: GunicornKnobs };
  candidates: CandidateReport[];
  comparisons: NamedComparison[];
  /** New content of every changed file, by absolute path (UTF-8 as read). */
  files: Record<string, string>;
  /** Unified diff of `files` against the originals (paths relative to cwd). */
  patch: string;
  /** Changes the patch cannot carry (a gunicorn knob set nowhere). */
  advice: string[];
  notes: string[];
  backend: { kind: BackendKind; description: string };
  /** Absolute path of the main nginx configuration tuned. */
  nginxMain: string;
  /** Every process the sandbox started (masters and the workers seen), all stopped on return. */
  processes: Array<{ role: string; pid: number }>;
  seenPids: number[];
  host: { cpus: number; nginx: string };
  budgetSec: number;
  elapsedSec: number;
  interrupted: boolean;
}

/** A problem with the input or the environment (no nginx, no config): the CLI exits 2. */
export class TuneError extends Error {
  readonly code = 'ETUNE';
  constructor(message: string) {
    super(message);
    this.name = 'TuneError';
  }
}

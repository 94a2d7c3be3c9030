// What a rule is and what it may do. Rules are pure: they read the model and report findings.

import type { Arg, Directive, NginxConfig, Severity, SourceFile } from '../nginx/tree.js';
import type { ContextName } from '../nginx/directives.js';
import type { ProxyPass } from '../nginx/query.js';
import type { GunicornApp, Origin } from '../gunicorn/types.js';
import type { Deployment } from '../model/types.js';

export type Category = 'performance' | 'security' | 'correctness' | 'reliability';
export type FixKind = 'safe' | 'suggest' | 'none';

export interface RuleMeta {
  /** Stable public id: `nginx/…`, `gunicorn/…`, `cross/…`. */
  id: string;
  category: Category;
  severity: Severity;
  fix: FixKind;
  /** One line, shown in `conftune rules` and SARIF's shortDescription. */
  summary: string;
  /** Other ids users may write in --select/--ignore/suppressions (gixy names, catalog aliases). */
  aliases?: string[];
  /** Load scenario with which `tune` can verify this rule's fix. */
  probe?: 'throughput' | 'idle-gap' | 'slow-client';
  /** Version gate: the rule only runs when the target version satisfies these ranges (`<1.29.7`, `>=22`). */
  since?: { nginx?: string; gunicorn?: string };
  /** What the rule needs: it is skipped when the model lacks it. */
  needs?: Array<'nginx' | 'gunicorn'>;
  /**
   * Off by default (ruff's non-default rules): runs only when named by id or alias in `--select`,
   * `select`/`rules` of conftune.json, or with `--select all`. A prefix such as `nginx/` does not enable it.
   */
  optIn?: boolean;
  /**
   * More general rules this one covers: a finding of one of them on the same line of the same file
   * is folded into this rule's finding (kept in its `related` list, its fix used when this one has
   * none). Selecting the general rule alone still reports it.
   */
  supersedes?: string[];
}

/** One text edit on the original bytes of a file (offsets into `SourceFile.text`, latin1). */
export interface Edit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  /** Imperative, e.g. `add "keepalive 16;" to upstream app_server`. */
  description: string;
  edits: Edit[];
  /** Defaults to the rule's meta.fix. */
  kind?: Exclude<FixKind, 'none'>;
}

export interface Location {
  file: SourceFile;
  start: number;
  end: number;
}

export interface ReportInput {
  /** Where: a directive, an argument, a gunicorn origin or an explicit range. */
  node?: Directive | Arg;
  /** Required when `node` is an Arg (args don't know their file). */
  file?: SourceFile;
  origin?: Origin;
  at?: Location;
  message: string;
  /** Overrides meta.severity for this finding (e.g. error when a dropped header is Host). */
  severity?: Severity;
  fix?: Fix;
}

export interface TargetVersions {
  nginx: string;
  gunicorn: string;
}

export interface RuleOptions {
  versions: TargetVersions;
  /**
   * Host cores for worker sizing rules: `--cpus` / conftune.json `cpus`, this machine's only with
   * `--host`. null when unknown: sizing rules then say less (never a guess from the linting machine).
   */
  cpus: number | null;
  /** Free-form per-rule options from conftune.json `rules.<id>.options` or gixy-style `# Options:`. */
  ruleOptions: Record<string, unknown>;
}

export interface RuleContext {
  model: Deployment;
  /** Shortcut for model.nginx. */
  nginx: NginxConfig | null;
  gunicorn: GunicornApp[];
  options: RuleOptions;
  report(input: ReportInput): void;
}

/**
 * `context`: the block kind nginx reads the directive in (null inside map/types/Lua bodies and
 * other blocks whose content is not directives). `inStreamOrMail`: the directive is a `stream` or
 * `mail` block or sits anywhere below one (most http rules skip those).
 */
export type DirectiveHandler = (d: Directive, context: ContextName | null, inStreamOrMail: boolean) => void;

/**
 * What a rule subscribes to in the engine's single walk over the nginx tree (includes expanded,
 * document order). ESLint's model: the rule's state lives in the closure `create` returns.
 */
export interface Visitor {
  /** Every directive. */
  directive?: DirectiveHandler;
  /** Directives by name: `{ proxy_pass(d) {…}, location(d) {…} }`. */
  named?: Record<string, DirectiveHandler>;
  /** Each `proxy_pass` in http context, resolved to its upstream (as `proxyPasses()` lists them). */
  proxyPass?(pp: ProxyPass): void;
  /** After the walk: rules that gather first report here. */
  done?(): void;
}

/**
 * A rule either subscribes to the walk (`create`) or looks at the whole deployment once (`check`:
 * gunicorn apps, cross-program rules, whole-config facts). It may have both: `check` runs first.
 */
export interface Rule {
  meta: RuleMeta;
  check?(ctx: RuleContext): void;
  create?(ctx: RuleContext): Visitor;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  category: Category;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  start: number;
  end: number;
  fix?: Fix;
  /** True when a fix exists that `--fix` applies (safe), or `--fix --unsafe` (suggest). */
  fixable: boolean;
  /** Set when an inline comment suppressed it (kept for SARIF `suppressions`). */
  suppressed?: { kind: 'inSource'; comment: string };
  /** Findings of more general rules this one covers (see RuleMeta.supersedes), folded into it. */
  related?: RelatedFinding[];
}

export interface RelatedFinding {
  ruleId: string;
  message: string;
  file: string;
  line: number;
  column: number;
}

// Which (rule, file) pairs a run checked. Only there can a baseline entry be said to no longer
// match: a pre-commit hook that passes one changed file must not call every other file "fixed",
// and a cross rule that needs gunicorn did not run when only the nginx side was given.

import type { CheckResult } from '../check.js';
import { ruleApplies } from '../lint/engine.js';

/** (rule id, absolute file) → whether this run ran that rule over that file. */
export type Scope = (ruleId: string, file: string) => boolean;

export interface ScopeOptions {
  /** Engine-made ids that ran over every file read (`conftune/unused-disable` with --report-unused-disables). */
  extraRules?: readonly string[];
}

export function checkedScope(result: Pick<CheckResult, 'files' | 'models' | 'rules' | 'versions'>, opts: ScopeOptions = {}): Scope {
  const ran = new Map<string, Set<string>>();
  const add = (file: string, ids: Iterable<string>): void => {
    const set = ran.get(file) ?? new Set<string>();
    for (const id of ids) set.add(id);
    ran.set(file, set);
  };
  const options = { versions: result.versions, cpus: null, ruleOptions: {} };
  for (const model of result.models) {
    const ids = result.rules.filter((meta) => ruleApplies(meta, model, options)).map((meta) => meta.id);
    const files = [...(model.nginx ? [...model.nginx.files.values()] : []), ...model.gunicorn.flatMap((app) => app.sources)];
    for (const f of files) if (!f.stock) add(f.path, ids);
  }
  for (const [p, f] of result.files) if (!f.stock) add(p, opts.extraRules ?? []);
  return (ruleId, file) => ran.get(file)?.has(ruleId) ?? false;
}

// `conftune rules [--format text|json]`: every rule with its category, severity, fix kind and summary.

import { Command, Option } from 'commander';
import type { RuleMeta } from '../lint/rule.js';

export interface RuleListing {
  id: string;
  category: string;
  severity: string;
  fix: string;
  /** Off by default: runs only when selected by name. */
  optIn?: boolean;
  summary: string;
  aliases?: string[];
  probe?: string;
}

export function ruleListing(rules: readonly RuleMeta[]): RuleListing[] {
  return [...rules]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((m) => ({
      id: m.id,
      category: m.category,
      severity: m.severity,
      fix: m.fix,
      summary: m.summary,
      ...(m.aliases?.length ? { aliases: m.aliases } : {}),
      ...(m.probe ? { probe: m.probe } : {}),
      ...(m.optIn ? { optIn: true } : {}),
    }));
}

/** A plain aligned table: no colour, so it pipes into grep/less unchanged. */
export function formatRuleTable(list: RuleListing[]): string {
  const head = ['RULE', 'CATEGORY', 'SEVERITY', 'FIX', 'SUMMARY'];
  const rows = list.map((r) => [r.id, r.category, r.severity, r.fix, r.optIn ? `(off by default) ${r.summary}` : r.summary]);
  const widths = head.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return [line(head), ...rows.map(line), '', `${list.length} rules; \`conftune explain <rule>\` prints a rule's documentation.`].join('\n') + '\n';
}

export function registerRulesCommand(program: Command): void {
  program
    .command('rules')
    .description('list every rule: id, category, default severity, fix kind and summary')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { format: 'text' | 'json' }) => {
      const { allRules } = await import('../../rules/index.js');
      const list = ruleListing(allRules.map((r) => r.meta));
      process.stdout.write(opts.format === 'json' ? JSON.stringify(list, null, 2) + '\n' : formatRuleTable(list));
      process.exitCode = 0;
    });
}

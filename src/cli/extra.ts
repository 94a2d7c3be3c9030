// Commands other than `check`, each registered from its own module. Registering only declares
// options: every command loads what it needs when it runs, so `check` never pays for the others.
import type { Command } from 'commander';
import { registerProbeCommand } from './probe.js';
import { registerRulesCommand } from './rules.js';
import { registerExplainCommand } from './explain.js';
import { registerInitCommand } from './init.js';
import { registerParseCommand } from './parse.js';
import { registerTuneCommand } from './tune.js';

export function registerExtraCommands(program: Command): void {
  registerProbeCommand(program);
  registerTuneCommand(program);
  registerRulesCommand(program);
  registerExplainCommand(program);
  registerInitCommand(program);
  registerParseCommand(program);
}

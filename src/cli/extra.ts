// Commands other than `check`, each registered from its own module.
import type { Command } from 'commander';
import { registerProbeCommand } from './probe.js';

export function registerExtraCommands(program: Command): void {
  registerProbeCommand(program);
}

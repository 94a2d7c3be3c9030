#!/usr/bin/env node
// conftune's command line. Each command lives in its own file and loads its heavy parts lazily,
// so `conftune check` on a small file starts about as fast as node itself.

import { realpathSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCheckCommand } from './check.js';
import { registerExtraCommands } from './extra.js';
import { toolVersion } from './version.js';
import { reportInternalError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('conftune')
    .description('Lint, fix and tune nginx + gunicorn deployments — with load-test evidence.')
    .version(toolVersion(), '-V, --version')
    .option('--debug', 'show stack traces for internal errors')
    .showHelpAfterError('(run conftune --help for usage)')
    .exitOverride();
  registerCheckCommand(program);
  registerExtraCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2 (commander already printed the message).
      return e.exitCode === 0 ? 0 : 2;
    }
    reportInternalError(e, argv.includes('--debug'));
    return 2;
  }
}

const invokedDirectly = (() => {
  try {
    const self = realpathSync(new URL(import.meta.url).pathname);
    const arg = process.argv[1] ? realpathSync(process.argv[1]) : '';
    return arg === self;
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      reportInternalError(e, process.argv.includes('--debug'));
      process.exitCode = 2;
    },
  );
}

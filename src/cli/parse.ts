// `conftune parse FILE --format crossplane`: crossplane's JSON payload, for tools built on crossplane.

import { Command, Option } from 'commander';

interface ParseCliOptions {
  format: 'crossplane';
  includeComments?: boolean;
  combine?: boolean;
  singleFile?: boolean;
  strict?: boolean;
  checks?: boolean;
  indent?: string;
}

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description("print an nginx configuration's syntax tree as JSON (crossplane's payload shape)")
    .argument('<file>', 'main nginx configuration file; includes are followed from its directory')
    .addOption(new Option('-f, --format <format>', 'output shape').choices(['crossplane']).default('crossplane'))
    .option('--include-comments', 'keep comments as {"directive": "#"} statements')
    .option('--combine', 'one config: includes replaced by the statements they pull in')
    .option('--single-file', 'do not follow include directives')
    .option('--strict', 'unknown directives are errors (and dropped, as crossplane does)')
    .option('--no-checks', "skip crossplane's argument-count and context checks")
    .option('-i, --indent <n>', 'indent the JSON by n spaces (default: compact, as crossplane)')
    .action(async (file: string, opts: ParseCliOptions) => {
      process.exitCode = await runParseCli(file, opts);
    });
}

export async function runParseCli(file: string, opts: ParseCliOptions): Promise<number> {
  const fs = await import('node:fs');
  const indent = opts.indent === undefined ? undefined : Number(opts.indent);
  if (indent !== undefined && !(Number.isInteger(indent) && indent >= 0 && indent <= 10)) {
    process.stderr.write(`conftune: --indent must be an integer from 0 to 10, got "${opts.indent}"\n`);
    return 2;
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    process.stderr.write(`conftune: ${file}: cannot read: ${fs.existsSync(file) ? 'is a directory' : 'No such file or directory'}\n`);
    return 2;
  }
  const { crossplaneParse } = await import('../nginx/crossplane.js');
  const payload = crossplaneParse(file, {
    comments: opts.includeComments,
    combine: opts.combine,
    single: opts.singleFile,
    strict: opts.strict,
    noChecks: opts.checks === false,
  });
  process.stdout.write(JSON.stringify(payload, null, indent) + '\n');
  return payload.status === 'ok' ? 0 : 1;
}

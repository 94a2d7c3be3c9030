// Internal errors: one line naming what was being processed and where to report it; the stack
// only with --debug.

let currentFile: string | undefined;

export function setCurrentFile(file: string | undefined): void {
  currentFile = file;
}

export function reportInternalError(e: unknown, debug: boolean): void {
  const msg = e instanceof Error ? e.message : String(e);
  const where = currentFile ? ` while processing ${currentFile}` : '';
  process.stderr.write(`conftune: internal error${where}: ${msg.split('\n')[0]} (please report it with the input file; --debug shows details)\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
}

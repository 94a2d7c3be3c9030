// Small pieces the load-running commands (probe, tune) share: exit codes, the parse result of a
// flag, repeatable options, usage errors and Ctrl-C handling.

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A flag value parsed, or why it cannot be. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** commander collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Prints `conftune <command>: <message>` and gives the usage exit code. */
export function usageFailure(stderr: { write(text: string): unknown }, command: string): (message: string) => number {
  return (message) => {
    stderr.write(`conftune ${command}: ${message}\n`);
    return EXIT_USAGE;
  };
}

/**
 * The process's SIGINT: the first Ctrl-C calls `handler` (the command stops measuring, cleans up
 * and reports what it measured); a second one quits at once.
 */
export function defaultInterrupt(handler: () => void): () => void {
  let presses = 0;
  const onSigint = (): void => {
    if (++presses > 1) process.exit(EXIT_INTERRUPTED);
    handler();
  };
  process.on('SIGINT', onSigint);
  return () => process.off('SIGINT', onSigint);
}

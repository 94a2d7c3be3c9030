import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing } from '../../src/nginx/tree.js';
import { effectiveList } from '../../src/nginx/effective.js';
import type { Edit } from '../../src/lint/rule.js';
import { PASS_DIRECTIVES, outerLevelsUnknown } from './_perf.js';

const BUFFER = 'buffer=64k flush=5s';

/** Whether nginx could buffer this log: a file path without variables, not already buffered or gzipped. */
function isUnbufferedFileLog(d: Directive): boolean {
  const args = d.args.map((a) => a.value);
  const target = args[0];
  if (target === undefined || target === 'off' || target.startsWith('syslog:')) return false;
  // nginx rejects "buffered logs cannot have variables in name".
  if (target.includes('$')) return false;
  return !args.slice(1).some((a) => a.startsWith('buffer=') || a === 'gzip' || a.startsWith('gzip='));
}

/** The format is positional: `access_log path buffer=…` would name a format "buffer=…". */
function bufferEdit(d: Directive): Edit {
  const last = d.args[d.args.length - 1]!;
  const text = d.args.length === 1 ? ` combined ${BUFFER}` : ` ${BUFFER}`;
  return { file: d.file.path, start: last.end, end: last.end, text };
}

export const rule: Rule = {
  meta: {
    id: 'nginx/access-log-unbuffered',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'access log written without buffer= where requests are proxied',
    probe: 'throughput',
    // Tuning taste, not a defect: off by default; `conftune tune` selects its probe rules by id.
    optIn: true,
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const seen = new Set<Directive>();
    const onDefault = new Set<Directive>();
    const unbuffered: Directive[] = [];
    // Passes of all kinds, interleaved in document order: what is gathered does not depend on
    // order (logs are sorted by place before reporting, each http block reports at its own place).
    const pass = (d: Directive): void => {
      if (enclosing(d, 'stream')) return;
      const logs = effectiveList(config, d, 'access_log').nodes;
      // nginx's default log (unbuffered); its path is compiled in, so there is no fix to offer.
      const http = enclosing(d, 'http');
      if (logs.length === 0 && http && !onDefault.has(http) && !outerLevelsUnknown(config, d)) onDefault.add(http);
      for (const log of logs) {
        if (seen.has(log) || log.name !== 'access_log' || !isUnbufferedFileLog(log)) continue;
        seen.add(log);
        unbuffered.push(log);
      }
    };
    const done = (): void => {
      // One finding per configuration (a tuning suggestion, not a defect per log line); its fix
      // buffers every unbuffered log that proxied requests are written to.
      if (unbuffered.length > 0) {
        unbuffered.sort((a, b) => (a.file.path === b.file.path ? a.start - b.start : a.file.path < b.file.path ? -1 : 1));
        const log = unbuffered[0]!;
        const more = unbuffered.length - 1;
        ctx.report({
          node: log,
          message: `access_log ${log.args[0]!.value}${more > 0 ? ` (and ${more} more access log${more > 1 ? 's' : ''})` : ''} is written without a buffer: every proxied request costs a write() system call in the worker (add "${log.args.length === 1 ? 'combined ' : ''}${BUFFER}")`,
          fix: { description: `buffer the access log${more > 0 ? 's' : ''} (${BUFFER})`, edits: unbuffered.map(bufferEdit) },
        });
      }
      for (const http of onDefault) {
        ctx.report({
          node: http,
          message: `proxied requests are logged to nginx's default access log, unbuffered: every request costs a write() system call in the worker (add "access_log <path> combined ${BUFFER};" here, with your log path)`,
        });
      }
    };
    return { named: Object.fromEntries(PASS_DIRECTIVES.map((name) => [name, pass])), done };
  },
};

import type { DirectiveHandler, Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing, firstChild } from '../../src/nginx/tree.js';
import { nginxDefault } from '../../src/nginx/effective.js';
import { insertIntoBlock, replaceArg } from '../../src/edit/edits.js';
import type { Edit } from '../../src/lint/rule.js';
import { PASS_DIRECTIVES, intArg } from './_perf.js';

/** Below this a proxy serves only a few hundred concurrent clients per worker. */
const MIN_FOR_PROXY = 1024;

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/worker-connections-low',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'worker_connections too small for proxying (2 sockets per request + keepalive pools)',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Gathered in the walk: whether anything is handed to a backend, the idle upstream
    // connections each worker may keep (they count against worker_connections), and the first
    // worker_rlimit_nofile.
    let proxies = false;
    let pools = 0;
    let rlimit: Directive | undefined;
    const named: Record<string, DirectiveHandler> = {
      // http upstreams only (as httpUpstreams lists them): stream pools are not counted.
      upstream(up) {
        if (!up.block || enclosing(up, 'stream')) return;
        const n = intArg(firstChild(up.block, 'keepalive')?.args[0]?.value);
        if (Number.isFinite(n)) pools += n;
      },
      worker_rlimit_nofile(d) {
        rlimit ??= d;
      },
    };
    const pass = (): void => {
      proxies = true;
    };
    for (const name of PASS_DIRECTIVES) named[name] = pass;
    const done = (): void => {
      const events = config.root.find((d) => d.name === 'events' && d.block !== null);
      // worker_connections lives in events{}: only a full nginx.conf can be judged.
      if (!events || !proxies) return;
      const wcNode: Directive | undefined = firstChild(events.block, 'worker_connections');
      const wc = wcNode ? intArg(wcNode.args[0]?.value) : intArg(nginxDefault('worker_connections', ctx.options.versions.nginx)?.[0]);
      if (!Number.isFinite(wc)) return;
      const clients = Math.floor(Math.max(0, wc - pools) / 2);
      if (wc >= MIN_FOR_PROXY && pools * 2 < wc) return;
      const suggested = Math.max(MIN_FOR_PROXY, nextPowerOfTwo(4 * pools));
      const edits: Edit[] = [];
      if (wcNode?.args[0]) edits.push(replaceArg(wcNode.file, wcNode.args[0], String(suggested)));
      else {
        const e = insertIntoBlock(events, `worker_connections ${suggested};`);
        if (e) edits.push(e);
      }
      // Keep the descriptor limit in step when one is set (see nginx/worker-rlimit-nofile).
      const rl = intArg(rlimit?.args[0]?.value);
      if (rlimit?.args[0] && Number.isFinite(rl) && rl < 2 * suggested) edits.push(replaceArg(rlimit.file, rlimit.args[0], String(2 * suggested)));
      const poolText = pools > 0 ? `, minus ${pools} idle upstream keepalive connection${pools === 1 ? '' : 's'}` : '';
      ctx.report({
        node: wcNode ?? events,
        message: `worker_connections ${wc}${wcNode ? '' : ' (the default)'} lets each worker proxy only about ${clients} concurrent requests (two sockets per request${poolText}); beyond that nginx logs "worker_connections are not enough" and drops connections (raise it to ${suggested} or more)`,
        fix: edits.length > 0 ? { description: `set worker_connections ${suggested}`, edits } : undefined,
      });
    };
    return { named, done };
  },
};

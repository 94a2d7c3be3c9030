import type { Rule } from '../../src/lint/rule.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { findAll, firstChild } from '../../src/nginx/tree.js';
import { nginxDefault } from '../../src/nginx/effective.js';
import { httpUpstreams } from '../../src/nginx/query.js';
import { insertIntoBlock, replaceArg } from '../../src/edit/edits.js';
import type { Edit } from '../../src/lint/rule.js';
import { PASS_DIRECTIVES, intArg } from './_perf.js';

/** Below this a proxy serves only a few hundred concurrent clients per worker. */
const MIN_FOR_PROXY = 1024;

/** Idle upstream connections each worker may keep (they count against worker_connections). */
function keepalivePools(config: NginxConfig): number {
  let total = 0;
  for (const up of httpUpstreams(config)) {
    const n = intArg(firstChild(up.block, 'keepalive')?.args[0]?.value);
    if (Number.isFinite(n)) total += n;
  }
  return total;
}

function proxies(config: NginxConfig): boolean {
  return PASS_DIRECTIVES.some((name) => findAll(config, name).length > 0);
}

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
  check(ctx) {
    const config = ctx.nginx!;
    const events = config.root.find((d) => d.name === 'events' && d.block !== null);
    // worker_connections lives in events{}: only a full nginx.conf can be judged.
    if (!events || !proxies(config)) return;
    const wcNode: Directive | undefined = firstChild(events.block, 'worker_connections');
    const wc = wcNode ? intArg(wcNode.args[0]?.value) : intArg(nginxDefault('worker_connections', ctx.options.versions.nginx)?.[0]);
    if (!Number.isFinite(wc)) return;
    const pools = keepalivePools(config);
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
    const rlimit = findAll(config, 'worker_rlimit_nofile')[0];
    const rl = intArg(rlimit?.args[0]?.value);
    if (rlimit?.args[0] && Number.isFinite(rl) && rl < 2 * suggested) edits.push(replaceArg(rlimit.file, rlimit.args[0], String(2 * suggested)));
    const poolText = pools > 0 ? `, minus ${pools} idle upstream keepalive connection${pools === 1 ? '' : 's'}` : '';
    ctx.report({
      node: wcNode ?? events,
      message: `worker_connections ${wc}${wcNode ? '' : ' (the default)'} lets each worker proxy only about ${clients} concurrent requests (two sockets per request${poolText}); beyond that nginx logs "worker_connections are not enough" and drops connections (raise it to ${suggested} or more)`,
      fix: edits.length > 0 ? { description: `set worker_connections ${suggested}`, edits } : undefined,
    });
  },
};

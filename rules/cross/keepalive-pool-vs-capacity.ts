import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { firstChild } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import type { GunicornApp } from '../../src/gunicorn/types.js';
import { appLabel, num, workerKind } from '../../src/model/gunicorn-query.js';

/** nginx worker processes: a number, or `auto` = the host's cores. */
export function nginxWorkers(value: string | undefined, cpus: number | null): number | undefined {
  if (value === undefined) return 1;
  if (value === 'auto') return cpus ?? undefined;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Idle keep-alive connections gunicorn holds open at once: gevent/eventlet hold one greenlet per
 * connection (worker_connections per worker); gthread parks idle ones in its poller, up to
 * worker_connections − threads per worker, then answers "Connection: close".
 */
export function idleCapacity(app: GunicornApp): number | undefined {
  const kind = workerKind(app);
  const workers = num(app, 'workers');
  const wc = num(app, 'worker_connections');
  if (workers === undefined || wc === undefined) return undefined;
  if (kind === 'gevent' || kind === 'eventlet') return workers * wc;
  if (kind === 'gthread') {
    const threads = num(app, 'threads');
    return threads === undefined ? undefined : workers * Math.max(0, wc - threads);
  }
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: 'cross/keepalive-pool-vs-capacity',
    category: 'performance',
    severity: 'warning',
    fix: 'suggest',
    summary: 'nginx keepalive pool × nginx workers exceeds what gunicorn can hold open',
    needs: ['nginx', 'gunicorn'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const wp = effectiveValue(config, null, 'worker_processes');
    const workers = nginxWorkers(wp.args?.[0], ctx.options.cpus);
    if (workers === undefined) return;
    const seen = new Set<Directive>();
    for (const link of ctx.model.links) {
      const up = link.target.upstream;
      const ka = up ? firstChild(up.block, 'keepalive') : undefined;
      if (!up || !ka || seen.has(up)) continue;
      const pool = Number(ka.args[0]?.value);
      const cap = idleCapacity(link.app);
      if (!Number.isInteger(pool) || pool <= 0 || cap === undefined) continue;
      const idle = pool * workers;
      if (idle <= cap) continue;
      seen.add(up);
      const kind = workerKind(link.app);
      ctx.report({
        node: ka,
        message: `nginx may keep ${idle} idle connections to upstream "${up.args[0]?.value ?? ''}" (keepalive ${pool} × ${workers} worker process${workers > 1 ? 'es' : ''}) but ${appLabel(link.app)} holds at most ${cap} open (${kind}: ${kind === 'gthread' ? 'workers × (worker_connections − threads)' : 'workers × worker_connections'}): ${kind === 'gthread' ? 'the rest are closed after each response, so pooling stops paying off' : 'idle pooled connections fill its slots and new connections wait in the backlog'} (lower keepalive to ≤ ${Math.max(1, Math.floor(cap / workers))} or raise worker_connections)`,
      });
    }
  },
};

import type { DirectiveHandler, Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing } from '../../src/nginx/tree.js';
import { parseProxyUrl, servers } from '../../src/nginx/query.js';
import { replaceArg } from '../../src/edit/edits.js';
import { PASS_DIRECTIVES, insertAtMain, intArg, isFragment } from './_perf.js';

function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.startsWith('127.') || h === '::1';
}

/** An address as written in `server …;`, `fastcgi_pass …;` or a proxy URL points at this host. */
function isLocalAddress(raw: string): boolean {
  if (raw.startsWith('unix:')) return true;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? parseProxyUrl(raw) : null;
  if (url) return url.unixPath !== null || (url.host !== null && isLocalHost(url.host));
  const m = /^(\[[^\]]+\]|[^:]+)/.exec(raw);
  return m !== null && isLocalHost(m[1]!);
}

export const rule: Rule = {
  meta: {
    id: 'nginx/worker-processes',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'worker_processes above the host\'s cores, or 1 on a multi-core host without a co-located backend',
    probe: 'throughput',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    if (isFragment(config)) return {};
    // Gathered in the walk: the first worker_processes, and whether nginx sends requests to a
    // backend on the same host (an http upstream's server or a *_pass address): it then competes
    // for the cores.
    let node: Directive | undefined;
    let localBackend = false;
    const named: Record<string, DirectiveHandler> = {
      worker_processes(d) {
        node ??= d;
      },
      upstream(up) {
        if (localBackend || !up.block || enclosing(up, 'stream')) return;
        if (servers(up).some((s) => isLocalAddress(s.args[0]?.value ?? ''))) localBackend = true;
      },
    };
    const pass = (d: Directive): void => {
      if (!localBackend && isLocalAddress(d.args[0]?.value ?? '')) localBackend = true;
    };
    for (const name of PASS_DIRECTIVES) named[name] = pass;
    const done = (): void => {
      const cpus = ctx.options.cpus;
      const events = config.root.find((d) => d.name === 'events');
      if (!node && !events) return;
      const value = node?.args[0]?.value ?? '1';
      if (value === 'auto') return;
      const n = intArg(value);
      if (!Number.isFinite(n)) return;
      const fix = node?.args[0]
        ? { description: 'set worker_processes auto', edits: [replaceArg(node.file, node.args[0], 'auto')] }
        : (() => {
            const e = insertAtMain(config, 'worker_processes auto;', ['user']);
            return e ? { description: 'add "worker_processes auto;"', edits: [e] } : undefined;
          })();
      // The host's cores are a fact of the deployment, not of the machine linting it: unknown, only
      // the count-independent case (no workers beyond one, nothing local to share the cores) is said.
      if (cpus === null) {
        if (n !== 1 || localBackend) return;
        ctx.report({
          node: node ?? events,
          message: `worker_processes ${node ? '1' : 'is not set (default 1)'}: one worker uses one core and no backend runs on this host to use the rest (use "auto", one worker per core; give --cpus to size it)`,
          fix,
        });
        return;
      }
      if (n > cpus) {
        ctx.report({
          node: node ?? events,
          message: `worker_processes ${n} is above this host's ${cpus} core${cpus === 1 ? '' : 's'}: extra workers only add context switches and split the connection load unevenly (use "auto", one worker per core)`,
          fix,
        });
        return;
      }
      if (n !== 1 || cpus <= 1 || localBackend) return;
      ctx.report({
        node: node ?? events,
        message: `worker_processes ${node ? '1' : 'is not set (default 1)'}: one worker uses one of this host's ${cpus} cores and no backend runs here to use the rest (use "auto", one worker per core)`,
        fix,
      });
    };
    return { named, done };
  },
};

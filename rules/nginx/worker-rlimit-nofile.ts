import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { nginxDefault } from '../../src/nginx/effective.js';
import { replaceArg } from '../../src/edit/edits.js';
import { insertAtMain, intArg, isFragment } from './_perf.js';

/** The soft limit most systems give a service (systemd's default LimitNOFILE soft value). */
const TYPICAL_SOFT_LIMIT = 1024;

export const rule: Rule = {
  meta: {
    id: 'nginx/worker-rlimit-nofile',
    aliases: ['nginx/worker-rlimit-nofile-vs-connections', 'worker_rlimit_nofile_vs_connections'],
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'worker_rlimit_nofile missing or below 2 × worker_connections',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // The first of each, anywhere.
    let wcNode: Directive | undefined;
    let rlimitNode: Directive | undefined;
    const done = (): void => {
      // Without either directive we are looking at a fragment or a config at nginx's defaults.
      if (!wcNode && (!rlimitNode || isFragment(config))) return;
      const wc = wcNode ? intArg(wcNode.args[0]?.value) : intArg(nginxDefault('worker_connections', ctx.options.versions.nginx)?.[0]);
      if (!Number.isFinite(wc)) return;
      const needed = 2 * wc;
      const wcText = `worker_connections (${wc}${wcNode ? '' : ', the default'})`;
      if (rlimitNode) {
        const arg = rlimitNode.args[0];
        const have = intArg(arg?.value);
        if (!arg || !Number.isFinite(have) || have >= needed) return;
        ctx.report({
          node: rlimitNode,
          message: `worker_rlimit_nofile ${have} is below 2 × ${wcText}: each proxied request holds two descriptors (and a static one the file being sent), so workers hit "Too many open files" before their connection limit (set it to at least ${needed})`,
          fix: { description: `raise worker_rlimit_nofile to ${needed}`, edits: [replaceArg(rlimitNode.file, arg, String(needed))] },
        });
        return;
      }
      // Missing: the process inherits the service's limit, commonly 1024 soft.
      if (needed <= TYPICAL_SOFT_LIMIT) return;
      const edit = insertAtMain(config, `worker_rlimit_nofile ${needed};`, ['worker_processes', 'pid', 'user']);
      ctx.report({
        node: wcNode!,
        message: `worker_rlimit_nofile is not set while ${wcText} needs up to ${needed} descriptors per worker (two per proxied request): with the usual soft limit of ${TYPICAL_SOFT_LIMIT} workers fail with "Too many open files" (add "worker_rlimit_nofile ${needed};")`,
        fix: edit ? { description: `add "worker_rlimit_nofile ${needed};"`, edits: [edit] } : undefined,
      });
    };
    return {
      named: {
        worker_connections(d) {
          wcNode ??= d;
        },
        worker_rlimit_nofile(d) {
          rlimitNode ??= d;
        },
      },
      done,
    };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveValue, parseNginxTime } from '../../src/nginx/effective.js';
import { insertBefore, replaceArg } from '../../src/edit/edits.js';
import { appLabel, describeOrigin, num, workerKind } from '../../src/model/gunicorn-query.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { passesFor } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'cross/timeout-mismatch',
    category: 'reliability',
    severity: 'warning',
    fix: 'suggest',
    summary: 'proxy_read_timeout gives up before gunicorn\'s timeout (sync: before it kills a stuck worker; gthread: before requests it allows are done)',
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const seen = new Set<Directive>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          // sync: gunicorn kills a worker stuck longer than `timeout`; gthread: the heartbeat is the
          // main loop's, so `timeout` does not bound requests, but a raised one says they may run that
          // long. Either way nginx should not give up first. (Async workers: no such signal.)
          const kind = workerKind(link.app);
          if (kind !== 'sync' && kind !== 'gthread') continue;
          const timeout = num(link.app, 'timeout');
          if (timeout === undefined || timeout <= 0) continue;
          for (const p of passesFor(link.target, all)) {
            const v = effectiveValue(config, p.node, 'proxy_read_timeout', version);
            const secs = parseNginxTime(v.args?.[0] ?? '60s');
            if (Number.isNaN(secs) || secs >= timeout) continue;
            const at = v.node ?? p.node;
            if (seen.has(at)) continue;
            seen.add(at);
            const want = `${timeout + 5}s`;
            const edit = v.node?.args[0] ? replaceArg(v.node.file, v.node.args[0], want) : insertBefore(p.node, `proxy_read_timeout ${want};`);
            ctx.report({
              node: at,
              message: `proxy_read_timeout ${secs}s${v.isDefault ? " (nginx's default)" : ''} is shorter than ${appLabel(link.app)}'s timeout ${timeout}s (${describeOrigin(link.app.settings.get('timeout'))}): nginx answers 504 while the ${kind === 'sync' ? 'sync worker' : 'worker thread'} keeps working on a request nobody waits for (make nginx wait longer, e.g. ${want}, or lower gunicorn's timeout)`,
              fix: { description: `set proxy_read_timeout to ${want}`, edits: [edit] },
            });
          }
        }
      },
    };
  },
};

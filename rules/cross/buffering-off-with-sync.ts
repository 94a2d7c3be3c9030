import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { replaceArg } from '../../src/edit/edits.js';
import { appLabel, workerKind } from '../../src/model/gunicorn-query.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { passesFor } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'cross/buffering-off-with-sync',
    category: 'reliability',
    severity: 'error',
    fix: 'suggest',
    summary: 'proxy_buffering or proxy_request_buffering off toward sync workers (slow clients tie up workers)',
    probe: 'slow-client',
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
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
          if (workerKind(link.app) !== 'sync') continue;
          for (const p of passesFor(link.target, all)) {
            for (const name of ['proxy_buffering', 'proxy_request_buffering']) {
              const v = effectiveValue(config, p.node, name);
              if (v.args?.[0] !== 'off' || !v.node || seen.has(v.node)) continue;
              seen.add(v.node);
              const what = name === 'proxy_buffering' ? 'responses go to the client at its speed' : 'request bodies are streamed at the client\'s speed';
              ctx.report({
                node: v.node,
                message: `${name} off toward ${appLabel(link.app)} with sync workers: ${what} while a worker waits, so a few slow clients block every worker (gunicorn's docs require a buffering proxy for sync workers)`,
                fix: { description: `turn ${name} back on`, edits: [replaceArg(v.node.file, v.node.args[0]!, 'on')] },
              });
            }
          }
        }
      },
    };
  },
};

import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { insertIntoBlock, replaceArg } from '../../src/edit/edits.js';
import { httpBlocks, httpServers, listPlaces, outerLevelsUnknown, staticScopes } from './_perf.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/sendfile-off',
    category: 'performance',
    severity: 'info',
    fix: 'safe',
    summary: 'static files served with sendfile off',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    const explicit = new Map<Directive, Directive[]>();
    const byDefault: Directive[] = [];
    for (const scope of staticScopes(config, httpServers(config))) {
      const v = effectiveValue(config, scope, 'sendfile', version);
      if (v.args?.[0] !== 'off') continue;
      if (v.node) explicit.set(v.node, [...(explicit.get(v.node) ?? []), scope]);
      else if (!outerLevelsUnknown(config, scope)) byDefault.push(scope);
    }
    for (const [node, scopes] of explicit) {
      ctx.report({
        node,
        message: `sendfile off makes nginx copy static files through user space (read() then write()) for ${listPlaces(scopes, node.parent)} (set "sendfile on;" unless the files live on a mount where sendfile is broken, e.g. VirtualBox shared folders)`,
        fix: { description: 'set sendfile on', edits: [replaceArg(node.file, node.args[0]!, 'on')] },
      });
    }
    if (byDefault.length === 0) return;
    for (const http of httpBlocks(config)) {
      const edit = insertIntoBlock(http, 'sendfile on;', ['default_type', 'charset']);
      ctx.report({
        node: http,
        message: `static files are served (${listPlaces(byDefault, http)}) with sendfile off, nginx's default: each file is copied through user space (add "sendfile on;")`,
        fix: edit ? { description: 'add "sendfile on;" to http', edits: [edit] } : undefined,
      });
    }
  },
};

import type { Edit, Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { childrenNamed } from '../../src/nginx/tree.js';
import { removeDirective } from '../../src/edit/edits.js';
import { compareVersions } from '../../src/util/version.js';

/** nginx 1.25.1: "the deprecated "ssl" directive is not supported anymore" (deprecated since 1.15.0). */
const REMOVED_IN = '1.25.1';

export const rule: Rule = {
  meta: {
    id: 'nginx/ssl-directive-removed',
    category: 'correctness',
    severity: 'warning',
    fix: 'safe',
    summary: '`ssl on;` was removed in nginx 1.25.1 (nginx refuses to start): use `listen … ssl`',
    needs: ['nginx'],
  },
  create(ctx) {
    const version = ctx.options.versions.nginx;
    const removed = compareVersions(version, REMOVED_IN) >= 0;
    const ssl = (d: Directive): void => {
      const server = d.parent;
      if (!server || server.name !== 'server') return;
      const on = (d.argValue(0) ?? '').toLowerCase() === 'on';
      const edits: Edit[] = [removeDirective(d)];
      if (on) {
        // `ssl on` makes every listen socket of the server TLS: say so on each listen instead.
        for (const l of childrenNamed(server.block, 'listen')) {
          if (l.args.some((a) => a.value === 'ssl' || a.value === 'quic')) continue;
          const addr = l.args[0];
          if (addr) edits.push({ file: l.file.path, start: addr.end, end: addr.end, text: ' ssl' });
        }
      }
      const when = removed
        ? `removed in nginx ${REMOVED_IN}: nginx ${version} refuses to start ("unknown directive \\"ssl\\"")`
        : `deprecated since nginx 1.15.0 and removed in ${REMOVED_IN}: upgrading nginx makes this configuration fail to load`;
      ctx.report({
        node: d,
        severity: removed ? 'error' : undefined,
        message: `the "ssl" directive is ${when} (${on ? 'remove it and add "ssl" to this server\'s listen directives' : 'remove it'})`,
        fix: { description: on ? 'replace "ssl on;" by "listen … ssl"' : 'remove "ssl off;"', edits },
      });
    };
    return { named: { ssl } };
  },
};

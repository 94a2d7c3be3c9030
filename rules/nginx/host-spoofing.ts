import type { Rule } from '../../src/lint/rule.js';
import { findAll } from '../../src/nginx/tree.js';
import { replaceArg } from '../../src/fix/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/host-spoofing',
    aliases: ['host_spoofing'],
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: 'proxy_set_header Host forwards the raw client Host header ($http_host) instead of $host',
    needs: ['nginx'],
  },
  check(ctx) {
    for (const d of findAll(ctx.nginx!, 'proxy_set_header')) {
      const name = d.args[0]?.value.toLowerCase();
      const value = d.args[1];
      if (name !== 'host' || !value) continue;
      const m = /\$\{?((?:http|arg|cookie)_[A-Za-z0-9_]+)/.exec(value.value);
      if (!m) continue;
      ctx.report({
        node: value,
        file: d.file,
        message: `Host is taken from "$${m[1]}", which the client sets freely (nginx only validates $host): the backend may build links, redirects or cache keys for an attacker's host`,
        fix: { description: 'forward $host instead', edits: [replaceArg(d.file, value, '$host')] },
      });
    }
  },
};

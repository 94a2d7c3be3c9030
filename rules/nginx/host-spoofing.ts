import type { Rule } from '../../src/lint/rule.js';
import { replaceArg } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/host-spoofing',
    aliases: ['host_spoofing'],
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: 'proxy_set_header Host forwards the raw client Host header ($http_host) instead of $host',
    needs: ['nginx'],
    // nginx has validated the Host header before $http_host exists: it differs from $host only by
    // keeping the port and case (gunicorn's deployment docs recommend it). gixy parity, by name.
    optIn: true,
  },
  create(ctx) {
    return {
      named: {
        proxy_set_header(d) {
          // Read values without building Arg objects: only the rare hit needs the argument's position.
          if (d.argValue(0)?.toLowerCase() !== 'host') return;
          const raw = d.argValue(1);
          if (raw === undefined) return;
          const m = /\$\{?((?:http|arg|cookie)_[A-Za-z0-9_]+)/.exec(raw);
          if (!m) return;
          const value = d.args[1]!;
          ctx.report({
            node: value,
            file: d.file,
            message: `Host is taken from "$${m[1]}", which the client sets freely (nginx only validates $host): the backend may build links, redirects or cache keys for an attacker's host`,
            fix: { description: 'forward $host instead', edits: [replaceArg(d.file, value, '$host')] },
          });
        },
      },
    };
  },
};
